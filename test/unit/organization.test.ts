/**
 * template.yaml as the audit stack of an organization: with OrganizationId set, the default bus
 * accepts the organization's events only, the functions may assume the member roles of the
 * organization only, the IAM change function runs in the home Region, and the functions' roles are
 * the ones member-template.yaml's member role trusts. Without it, none of that exists.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { evaluateTrust, parseTrustPolicy } from '../../src/local/services/stsTrust.ts';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { functionsOf, resolveEnvironment } from '../../src/local/tools/samFunctions.ts';
import {
  type FunctionSpec,
  loadTemplate,
  parameterDefaults,
  type Template,
} from '../../src/local/tools/template.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const AUDIT = '111122223333';
const MEMBER = '444455556666';
const ORG = 'o-a1b2c3d4e5';
const HOME = 'eu-west-1';

let audit: Template;
let member: Template;
let functions: FunctionSpec[];

beforeAll(async () => {
  audit = await loadTemplate(path.join(ROOT, 'template.yaml'));
  member = await loadTemplate(path.join(ROOT, 'member-template.yaml'));
  functions = functionsOf(audit);
});

const ctx = (parameters: Record<string, string> = {}, region = HOME) => ({
  accountId: AUDIT,
  region,
  parameters: { ...parameterDefaults(audit), ...parameters },
});

const holds = (condition: string | undefined, parameters: Record<string, string> = {}, region = HOME) =>
  condition === undefined ||
  resolveIntrinsics(audit, { Condition: condition }, ctx(parameters, region)) === true;

describe('the organization’s event bus policy', () => {
  const policy = () => audit.body.Resources.OrganizationEventBusPolicy;

  it('exists only when OrganizationId is set', () => {
    // Assess
    expect(policy()?.Type).toBe('AWS::Events::EventBusPolicy');
    expect(holds(policy()?.Condition)).toBe(false);
    expect(holds(policy()?.Condition, { OrganizationId: ORG })).toBe(true);
  });

  it('lets only principals of the organization put events on the default bus', () => {
    // Act
    const properties = resolveIntrinsics(audit, policy()?.Properties, ctx({ OrganizationId: ORG }));

    // Assess
    expect(properties).toEqual({
      EventBusName: 'default',
      StatementId: 'ssm-runas-auditor-organization',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:aws:events:${HOME}:${AUDIT}:event-bus/default`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    });
  });

  it('is the bus the member stacks forward to', () => {
    // Prepare
    const targets = member.body.Resources.StartSessionForwardRule?.Properties?.Targets as { Arn: unknown }[];

    // Act
    const arn = resolveIntrinsics(member, targets[0]?.Arn, {
      accountId: MEMBER,
      region: 'us-east-1',
      parameters: {
        AuditAccountId: AUDIT,
        AuditRegion: HOME,
        OrganizationId: ORG,
        AuditEventBusName: 'default',
      },
    });

    // Assess
    expect(arn).toBe(`arn:aws:events:${HOME}:${AUDIT}:event-bus/default`);
  });
});

describe('the member roles the functions assume', () => {
  const grants = (fn: FunctionSpec) => fn.policyStatements.filter((s) => s.Action.includes('sts:AssumeRole'));

  it('are assumable by every function, only in an organization, only for roles of that organization', () => {
    for (const fn of functions) {
      // Prepare
      const [statement, ...more] = grants(fn);

      // Assess
      expect(more, fn.logicalId).toEqual([]);
      expect(statement?.onlyIf, fn.logicalId).toBe('AuditsOrganization');
      expect(statement?.Action, fn.logicalId).toEqual(['sts:AssumeRole']);
      expect(resolveIntrinsics(audit, statement?.Resource, ctx({ OrganizationId: ORG }))).toEqual([
        'arn:aws:iam::*:role/ssm-runas-auditor-member',
      ]);
      expect(resolveIntrinsics(audit, statement?.Condition, ctx({ OrganizationId: ORG }))).toEqual({
        StringEquals: { 'aws:ResourceOrgID': ORG },
      });
    }
    expect(holds('AuditsOrganization')).toBe(false);
  });

  it('are named as member-template.yaml names them, by default and when renamed', () => {
    // Prepare
    const [statement] = grants(functions[0] as FunctionSpec);

    // Assess
    expect(audit.body.Parameters?.MemberRoleName?.Default).toBe(
      member.body.Parameters?.MemberRoleName?.Default,
    );
    expect(
      resolveIntrinsics(
        audit,
        statement?.Resource,
        ctx({ OrganizationId: ORG, MemberRoleName: 'runas-reader' }),
      ),
    ).toEqual(['arn:aws:iam::*:role/runas-reader']);
  });

  it('trust the functions’ roles: under the path member-template.yaml’s default pattern names, whatever the stack', () => {
    // Prepare
    const role = resolveIntrinsics(member, member.body.Resources.MemberRole?.Properties, {
      accountId: MEMBER,
      region: HOME,
      parameters: { AuditAccountId: AUDIT, AuditRegion: HOME, OrganizationId: ORG },
    }) as { AssumeRolePolicyDocument: unknown };
    const trust = parseTrustPolicy(role.AssumeRolePolicyDocument);

    for (const fn of functions) {
      for (const stack of ['ssm-runas-auditor', 'security-audit', 'a']) {
        // Act: the role SAM makes for the function: <stack>-<Function>Role-<suffix>, under RolePath.
        const rolePath = String(fn.properties.RolePath);
        const name = `${stack}-${fn.logicalId}Role-ABCDEFGHIJKL`;
        const roleArn = `arn:aws:iam::${AUDIT}:role${rolePath}${name}`;
        const decision = evaluateTrust(trust, {
          action: 'sts:AssumeRole',
          principalArn: roleArn,
          callerArn: `arn:aws:sts::${AUDIT}:assumed-role/${name}/${stack}-${fn.logicalId}`,
          accountId: AUDIT,
          partition: 'aws',
          context: { 'aws:PrincipalArn': roleArn, 'aws:PrincipalOrgID': ORG },
        });

        // Assess
        expect(rolePath, fn.logicalId).toBe('/ssm-runas-auditor/');
        expect(decision, `${stack} ${fn.logicalId}`).toBe('allow');
      }
      // CloudFormation names the role <stack>-<logical id>-<12 characters>, at most 64 in all.
      expect(`ssm-runas-auditor-${fn.logicalId}Role-ABCDEFGHIJKL`.length, fn.logicalId).toBeLessThanOrEqual(
        64,
      );
    }
  });
});

describe('the functions’ grants in the audit account', () => {
  it('name the stack’s Region alone, and every Region in an organization (its own events of every Region arrive)', () => {
    for (const fn of functions) {
      // The stack's own queues and table (Fn::GetAtt) are one resource by construction.
      const inRegions = fn.policyStatements.filter(
        (s) => !s.Action.includes('sts:AssumeRole') && !JSON.stringify(s.Resource).includes('Fn::GetAtt'),
      );
      for (const statement of inRegions) {
        // Act
        const resolve = (parameters: Record<string, string>) =>
          (resolveIntrinsics(audit, statement.Resource, ctx(parameters)) as unknown[])
            .filter((r): r is string => typeof r === 'string' && r.startsWith('arn:'))
            .map((arn) => arn.split(':')[3]);
        const alone = resolve({});
        const organization = resolve({ OrganizationId: ORG });

        // Assess
        for (const [i, region] of alone.entries()) {
          if (region === '' || region === '*') expect(organization[i], fn.logicalId).toBe(region);
          else if (region === HOME) expect(organization[i], `${fn.logicalId} ${statement.Sid}`).toBe('*');
        }
      }
    }
    const importing = functions
      .find((f) => f.logicalId === 'AuditSessionFunction')
      ?.policyStatements.find((s) => s.Action.includes('securityhub:BatchImportFindings'));
    expect(resolveIntrinsics(audit, importing?.Resource, ctx({ OrganizationId: ORG }))).toEqual([
      `arn:aws:securityhub:*:${AUDIT}:product/${AUDIT}/default`,
    ]);
  });
});

describe('the IAM change function', () => {
  const principalResources = () =>
    Object.entries(audit.body.Resources).filter(([id]) => id.startsWith('PrincipalChange'));

  it.each([
    ['us-east-1, one account', 'us-east-1', {}, true],
    ['eu-west-1, one account (IAM events never reach it)', 'eu-west-1', {}, false],
    [
      'eu-west-1, an organization (the members’ us-east-1 rules forward IAM events here)',
      'eu-west-1',
      { OrganizationId: ORG },
      true,
    ],
    ['us-east-1, an organization', 'us-east-1', { OrganizationId: ORG }, true],
  ])('%s: %s', (_name, region, parameters, exists) => {
    // Assess
    expect(principalResources().length).toBeGreaterThan(5);
    for (const [id, resource] of principalResources()) {
      expect(holds(resource.Condition, parameters, region), id).toBe(exists);
    }
  });
});

describe('the functions’ organization settings', () => {
  it('come from the parameters, and the audit account is the stack’s own', () => {
    for (const fn of functions) {
      // Act
      const env = resolveEnvironment(audit, fn, undefined, {
        accountId: AUDIT,
        region: HOME,
        parameterOverrides: {
          OrganizationId: ORG,
          MemberExternalId: 'runas-7f3a',
          AuditedAccounts: `${MEMBER}`,
        },
      });
      const config = loadConfig({
        ...env,
        AWS_REGION: HOME,
        AWS_LAMBDA_FUNCTION_NAME: `audit-${fn.logicalId}`,
      });

      // Assess
      expect(config.organization, fn.logicalId).toEqual({
        id: ORG,
        auditAccountId: AUDIT,
        memberRoleName: 'ssm-runas-auditor-member',
        externalId: 'runas-7f3a',
        functionName: `audit-${fn.logicalId}`,
        sweptAccounts: [MEMBER],
      });
    }
  });

  it('leave a single-account deployment as it was', () => {
    for (const fn of functions) {
      // Act
      const env = resolveEnvironment(audit, fn, undefined, { accountId: AUDIT, region: HOME });

      // Assess
      expect(loadConfig({ ...env, AWS_REGION: HOME }).organization, fn.logicalId).toBeUndefined();
    }
  });
});
