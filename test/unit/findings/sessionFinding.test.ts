import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import type { Decision } from '../../../src/domain/runAs.ts';
import type { StartSessionCommand } from '../../../src/events/startSession.ts';
import { buildSessionFinding } from '../../../src/findings/sessionFinding.ts';

const ACCOUNT = '111122223333';
const TYPE = 'Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As';

const rolePrincipal: Principal = {
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
  accountId: ACCOUNT,
  name: 'Operators',
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  sessionName: 'alice',
  sessionCreatedAt: '2026-03-01T09:30:00.000Z',
};

const command = (overrides: Partial<StartSessionCommand> = {}): StartSessionCommand => ({
  eventId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  eventTime: '2026-03-01T10:00:00.000Z',
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  principal: rolePrincipal,
  target: 'i-0123456789abcdef0',
  documentName: 'SSM-SessionManagerRunShell',
  documentNamed: false,
  parameters: {},
  sessionId: 'alice-0a1b2c3d4e5f6a7b8',
  errorCode: null,
  errorMessage: null,
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2.15.0',
  ...overrides,
});

const ranAsSsmUser: Decision = {
  outcome: 'RAN_AS_SSM_USER',
  expectedUser: 'ssm-user',
  expectedUserSource: 'none',
  sessionUser: 'ssm-user',
  userVerified: false,
  sessionTags: 'none',
  settingsDocument: 'SSM-SessionManagerRunShell',
  path: [
    'No document was named: the Region preferences SSM-SessionManagerRunShell apply.',
    'runAsEnabled is false there.',
    'The session ran as ssm-user.',
  ],
  remediation:
    'Set runAsEnabled to true in SSM-SessionManagerRunShell and tag role Operators with SSMSessionRunAs.',
};

const decision = (overrides: Partial<Decision> = {}): Decision => ({ ...ranAsSsmUser, ...overrides });

describe('buildSessionFinding: a RAN_AS_SSM_USER session, field by field', () => {
  const finding = buildSessionFinding({ command: command(), decision: ranAsSsmUser, platform: 'Linux' });

  it('has the identity fields of DESIGN §4', () => {
    // Assess
    expect(finding.SchemaVersion).toBe('2018-10-08');
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/session/alice-0a1b2c3d4e5f6a7b8`);
    expect(finding.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(finding.GeneratorId).toBe('ssm-runas-auditor/session');
    expect(finding.AwsAccountId).toBe(ACCOUNT);
    expect(finding.Region).toBe('us-east-1');
    expect(finding.RecordState).toBe('ACTIVE');
  });

  it('takes every time from the event', () => {
    // Assess
    expect(finding.CreatedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(finding.UpdatedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(finding.FirstObservedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(finding.LastObservedAt).toBe('2026-03-01T10:00:00.000Z');
  });

  it('rates the outcome, also under FindingProviderFields', () => {
    // Assess
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'RAN_AS_SSM_USER' });
    expect(finding.Types).toEqual([TYPE]);
    expect(finding.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH', Original: 'RAN_AS_SSM_USER' },
      Types: [TYPE],
    });
    expect(finding.Compliance).toEqual({ Status: 'FAILED' });
  });

  it('says what happened, why, and how to fix it', () => {
    // Assess
    expect(finding.Title).toBe(
      'Session ran as ssm-user (passwordless sudo) on i-0123456789abcdef0 by role Operators',
    );
    expect(finding.Description).toBe(
      'No document was named: the Region preferences SSM-SessionManagerRunShell apply. ' +
        'runAsEnabled is false there. The session ran as ssm-user. ' +
        'Fix: Set runAsEnabled to true in SSM-SessionManagerRunShell and tag role Operators with SSMSessionRunAs.',
    );
    expect(finding.Remediation).toEqual({
      Recommendation: {
        Text: ranAsSsmUser.remediation,
        Url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html',
      },
    });
  });

  it('lists the session, the node and the role as resources', () => {
    // Assess
    expect(finding.Resources).toEqual([
      {
        Type: 'Other',
        Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/alice-0a1b2c3d4e5f6a7b8`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
      {
        Type: 'AwsEc2Instance',
        Id: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
      {
        Type: 'AwsIamRole',
        Id: `arn:aws:iam::${ACCOUNT}:role/Operators`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
    ]);
  });

  it('has exactly the DESIGN §4 product fields plus EventId and CallerArn', () => {
    // Assess
    expect(finding.ProductFields).toEqual({
      'RunAs/Check': 'session',
      'RunAs/Outcome': 'RAN_AS_SSM_USER',
      'RunAs/ExpectedUser': 'ssm-user',
      'RunAs/ExpectedUserSource': 'none',
      'RunAs/SessionUser': 'ssm-user',
      'RunAs/SessionId': 'alice-0a1b2c3d4e5f6a7b8',
      'RunAs/Principal': `arn:aws:iam::${ACCOUNT}:role/Operators`,
      'RunAs/Target': 'i-0123456789abcdef0',
      'RunAs/Document': 'SSM-SessionManagerRunShell',
      'RunAs/Platform': 'Linux',
      'RunAs/UserVerified': 'false',
      'RunAs/SessionTags': 'none',
      'RunAs/EventId': '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      'RunAs/CallerArn': `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
    });
  });
});

