/**
 * The bundled organization world (src/local/world/org-world.json) served by the local endpoint,
 * reached with the real SDK clients the way the audit functions reach a member: assume the member
 * role with the audit account's credentials, then read the member's IAM, Session Manager state
 * and CloudTrail and import its findings, in each of its Regions. A member without the role fails
 * cleanly, and only that member.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetRoleCommand, IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  type Credentials,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, localCredentials, startLocalAws } from '../../src/local/services/server.ts';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { loadTemplate } from '../../src/local/tools/template.ts';
import { loadWorld, type World } from '../../src/local/world/world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REGIONS = ['us-east-1', 'eu-west-1'] as const;

let world: World;
let local: LocalAws;
let memberRoleName: string;

beforeAll(async () => {
  world = await loadWorld(path.join(ROOT, 'src/local/world/org-world.json'));
  const template = await loadTemplate(path.join(ROOT, 'member-template.yaml'));
  memberRoleName = String(template.body.Parameters?.MemberRoleName?.Default);
  local = await startLocalAws(world);
});
afterAll(() => local.close());

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
/** What the audit functions sign with locally: credentials the endpoint did not issue. */
const AUDIT_FUNCTION: Keys = {
  accessKeyId: localCredentials.AWS_ACCESS_KEY_ID,
  secretAccessKey: localCredentials.AWS_SECRET_ACCESS_KEY,
};
const cfg = (credentials: Keys, region: string) => ({
  region,
  endpoint: local.url,
  credentials,
  retryStrategy: new ConfiguredRetryStrategy(1, () => 1),
});
const keysOf = (c: Credentials | undefined): Keys => ({
  accessKeyId: c?.AccessKeyId ?? '',
  secretAccessKey: c?.SecretAccessKey ?? '',
  sessionToken: c?.SessionToken ?? '',
});
const accountsOf = (kind: 'with' | 'without') =>
  world.accounts
    .filter((a) => a.accountId !== world.organization?.auditAccountId)
    .filter((a) => a.iam.roles.some((r) => r.roleName === memberRoleName) === (kind === 'with'))
    .map((a) => a.accountId);
