import { readFile } from 'node:fs/promises';
import { GetRoleCommand, IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import type { LocalAws } from '../../../src/local/services/server.ts';
import { LocalWorld } from '../../../src/local/world/localWorld.ts';
import { parseWorld, WorldError } from '../../../src/local/world/world.ts';
import { baseWorld, CREDENTIALS, rejection, withLocal } from './localAwsHelpers.ts';
import {
  ALICE_KEY,
  AUDIT,
  BARE,
  MEMBER,
  MEMBER_ROLE,
  memberTrust,
  ORG,
  orgWorld,
  orgWorldJson,
  roleArn,
} from './orgHelpers.ts';

const config = (
  local: LocalAws,
  credentials: { accessKeyId: string; secretAccessKey: string } = CREDENTIALS,
) => ({
  region: 'us-east-1',
  endpoint: local.url,
  credentials,
  retryStrategy: new ConfiguredRetryStrategy(1, () => 1),
});

const documentDefaultUser = async (local: LocalAws, credentials?: typeof ALICE_KEY) => {
  const doc = await new SSMClient(config(local, credentials)).send(
    new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }),
  );
  return (JSON.parse(doc.Content ?? '{}') as { inputs: { runAsDefaultUser: string } }).inputs
    .runAsDefaultUser;
};

const finding = (account: string) => ({
  SchemaVersion: '2018-10-08',
  Id: `${account}/us-east-1/ssm-runas/session/s-1`,
  ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
  GeneratorId: 'ssm-runas-auditor/session',
  AwsAccountId: account,
  Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  CreatedAt: '2026-03-01T00:00:00Z',
  UpdatedAt: '2026-03-01T00:00:00Z',
  Severity: { Label: 'HIGH' as const },
  Title: 'Session s-1 ran as ssm-user',
  Description: 'Run As is off.',
  Resources: [{ Type: 'Other', Id: `arn:aws:ssm:us-east-1:${account}:session/s-1` }],
});

