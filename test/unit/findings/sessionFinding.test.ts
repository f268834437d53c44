import { describe, expect, it } from 'vitest';
import { known } from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import type { SessionFacts } from '../../../src/domain/runAs.ts';
import { buildSessionFinding } from '../../../src/findings/sessionFinding.ts';
import {
  commandContent,
  iamUser,
  named,
  nodeWith,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portContent,
  prefs,
  read,
  runAsTag,
  shellContent,
} from '../domain/runAsFixtures.ts';
import {
  ACCOUNT,
  command,
  decisionFor,
  HIDDEN,
  rolePrincipal,
  shownTexts,
  stringsOf,
  TYPE,
} from './builders.ts';

describe('buildSessionFinding: a RAN_AS_SSM_USER session, field by field', () => {
  const decision = decisionFor({
    ...prefs(PREFS_OFF),
    document: read(PREFS_OFF, '2'),
    otherVersion: read(PREFS_ON, '1'),
  });
  const finding = buildSessionFinding({ command: command(), decision, platform: 'Linux' });

  it('has the identity fields', () => {
    // Assess
    expect(finding.SchemaVersion).toBe('2018-10-08');
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/session/alice-0a1b2c3d4e5f6a7b8`);
    expect(finding.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(finding.GeneratorId).toBe('ssm-runas-auditor/session');
    expect(finding.RecordState).toBe('ACTIVE');
  });

  it('takes every time from the event', () => {
    // Assess
    expect([finding.CreatedAt, finding.UpdatedAt, finding.FirstObservedAt, finding.LastObservedAt]).toEqual(
      Array(4).fill('2026-03-01T10:00:00.000Z'),
    );
  });

  it('rates the outcome, also under FindingProviderFields', () => {
    // Assess
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'RAN_AS_SSM_USER' });
    expect(finding.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH', Original: 'RAN_AS_SSM_USER' },
      Types: [TYPE],
    });
    expect(finding.Compliance).toEqual({ Status: 'FAILED' });
  });

  it('says what happened, the decision path, what the other version would give, and the fix', () => {
    // Assess
    expect(finding.Title).toBe(
      'Session ran as ssm-user (passwordless sudo when the agent created it) on i-0123456789abcdef0 by role Operators',
    );
    expect(finding.Description).toBe(
      'Node i-0123456789abcdef0 runs Linux. Judged: document "SSM-SessionManagerRunShell" version "2" ($LATEST). ' +
        'Document "SSM-SessionManagerRunShell": runAsEnabled is false, so Run As is off: sessions run as ssm-user, which has passwordless sudo when the agent created it. ' +
        '$DEFAULT (version "1") has other Run As settings: judged by it, this would be COMPLIANT with user "ec2-user". ' +
        "Fix: Set runAsEnabled to true in the session's settings document (normally SSM-SessionManagerRunShell) and tag each principal with SSMSessionRunAs.",
    );
  });

  it('has the product fields users filter on, the version judged and the other version', () => {
    // Assess
    expect(finding.ProductFields).toEqual({
      'RunAs/Check': 'session',
      'RunAs/Outcome': 'RAN_AS_SSM_USER',
      'RunAs/ExpectedUser': 'ssm-user',
      'RunAs/ExpectedUserSource': 'none',
      'RunAs/SessionUser': 'ssm-user',
      'RunAs/SessionId': 'alice-0a1b2c3d4e5f6a7b8',
      'RunAs/SessionTags': 'none',
      'RunAs/Principal': `arn:aws:iam::${ACCOUNT}:role/Operators`,
      'RunAs/CallerArn': `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
      'RunAs/Target': 'i-0123456789abcdef0',
      'RunAs/Platform': 'Linux',
      'RunAs/Document': 'SSM-SessionManagerRunShell',
      'RunAs/DocumentVersion': '2',
      'RunAs/JudgedVersion': '$LATEST',
      'RunAs/OtherVersion': '1',
      'RunAs/OtherVersionOutcome': 'COMPLIANT',
      'RunAs/UserVerified': 'false',
      'RunAs/EventId': '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      'RunAs/Evidence': 'computed',
    });
  });

  it('lists the session, the node and the role as resources', () => {
    // Assess
    expect(finding.Resources.map((r) => [r.Type, r.Id])).toEqual([
      ['Other', `arn:aws:ssm:us-east-1:${ACCOUNT}:session/alice-0a1b2c3d4e5f6a7b8`],
      ['AwsEc2Instance', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
      ['AwsIamRole', `arn:aws:iam::${ACCOUNT}:role/Operators`],
    ]);
  });
});