describe('buildSessionFinding: identity and times', () => {
  it('gives the same Id to the same session, whatever else changes', () => {
    // Prepare
    const first = buildSessionFinding({ command: command(), decision: ranAsSsmUser, platform: 'Linux' });

    // Act
    const again = buildSessionFinding({
      command: command({ eventTime: '2026-03-01T11:00:00.000Z' }),
      decision: decision({ outcome: 'COMPLIANT', expectedUser: 'alice', sessionUser: 'alice' }),
      platform: 'Linux',
    });

    // Assess
    expect(again.Id).toBe(first.Id);
    expect(again.UpdatedAt).toBe('2026-03-01T11:00:00.000Z');
  });

  it('is keyed by the CloudTrail eventID when there is no session id, with no session resource', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({ sessionId: null }),
      decision: ranAsSsmUser,
      platform: 'Linux',
    });

    // Assess
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/session/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b`);
    expect(finding.Resources.map((r) => r.Type)).toEqual(['AwsEc2Instance', 'AwsIamRole']);
    // Security Hub rejects empty ProductFields values: an absent key stands for "no session id".
    expect(finding.ProductFields).not.toHaveProperty('RunAs/SessionId');
  });

  it("keeps an existing finding's CreatedAt", () => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: ranAsSsmUser,
      platform: 'Linux',
      createdAt: '2026-02-01T00:00:00.000Z',
    });

    // Assess
    expect(finding.CreatedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(finding.UpdatedAt).toBe('2026-03-01T10:00:00.000Z');
  });
});

describe('buildSessionFinding: titles per outcome', () => {
  it.each<[Outcome, Partial<Decision>, Partial<StartSessionCommand>, string, string, string]>([
    [
      'COMPLIANT',
      { expectedUser: 'alice', sessionUser: 'alice', expectedUserSource: 'principal-tag' },
      {},
      'Session ran as alice on i-0123456789abcdef0 by role Operators',
      'PASSED',
      'INFORMATIONAL',
    ],
    [
      'RAN_AS_ROOT',
      { sessionUser: 'root' },
      {},
      'Session ran as root (runAsElevated) on i-0123456789abcdef0 by role Operators',
      'FAILED',
      'HIGH',
    ],
    [
      'NO_RUN_AS_USER',
      { expectedUser: '', sessionUser: '' },
      {},
      'Session refused: no Run As user for role Operators on i-0123456789abcdef0',
      'WARNING',
      'LOW',
    ],
    [
      'INVALID_RUN_AS_USER',
      { expectedUser: 'bob;id', sessionUser: '' },
      {},
      'Unsafe Run As user name "bob;id" for session on i-0123456789abcdef0 by role Operators',
      'FAILED',
      'HIGH',
    ],
    [
      'DISALLOWED_RUN_AS_USER',
      { expectedUser: 'root', sessionUser: '' },
      {},
      'Denied Run As user "root" for session on i-0123456789abcdef0 by role Operators',
      'FAILED',
      'HIGH',
    ],
    [
      'MISSING_RUN_AS_USER',
      { expectedUser: 'bob', sessionUser: '', userVerified: true },
      {},
      'Session refused: Run As user "bob" does not exist on i-0123456789abcdef0 (role Operators)',
      'FAILED',
      'MEDIUM',
    ],
    [
      'INVALID_PREFERENCES',
      { settingsDocument: 'SSM-SessionManagerRunShell', sessionUser: '' },
      {},
      'Session failed: invalid runAsEnabled in SSM-SessionManagerRunShell on i-0123456789abcdef0 by role Operators',
      'FAILED',
      'MEDIUM',
    ],
    [
      'UNVERIFIED',
      { expectedUser: '', sessionUser: '' },
      {},
      'Run As user unverified for session on i-0123456789abcdef0 by role Operators',
      'NOT_AVAILABLE',
      'INFORMATIONAL',
    ],
    [
      'NOT_APPLICABLE',
      { sessionUser: '' },
      { errorCode: 'TargetNotConnected', sessionId: null },
      'StartSession failed (TargetNotConnected) for i-0123456789abcdef0 by role Operators',
      'NOT_AVAILABLE',
      'INFORMATIONAL',
    ],
    [
      'NOT_APPLICABLE',
      { sessionUser: '' },
      { target: 'ecs:web_0123456789abcdef_0123456789abcdef-1234' },
      'Run As not applicable to session on ecs:web_0123456789abcdef_0123456789abcdef-1234 by role Operators',
      'NOT_AVAILABLE',
      'INFORMATIONAL',
    ],
  ])('%s: %s', (outcome, decided, commanded, title, status, severity) => {
    // Act
    const finding = buildSessionFinding({
      command: command(commanded),
      decision: decision({ outcome, ...decided }),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Title).toBe(title);
    expect(finding.Compliance.Status).toBe(status);
    expect(finding.Severity).toEqual({ Label: severity, Original: outcome });
    expect(finding.ProductFields['RunAs/Outcome']).toBe(outcome);
  });

  it('says a Windows session ran as ssm-user without Run As', () => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decision({ outcome: 'NOT_APPLICABLE', sessionUser: 'ssm-user' }),
      platform: 'Windows',
    });

    // Assess
    expect(finding.Title).toBe(
      'Session ran as ssm-user on Windows node i-0123456789abcdef0 by role Operators: no Run As on Windows',
    );
    expect(finding.ProductFields['RunAs/Platform']).toBe('Windows');
  });

  it('gives a COMPLIANT finding a remediation that says nothing is needed', () => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decision({
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        sessionUser: 'alice',
        remediation: '',
      }),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Remediation?.Recommendation.Text).toBe('No change needed.');
    expect(finding.Description).toBe(ranAsSsmUser.path.join(' '));
  });
});

const stringsOf = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsOf);
  return [];
};

const isUnsafe = (text: string): boolean =>
  [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });

describe('buildSessionFinding: hostile values', () => {
  const hostileUser = 'bob\n\u001b[2J\u202Eresu-mss';

  it('strips controls and bidi from Title and Description but keeps the exact value, escaped, in ProductFields', () => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decision({
        outcome: 'INVALID_RUN_AS_USER',
        expectedUser: hostileUser,
        sessionUser: '',
        path: [`The role tag SSMSessionRunAs is "${hostileUser}".`],
      }),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Title).toBe(
      'Unsafe Run As user name "bob [2Jresu-mss" for session on i-0123456789abcdef0 by role Operators',
    );
    expect(finding.Description).toContain('The role tag SSMSessionRunAs is "bob [2Jresu-mss".');
    expect(finding.ProductFields['RunAs/ExpectedUser']).toBe('bob\\n\\u001b[2J\\u202eresu-mss');
    expect(stringsOf(finding).filter(isUnsafe)).toEqual([]);
  });

  it('cuts a title that a 400-character target pushes over 256', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({ target: `ecs:${'c'.repeat(396)}` }),
      decision: ranAsSsmUser,
      platform: 'unknown',
    });

    // Assess
    expect(finding.Title).toHaveLength(256);
    expect(finding.Title.endsWith('…')).toBe(true);
    expect(finding.ProductFields['RunAs/Target']).toBe(`ecs:${'c'.repeat(396)}`);
  });

  it('cuts a long decision path to 1024 in Description and the remediation to 512', () => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decision({
        path: Array.from({ length: 100 }, (_, i) => `Step ${i} checked.`),
        remediation: 'r'.repeat(900),
      }),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Description).toHaveLength(1024);
    expect(finding.Description.startsWith('Step 0 checked. Step 1 checked.')).toBe(true);
    expect(finding.Remediation?.Recommendation.Text).toHaveLength(512);
  });
});

describe('buildSessionFinding: resources', () => {
  it.each([
    [
      'i-0123456789abcdef0',
      'AwsEc2Instance',
      `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
    ],
    [
      'mi-0123456789abcdef0',
      'Other',
      `arn:aws:ssm:us-east-1:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`,
    ],
    ['ecs:web_0123_0123-1', 'Other', 'ecs:web_0123_0123-1'],
  ])('node %s is %s', (target, type, id) => {
    // Act
    const finding = buildSessionFinding({
      command: command({ target }),
      decision: ranAsSsmUser,
      platform: 'Linux',
    });

    // Assess
    expect(finding.Resources[1]).toEqual({ Type: type, Id: id, Partition: 'aws', Region: 'us-east-1' });
  });

  it.each<[Principal['kind'], string, string]>([
    ['user', `arn:aws:iam::${ACCOUNT}:user/ops/alice`, 'AwsIamUser'],
    ['role', `arn:aws:iam::${ACCOUNT}:role/Operators`, 'AwsIamRole'],
    ['root', `arn:aws:iam::${ACCOUNT}:root`, 'Other'],
    ['federated-user', `arn:aws:sts::${ACCOUNT}:federated-user/bob`, 'Other'],
    ['other', 'AWSService', 'Other'],
  ])('principal of kind %s is a resource of its ARN', (kind, arn, type) => {
    // Act
    const finding = buildSessionFinding({
      command: command({ principal: { ...rolePrincipal, kind, arn } }),
      decision: ranAsSsmUser,
      platform: 'Linux',
    });

    // Assess
    expect(finding.Resources.at(-1)).toEqual({ Type: type, Id: arn, Partition: 'aws', Region: 'us-east-1' });
    expect(finding.ProductFields['RunAs/Principal']).toBe(arn);
  });

  it('builds aws-cn ARNs in a China Region', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({
        region: 'cn-north-1',
        partition: 'aws-cn',
        principal: { ...rolePrincipal, arn: `arn:aws-cn:iam::${ACCOUNT}:role/Operators` },
      }),
      decision: ranAsSsmUser,
      platform: 'Linux',
    });

    // Assess
    expect(finding.Id).toBe(`${ACCOUNT}/cn-north-1/ssm-runas/session/alice-0a1b2c3d4e5f6a7b8`);
    expect(finding.ProductArn).toBe(
      `arn:aws-cn:securityhub:cn-north-1:${ACCOUNT}:product/${ACCOUNT}/default`,
    );
    expect(finding.Resources.map((r) => r.Id)).toEqual([
      `arn:aws-cn:ssm:cn-north-1:${ACCOUNT}:session/alice-0a1b2c3d4e5f6a7b8`,
      `arn:aws-cn:ec2:cn-north-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
      `arn:aws-cn:iam::${ACCOUNT}:role/Operators`,
    ]);
    expect(finding.Resources.every((r) => r.Partition === 'aws-cn' && r.Region === 'cn-north-1')).toBe(true);
  });
});