describe('an organization world', () => {
  it('lists every account, the audit account as the default one', () => {
    // Act
    const world = orgWorld();

    // Assess
    expect(world.accountId).toBe(AUDIT);
    expect(world.organization).toEqual({ id: ORG, managementAccountId: MEMBER, auditAccountId: AUDIT });
    expect(world.accounts.map((a) => a.accountId)).toEqual([AUDIT, MEMBER, BARE]);
    expect(world.iam.users.map((u) => u.userName)).toEqual(['secops']);
    expect(world.accounts[1]?.iam.roles[0]).toEqual({
      roleName: MEMBER_ROLE,
      path: '/',
      tags: {},
      trustPolicy: memberTrust(),
      maxSessionDuration: 3600,
    });
  });

  it('keeps a single-account world one account, unchanged', () => {
    // Act
    const world = baseWorld();

    // Assess
    expect(world.organization).toBeUndefined();
    expect(world.accounts).toEqual([{ accountId: world.accountId, iam: world.iam, regions: world.regions }]);
  });

  it.each([
    ['a single-account world', () => parseWorld({ accountId: AUDIT, iam: { users: [{ userName: 'a' }] } })],
    ['an organization world', () => orgWorld()],
  ])('parses %s again to itself (tools re-parse a world with one key changed)', (_case, make) => {
    // Prepare
    const world = make();

    // Act
    const again = parseWorld(JSON.parse(JSON.stringify(world)));

    // Assess
    expect(again).toEqual(world);
  });

  it.each([
    ['no account at all', {}, 'accountId', 'a world is one account'],
    [
      'accounts without an organization',
      { accounts: [{ accountId: AUDIT }] },
      'organization',
      'accounts needs organization',
    ],
    [
      'an organization without accounts',
      { organization: { id: ORG, managementAccountId: AUDIT, auditAccountId: AUDIT } },
      'accounts',
      'needs its accounts',
    ],
  ])('refuses %s, naming the key', (_case, json, path, message) => {
    // Act
    const act = () => parseWorld(json);

    // Assess
    expect(act).toThrow(WorldError);
    expect(act).toThrow(expect.objectContaining({ path, message: expect.stringContaining(message) }));
  });

  it.each([
    ['both forms at once', { accountId: AUDIT }, 'accountId', 'not allowed with organization'],
    ['top-level iam beside accounts', { iam: { users: [] } }, 'iam', 'not allowed with organization'],
    [
      'an audit account that is not one of the accounts',
      { organization: { id: ORG, managementAccountId: MEMBER, auditAccountId: '999988887777' } },
      'organization.auditAccountId',
      `expected one of the accounts (${AUDIT}, ${MEMBER}, ${BARE})`,
    ],
    [
      'a malformed organization id',
      { organization: { id: 'org-1', managementAccountId: MEMBER, auditAccountId: AUDIT } },
      'organization.id',
      'expected an organization id',
    ],
    [
      'two accounts with one id',
      { accounts: [{ accountId: AUDIT }, { accountId: AUDIT }] },
      'accounts[1].accountId',
      `duplicate account id "${AUDIT}"`,
    ],
    [
      'one access key for two users',
      {
        accounts: [
          { accountId: AUDIT, iam: { users: [{ userName: 'a', accessKeyIds: [ALICE_KEY.accessKeyId] }] } },
          { accountId: MEMBER, iam: { users: [{ userName: 'b', accessKeyIds: [ALICE_KEY.accessKeyId] }] } },
        ],
      },
      'accounts[1].iam.users[0].accessKeyIds[0]',
      'duplicate access key id',
    ],
    [
      'a malformed access key id',
      {
        accounts: [
          { accountId: AUDIT, iam: { users: [{ userName: 'a', accessKeyIds: ['ASIA-temporary'] }] } },
        ],
      },
      'accounts[0].iam.users[0].accessKeyIds[0]',
      'expected an access key id',
    ],
    [
      'a trust policy the local STS cannot evaluate',
      {
        accounts: [
          {
            accountId: AUDIT,
            iam: {
              roles: [{ roleName: 'r', trustPolicy: { Statement: [{ Effect: 'Allow', NotAction: 'x' }] } }],
            },
          },
        ],
      },
      'accounts[0].iam.roles[0].trustPolicy',
      'trustPolicy.Statement[0].NotAction is not supported',
    ],
    [
      'a session duration over 12 hours',
      { accounts: [{ accountId: AUDIT, iam: { roles: [{ roleName: 'r', maxSessionDuration: 43201 }] } }] },
      'accounts[0].iam.roles[0].maxSessionDuration',
      'whole seconds from 3600 to 43200',
    ],
    [
      'an unknown key in an account',
      { accounts: [{ accountId: AUDIT, name: 'audit' }] },
      'accounts[0].name',
      'unknown key (allowed: accountId, iam, regions)',
    ],
    [
      'a bad node deep in a member',
      {
        accounts: [
          { accountId: AUDIT, regions: { 'us-east-1': { nodes: [{ id: 'i-1', platform: 'Linux' }] } } },
        ],
      },
      'accounts[0].regions.us-east-1.nodes[0].id',
      'expected',
    ],
  ])('refuses %s, naming the path', (_case, overrides, path, message) => {
    // Prepare
    const json = orgWorldJson(overrides);
    if ('accounts' in overrides && !('organization' in overrides)) {
      json.organization = { id: ORG, managementAccountId: AUDIT, auditAccountId: AUDIT };
    }

    // Act
    const act = () => parseWorld(json);

    // Assess
    expect(act).toThrow(expect.objectContaining({ path, message: expect.stringContaining(message) }));
  });

  it('builds one LocalWorld per account, each reaching the others, on one replay clock', () => {
    // Act
    const local = new LocalWorld(orgWorld());
    local.account(BARE)?.applyChange({ eventName: 'GetCallerIdentity', eventTime: '2026-03-01T10:00:00Z' });

    // Assess
    expect(local.accountId).toBe(AUDIT);
    expect(local.accounts().map((a) => a.accountId)).toEqual([AUDIT, MEMBER, BARE]);
    expect(local.account(MEMBER)?.account(BARE)?.user('carol')?.name).toBe('carol');
    expect(local.account(MEMBER)?.role(MEMBER_ROLE)?.id).not.toBe(local.account(BARE)?.user('carol')?.id);
    expect(local.account('999988887777')).toBeUndefined();
    // One replay clock: an event replayed in one account is the time in all of them.
    expect(local.account(MEMBER)?.eventTime).toBe('2026-03-01T10:00:00Z');
    expect(local.eventTime).toBe('2026-03-01T10:00:00Z');
  });

  it('publishes both forms in its JSON Schema', async () => {
    // Act
    const schema = JSON.parse(
      await readFile(new URL('../../../src/local/world/world.schema.json', import.meta.url), 'utf8'),
    ) as { oneOf: { required: string[] }[]; properties: Record<string, unknown> };

    // Assess
    expect(schema.oneOf.map((form) => form.required)).toEqual([['accountId'], ['organization', 'accounts']]);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['organization', 'accounts']));
  });
});