describe('buildSessionFinding: titles per outcome', () => {
  const user = (value: string, patch: Partial<SessionFacts> = {}): Partial<SessionFacts> => ({
    principal: iamUser(),
    principalTags: runAsTag(value),
    ...patch,
  });
  it.each<[Outcome, Partial<SessionFacts>, string]>([
    ['COMPLIANT', user('alice'), 'Session ran as "alice" on i-0123456789abcdef0 by role Operators'],
    [
      'COMPLIANT',
      user('1000', { nodeUsers: nodeWith({ name: 'ec2-user', uid: 1000, gid: 1000 }) }),
      'Session ran as "ec2-user" on i-0123456789abcdef0 by role Operators',
    ],
    [
      'SSH_TUNNEL',
      named(portContent('22'), 'Tunnel'),
      'SSH tunnel to i-0123456789abcdef0 by role Operators: Run As is bypassed, the SSH login decides the user',
    ],
    [
      'SHELL_PROFILE_ESCALATION',
      user('alice', prefs(shellContent({ runAsEnabled: true, shellProfile: { linux: 'sudo su -' } }))),
      'Session on i-0123456789abcdef0 by role Operators started as "alice", then its shell profile switched user',
    ],
    [
      'RAN_AS_ROOT',
      named(commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } })),
      'Session ran as root (runAsElevated) on i-0123456789abcdef0 by role Operators',
    ],
    [
      'NO_RUN_AS_USER',
      prefs(PREFS_ON_NO_DEFAULT),
      'Session refused: no Run As user for role Operators on i-0123456789abcdef0',
    ],
    [
      'INVALID_RUN_AS_USER',
      user('$(id)'),
      'Run As user of session on i-0123456789abcdef0 by role Operators is not a safe user name',
    ],
    [
      'INVALID_RUN_AS_USER',
      user(' alice'),
      'Run As user of session on i-0123456789abcdef0 by role Operators is not a safe user name; it ran as "alice"',
    ],
    [
      'DISALLOWED_RUN_AS_USER',
      user('root'),
      'Session refused: denied Run As user "root" for role Operators on i-0123456789abcdef0',
    ],
    [
      'DISALLOWED_RUN_AS_USER',
      user('alice', { deniedUsers: new Set(['alice']) }),
      'Session ran as denied user "alice" on i-0123456789abcdef0 by role Operators',
    ],
    [
      'MISSING_RUN_AS_USER',
      user('carol'),
      'Session refused: Run As user "carol" does not exist on i-0123456789abcdef0 (role Operators)',
    ],
    [
      'INVALID_PREFERENCES',
      named(shellContent({ runAsEnabled: 'yes' })),
      'Session failed: invalid runAsEnabled in "Custom-Shell" on i-0123456789abcdef0 by role Operators',
    ],
    [
      'UNVERIFIED',
      { platform: known(null) },
      'Run As user unverified for session on i-0123456789abcdef0 by role Operators',
    ],
    [
      'NOT_APPLICABLE',
      named(portContent('80'), 'Tunnel'),
      'Run As does not apply to session on i-0123456789abcdef0 by role Operators',
    ],
  ])('%s: %s', (outcome, patch, title) => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decisionFor(patch),
      platform: 'Linux',
    });

    // Assess
    expect(finding.ProductFields['RunAs/Outcome']).toBe(outcome);
    expect(finding.Title).toBe(title);
  });

  it('names a failed call and a Windows node', () => {
    // Act
    const failed = buildSessionFinding({
      command: command({ errorCode: 'AccessDenied' }),
      decision: decisionFor({ errorCode: 'AccessDenied' }),
      platform: 'unknown',
    });
    const windows = buildSessionFinding({
      command: command(),
      decision: decisionFor({ platform: known('Windows') }),
      platform: 'Windows',
    });

    // Assess
    expect(failed.Title).toBe(
      'StartSession failed ("AccessDenied") for i-0123456789abcdef0 by role Operators',
    );
    expect(windows.Title).toBe(
      'Session on Windows node i-0123456789abcdef0 by role Operators: no Run As on Windows',
    );
    expect(windows.Remediation?.Recommendation.Text).toMatch(/local administrators/);
  });

  it('gives a COMPLIANT finding a remediation that says nothing is needed', () => {
    // Act
    const finding = buildSessionFinding({ command: command(), decision: decisionFor(), platform: 'Linux' });

    // Assess
    expect(finding.Remediation?.Recommendation.Text).toBe('No change needed.');
  });
});