const assumeMemberRole = (accountId: string, region: string) =>
  new STSClient(cfg(AUDIT_FUNCTION, region)).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${memberRoleName}`,
      RoleSessionName: 'ssm-runas-auditor',
    }),
  );

const finding = (accountId: string, region: string) => ({
  SchemaVersion: '2018-10-08',
  Id: `${accountId}/${region}/ssm-runas/principal/alice`,
  ProductArn: `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`,
  GeneratorId: 'ssm-runas-auditor/principal',
  AwsAccountId: accountId,
  Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  CreatedAt: world.now,
  UpdatedAt: world.now,
  Severity: { Label: 'INFORMATIONAL' as const },
  Title: 'alice runs as alice',
  Description: 'The SSMSessionRunAs tag names an OS user.',
  Resources: [{ Type: 'AwsIamUser', Id: `arn:aws:iam::${accountId}:user/alice` }],
});

describe('the bundled organization world', () => {
  it('is three accounts in two Regions: the audit account, a member with the role, one without', () => {
    // Assess
    expect(world.accounts).toHaveLength(3);
    expect(world.accountId).toBe(world.organization?.auditAccountId);
    expect(accountsOf('with')).toHaveLength(1);
    expect(accountsOf('without')).toHaveLength(1);
    for (const account of world.accounts)
      expect(Object.keys(account.regions).sort()).toEqual([...REGIONS].sort());
  });

  it('gives the member role the member template’s name, trust and session limit', async () => {
    // Prepare
    const template = await loadTemplate(path.join(ROOT, 'member-template.yaml'));
    const [member] = accountsOf('with');
    const expected = resolveIntrinsics(template, template.body.Resources.MemberRole?.Properties, {
      accountId: member ?? '',
      region: 'us-east-1',
      parameters: {
        AuditAccountId: world.organization?.auditAccountId ?? '',
        AuditRegion: 'us-east-1',
        OrganizationId: world.organization?.id ?? '',
      },
    }) as { RoleName: string; AssumeRolePolicyDocument: unknown; MaxSessionDuration: number };

    // Act
    const role = world.accounts
      .find((a) => a.accountId === member)
      ?.iam.roles.find((r) => r.roleName === memberRoleName);

    // Assess
    expect(role?.roleName).toBe(expected.RoleName);
    expect(role?.trustPolicy).toEqual(expected.AssumeRolePolicyDocument);
    expect(role?.maxSessionDuration).toBe(expected.MaxSessionDuration);
  });
});

describe('the audit functions in each member of the organization world', () => {
  it.each(REGIONS)(
    'assume the member role in %s and read and write that member’s state there',
    async (region) => {
      for (const accountId of accountsOf('with')) {
        // Act
        const member = keysOf((await assumeMemberRole(accountId, region)).Credentials);
        const identity = await new STSClient(cfg(member, region)).send(new GetCallerIdentityCommand({}));
        const iam = new IAMClient(cfg(member, region));
        const userTags = await iam.send(new ListUserTagsCommand({ UserName: 'alice' }));
        const roleTags = await iam.send(new ListRoleTagsCommand({ RoleName: 'Operators' }));
        const hub = new SecurityHubClient(cfg(member, region));
        const imported = await hub.send(
          new BatchImportFindingsCommand({ Findings: [finding(accountId, region)] }),
        );
        const stored = await hub.send(new GetFindingsCommand({}));

        // Assess
        expect(identity.Account).toBe(accountId);
        expect(userTags.Tags).toContainEqual({ Key: 'SSMSessionRunAs', Value: 'alice' });
        expect(roleTags.Tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'opsadmin' }]);
        expect(imported).toMatchObject({ SuccessCount: 1, FailedCount: 0 });
        expect(stored.Findings?.map((f) => [f.AwsAccountId, f.Region])).toEqual([[accountId, region]]);
        expect(local.findings(region, accountId)).toHaveLength(1);
        expect(local.findings(region, world.accountId)).toEqual([]);
      }
    },
  );

  it('see the member’s Identity Center session and the AssumeRoleWithSAML record that tagged it', async () => {
    for (const accountId of accountsOf('with')) {
      // Prepare
      const member = keysOf((await assumeMemberRole(accountId, 'us-east-1')).Credentials);

      // Act
      const sessions = await new SSMClient(cfg(member, 'us-east-1')).send(
        new DescribeSessionsCommand({ State: 'Active' }),
      );
      const events = await new CloudTrailClient(cfg(member, 'us-east-1')).send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRoleWithSAML' }],
        }),
      );
      const ssoRole = await new IAMClient(cfg(member, 'us-east-1')).send(
        new GetRoleCommand({ RoleName: 'AWSReservedSSO_SessionUsers_0a1b2c3d4e5f6a7b' }),
      );

      // Assess
      const [session] = sessions.Sessions ?? [];
      expect(session?.Owner).toMatch(
        new RegExp(`^arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_SessionUsers_0a1b2c3d4e5f6a7b/`),
      );
      const record = JSON.parse(events.Events?.[0]?.CloudTrailEvent ?? '{}') as {
        requestParameters?: { principalTags?: Record<string, string>; roleArn?: string };
        responseElements?: { assumedRoleUser?: { arn?: string } };
      };
      expect(record.requestParameters?.principalTags?.SSMSessionRunAs).toBe('dana');
      expect(record.responseElements?.assumedRoleUser?.arn).toBe(session?.Owner);
      expect(record.requestParameters?.roleArn).toBe(ssoRole.Role?.Arn);
    }
  });

  it('read a tag change replayed into the member’s IAM, and the audit account is untouched', async () => {
    // Prepare: the bundled TagUser record, made in the member: bob (ssm-user until now) runs as bob.
    const [accountId = ''] = accountsOf('with');
    const event = JSON.parse(await readFile(path.join(ROOT, 'events/iam-taguser-runas.json'), 'utf8')) as {
      detail: Record<string, unknown>;
    };
    const detail = JSON.parse(
      JSON.stringify(event.detail).replaceAll(world.accountId, accountId).replaceAll('"sam"', '"bob"'),
    ) as Record<string, unknown>;

    // Act
    const changed = local.world.account(accountId)?.applyChange(detail);
    const member = keysOf((await assumeMemberRole(accountId, 'us-east-1')).Credentials);
    const tags = await new IAMClient(cfg(member, 'us-east-1')).send(
      new ListUserTagsCommand({ UserName: 'bob' }),
    );

    // Assess
    expect(changed).toBe(true);
    expect(tags.Tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'bob' }]);
    expect(local.world.user('bob')).toBeUndefined();
  });

  it('fail cleanly for the member without the role, naming it, and only for it', async () => {
    for (const accountId of accountsOf('without')) {
      // Act
      const denied = await assumeMemberRole(accountId, 'eu-west-1').catch((error: unknown) => error as Error);
      const others = await Promise.all(accountsOf('with').map((id) => assumeMemberRole(id, 'eu-west-1')));

      // Assess
      expect(denied).toBeInstanceOf(Error);
      expect(denied).toMatchObject({
        name: 'AccessDenied',
        message: `User: arn:aws:sts::${world.accountId}:assumed-role/ssm-runas-auditor-local-function/ssm-runas-auditor-local is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${accountId}:role/${memberRoleName}`,
      });
      expect(others.every((out) => out.Credentials?.AccessKeyId?.startsWith('ASIA'))).toBe(true);
    }
  });

  it('cannot import a member’s finding with the audit account’s own credentials', async () => {
    // Prepare
    const [accountId = ''] = accountsOf('with');

    // Act
    const denied = await new SecurityHubClient(cfg(AUDIT_FUNCTION, 'us-east-1'))
      .send(new BatchImportFindingsCommand({ Findings: [finding(accountId, 'us-east-1')] }))
      .catch((error: unknown) => error as Error);

    // Assess
    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
  });
});