describe('the local endpoint tells accounts apart by credentials', () => {
  it('serves a member user’s key that member’s IAM and Regions, any other key the audit account’s', async () => {
    await withLocal(orgWorld(), async (local) => {
      // Act
      const memberTags = await new IAMClient(config(local, ALICE_KEY)).send(
        new ListUserTagsCommand({ UserName: 'alice' }),
      );
      const auditView = await rejection(
        new IAMClient(config(local)).send(new ListUserTagsCommand({ UserName: 'alice' })),
      );
      const memberDefault = await documentDefaultUser(local, ALICE_KEY);
      const auditDefault = await documentDefaultUser(local);

      // Assess
      expect(memberTags.Tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'alice' }]);
      expect(auditView.name).toBe('NoSuchEntityException');
      expect(memberDefault).toBe('member-user');
      expect(auditDefault).toBe('audit-user');
    });
  });

  it('returns a role’s world trust policy from GetRole', async () => {
    await withLocal(orgWorld(), async (local) => {
      // Act
      const role = await new IAMClient(config(local, ALICE_KEY)).send(
        new GetRoleCommand({ RoleName: MEMBER_ROLE }),
      );

      // Assess
      expect(role.Role?.Arn).toBe(roleArn(MEMBER));
      expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''))).toEqual(
        memberTrust(),
      );
    });
  });

  it('stores each account’s findings apart and refuses a finding for another account', async () => {
    await withLocal(orgWorld(), async (local) => {
      // Prepare
      const memberHub = new SecurityHubClient(config(local, ALICE_KEY));

      // Act
      const own = await memberHub.send(new BatchImportFindingsCommand({ Findings: [finding(MEMBER)] }));
      const other = await rejection(
        memberHub.send(new BatchImportFindingsCommand({ Findings: [finding(BARE)] })),
      );

      // Assess
      expect(own.SuccessCount).toBe(1);
      expect(other.name).toBe('AccessDeniedException');
      expect(other.message).toBe(
        `User: arn:aws:iam::${MEMBER}:user/alice is not authorized to perform: securityhub:BatchImportFindings on resource: arn:aws:securityhub:us-east-1:${BARE}:product/${BARE}/default`,
      );
      expect(local.findings(undefined, MEMBER).map((f) => f.AwsAccountId)).toEqual([MEMBER]);
      expect(local.findings(undefined, AUDIT)).toEqual([]);
      expect(local.findings().map((f) => f.Id)).toEqual([finding(MEMBER).Id]);
    });
  });

  it('fails only the account a fault names', async () => {
    await withLocal(
      orgWorld({ faults: [{ service: 'ssm', kind: 'access-denied', account: MEMBER }] }),
      async (local) => {
        // Act
        const member = await rejection(documentDefaultUser(local, ALICE_KEY));
        const audit = await documentDefaultUser(local);

        // Assess
        expect(member.name).toBe('AccessDeniedException');
        expect(audit).toBe('audit-user');
      },
    );
  });

  it('refuses an account on a Run Command fault, naming the key', () => {
    // Act
    const act = () => orgWorld({ faults: [{ service: 'ssm', kind: 'pending', account: MEMBER }] });

    // Assess
    expect(act).toThrow(expect.objectContaining({ path: 'faults[0].account' }));
  });

  it('counts quotas per account: one account’s burst leaves another’s bucket full', async () => {
    await withLocal(
      orgWorld({ quotas: { limits: { 'ssm:GetDocument': { rate: 1, burst: 1 } } } }),
      async (local) => {
        // Prepare
        await documentDefaultUser(local, ALICE_KEY);

        // Act
        const throttled = await rejection(documentDefaultUser(local, ALICE_KEY));
        const audit = await documentDefaultUser(local);

        // Assess
        expect(throttled.name).toBe('ThrottlingException');
        expect(audit).toBe('audit-user');
      },
    );
  });
});