describe('buildSessionFinding: hostile values never reach Title or Description', () => {
  const hostile = [
    '$(id)',
    'alice;reboot',
    'bob\n\u001b[2J',
    'al\u200bice',
    '\u202eresu-mss',
    'x`reboot`',
    'a"b',
  ];

  it.each(hostile)('a tag %j', (value) => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decisionFor({ principalTags: runAsTag(value) }),
      platform: 'Linux',
    });

    // Assess
    for (const text of shownTexts(finding)) {
      expect(text).not.toContain(value);
      expect(text).not.toMatch(HIDDEN);
    }
    expect(finding.Title).toContain('is not a safe user name');
    // The exact value stays in ProductFields, escaped so it cannot break or reorder a line.
    expect(stringsOf(finding.ProductFields).some((field) => HIDDEN.test(field))).toBe(false);
  });

  it.each(hostile)('a default user %j in a document', (value) => {
    // Act
    const finding = buildSessionFinding({
      command: command(),
      decision: decisionFor(prefs(shellContent({ runAsEnabled: true, runAsDefaultUser: value }))),
      platform: 'Linux',
    });

    // Assess
    for (const text of shownTexts(finding)) {
      expect(text).not.toContain(value);
      expect(text).not.toMatch(HIDDEN);
    }
  });

  it('quotes and cleans an error code, a document name and an unrecognised identity', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({
        errorCode: 'Denied\u200b$(id)',
        documentName: 'Odd\u202eName',
        principal: { ...rolePrincipal, kind: 'other', arn: 'IdentityCenterUser', name: 'eve\u2066x' },
      }),
      decision: decisionFor({ errorCode: 'Denied\u200b$(id)' }),
      platform: 'unknown',
    });

    // Assess
    expect(finding.Title).toBe(
      'StartSession failed ("Denied$(id)") for i-0123456789abcdef0 by principal "evex"',
    );
    for (const text of shownTexts(finding)) expect(text).not.toMatch(HIDDEN);
  });

  it('shows a 400-character target quoted and cut; the exact value is in ProductFields', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({ target: `ecs:${'c'.repeat(396)}` }),
      decision: decisionFor({ target: 'ecs:x' }),
      platform: 'unknown',
    });

    // Assess
    expect(finding.Title).toBe(
      `Run As does not apply to session on "ecs:${'c'.repeat(60)}…" by role Operators`,
    );
    expect(finding.ProductFields['RunAs/Target']).toBe(`ecs:${'c'.repeat(396)}`);
  });
});

describe('buildSessionFinding: identity, times and resources', () => {
  it('is keyed by the CloudTrail eventID when there is no session id, with no session resource', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({ sessionId: null }),
      decision: decisionFor(),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/session/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b`);
    expect(finding.Resources.map((r) => r.Type)).toEqual(['AwsEc2Instance', 'AwsIamRole']);
    expect(finding.ProductFields).not.toHaveProperty('RunAs/SessionId');
  });

  it("keeps an existing finding's CreatedAt, never after UpdatedAt", () => {
    // Act
    const kept = buildSessionFinding({
      command: command(),
      decision: decisionFor(),
      platform: 'Linux',
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    const later = buildSessionFinding({
      command: command(),
      decision: decisionFor(),
      platform: 'Linux',
      createdAt: '2026-05-01T00:00:00.000Z',
    });

    // Assess
    expect(kept.CreatedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(later.CreatedAt).toBe(later.UpdatedAt);
  });

  it.each([
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
      decision: decisionFor({ target }),
      platform: 'Linux',
    });

    // Assess
    expect(finding.Resources[1]).toEqual({ Type: type, Id: id, Partition: 'aws', Region: 'us-east-1' });
  });

  it('builds aws-cn ARNs in a China Region', () => {
    // Act
    const finding = buildSessionFinding({
      command: command({
        region: 'cn-north-1',
        partition: 'aws-cn',
        principal: { ...rolePrincipal, arn: `arn:aws-cn:iam::${ACCOUNT}:role/Operators` },
      }),
      decision: decisionFor(),
      platform: 'Linux',
    });

    // Assess
    expect(finding.ProductArn).toBe(
      `arn:aws-cn:securityhub:cn-north-1:${ACCOUNT}:product/${ACCOUNT}/default`,
    );
    expect(
      finding.Resources.every(
        (r) => r.Partition === 'aws-cn' && r.Region === 'cn-north-1' && r.Id.startsWith('arn:aws-cn:'),
      ),
    ).toBe(true);
  });
});
