import { describe, expect, it } from 'vitest';
import { type Known, known, type Principal, type Tags } from '../../../src/domain/facts.ts';
import {
  type Decision,
  decidePreferencesPosture,
  decidePrincipalPosture,
  decideSession,
} from '../../../src/domain/runAs.ts';
import { parseSessionDocument, type SessionDocument } from '../../../src/domain/sessionDocument.ts';
import {
  type ActiveSessionStatus,
  buildActiveSessionFinding,
  buildPreferencesFinding,
  buildPrincipalFinding,
} from '../../../src/findings/postureFinding.ts';

const ACCOUNT = '111122223333';
const T1 = '2026-03-01T13:00:00.000Z';
const T0 = '2026-02-01T09:00:00.000Z';
const change = { eventId: 'e-1', eventName: 'TagRole', eventTime: T1 };
const placement = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT } as const;
const denied = new Set(['root']);

const operators: Principal = {
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
  accountId: ACCOUNT,
  name: 'Operators',
  path: '/ops/',
  callerArn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
  accessKeyId: '',
};
const alice: Principal = {
  ...operators,
  kind: 'user',
  name: 'alice',
  path: '/',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
};

const doc = (
  inputs: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Known<SessionDocument | null> => {
  const parsed = parseSessionDocument({
    schemaVersion: '1.0',
    sessionType: 'Standard_Stream',
    inputs,
    ...extra,
  });
  if (!parsed.known) throw new Error(parsed.reason);
  return known(parsed.value);
};
const ON = doc({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
const OFF = doc({ runAsEnabled: false });

const principalDecision = (tags: Tags, preferences = ON, principal = operators): Decision =>
  decidePrincipalPosture({ preferences, principal, principalTags: known(tags), deniedUsers: denied });

describe('buildPrincipalFinding', () => {
  it('writes the principal check under its deterministic Id, with its fields and resources', () => {
    // Act
    const finding = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: principalDecision({ SSMSessionRunAs: 'root' }) },
      change,
      createdAt: T0,
    });

    // Assess
    expect(finding).toMatchObject({
      Id: `${ACCOUNT}/us-east-1/ssm-runas/principal/arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
      GeneratorId: 'ssm-runas-auditor/principal',
      Title: 'Role Operators maps to root in us-east-1',
      CreatedAt: T0,
      UpdatedAt: T1,
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      Severity: { Label: 'HIGH', Original: 'DISALLOWED_RUN_AS_USER' },
    });
    expect(finding.ProductFields).toEqual({
      'RunAs/Check': 'principal',
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
      'RunAs/ExpectedUser': 'root',
      'RunAs/ExpectedUserSource': 'principal-tag',
      'RunAs/Principal': operators.arn,
      'RunAs/PrincipalType': 'role',
      'RunAs/PrincipalName': 'Operators',
      'RunAs/Document': 'SSM-SessionManagerRunShell',
      'RunAs/ChangeEvent': 'TagRole',
      'RunAs/EventId': 'e-1',
    });
    expect(finding.Resources.map((r) => [r.Type, r.Id])).toEqual([
      ['AwsIamRole', operators.arn],
      ['Other', `arn:aws:ssm:us-east-1:${ACCOUNT}:document/SSM-SessionManagerRunShell`],
    ]);
    expect(finding.Description).toContain('on the deny list');
  });

  it.each([
    [
      'a compliant role',
      principalDecision({ SSMSessionRunAs: 'opsadmin' }),
      'Role Operators maps to opsadmin in us-east-1',
      'PASSED',
    ],
    [
      'a tag naming ssm-user',
      principalDecision({ SSMSessionRunAs: 'ssm-user' }),
      'Role Operators maps to ssm-user (passwordless sudo) in us-east-1',
      'FAILED',
    ],
    [
      'Run As off',
      principalDecision({ SSMSessionRunAs: 'opsadmin' }, OFF),
      'Run As is off in us-east-1: shell sessions of role Operators run as ssm-user',
      'FAILED',
    ],
    [
      'an unsafe tag',
      principalDecision({ SSMSessionRunAs: '$(id)' }),
      'Role Operators maps to an unsafe user name in us-east-1',
      'FAILED',
    ],
    [
      'no tag and no default',
      principalDecision({}, doc({ runAsEnabled: true })),
      'Role Operators has no Run As user in us-east-1: its sessions are refused',
      'WARNING',
    ],
    [
      'an invalid runAsEnabled',
      principalDecision({}, doc({ runAsEnabled: 'yes' })),
      'Sessions of role Operators fail in us-east-1: SSM-SessionManagerRunShell has an invalid Run As setting',
      'FAILED',
    ],
    [
      'unreadable tags',
      decidePrincipalPosture({
        preferences: ON,
        principal: alice,
        principalTags: { known: false, reason: 'AccessDenied' },
        deniedUsers: denied,
      }),
      'Run As user of user alice in us-east-1 cannot be verified',
      'NOT_AVAILABLE',
    ],
  ])('titles %s in words', (_name, decision, title, status) => {
    const principal = decision.path.join(' ').includes('alice') ? alice : operators;

    const finding = buildPrincipalFinding({
      ...placement,
      principal,
      posture: { exists: true, decision },
      change,
    });

    expect(finding.Title).toBe(title);
    expect(finding.Compliance.Status).toBe(status);
  });

  it('archives the finding of a deleted principal, keeping CreatedAt', () => {
    const finding = buildPrincipalFinding({
      ...placement,
      principal: alice,
      posture: { exists: false },
      change: { ...change, eventName: 'DeleteUser' },
      createdAt: T0,
    });

    expect(finding).toMatchObject({
      RecordState: 'ARCHIVED',
      Title: 'User alice was deleted: its Run As mapping no longer applies',
      Severity: { Label: 'INFORMATIONAL' },
      CreatedAt: T0,
      UpdatedAt: T1,
    });
    expect(finding.Resources.map((r) => r.Type)).toEqual(['AwsIamUser']);
    expect(finding.ProductFields['RunAs/PrincipalName']).toBe('alice');
  });
});

describe('buildPreferencesFinding', () => {
  const decide = (name: string, document: Known<SessionDocument | null>): Decision =>
    decidePreferencesPosture({ documentName: name, document, deniedUsers: denied });
  const PREFS = 'SSM-SessionManagerRunShell';

  it.each([
    [PREFS, OFF, 'Run As is off in us-east-1: every shell session runs as ssm-user', 'HIGH'],
    [PREFS, known(null), 'Run As is off in us-east-1: every shell session runs as ssm-user', 'HIGH'],
    [
      'RunAsOff-Shell',
      OFF,
      'Run As is off in document RunAsOff-Shell (us-east-1): its shell sessions run as ssm-user',
      'HIGH',
    ],
    [
      PREFS,
      doc({ runAsEnabled: true, runAsDefaultUser: 'ssm-user' }),
      'Default Run As user is ssm-user in us-east-1: untagged principals get passwordless sudo',
      'HIGH',
    ],
    [
      PREFS,
      doc({ runAsEnabled: true, runAsDefaultUser: 'root' }),
      'Default Run As user root is denied in us-east-1',
      'HIGH',
    ],
    [
      PREFS,
      doc({ runAsEnabled: true, runAsDefaultUser: 'a;b' }),
      'Default Run As user in us-east-1 is not a safe user name',
      'HIGH',
    ],
    [
      PREFS,
      doc({ runAsEnabled: true }),
      'Run As has no default user in us-east-1: sessions of untagged principals are refused',
      'LOW',
    ],
    [
      PREFS,
      doc({ runAsEnabled: 'yes' }),
      'Invalid Run As setting in us-east-1: every session using it fails',
      'MEDIUM',
    ],
    [PREFS, ON, 'Run As is on in us-east-1 with default user ec2-user', 'INFORMATIONAL'],
    [
      'TailAgentLog',
      (() => {
        const parsed = parseSessionDocument({
          schemaVersion: '1.0',
          sessionType: 'InteractiveCommands',
          properties: { linux: { commands: 'tail -f x', runAsElevated: true } },
        });
        if (!parsed.known) throw new Error(parsed.reason);
        return known(parsed.value);
      })(),
      'Document TailAgentLog runs its commands as root (runAsElevated) in us-east-1',
      'HIGH',
    ],
  ])('titles %s (%#) in words', (name, document, title, severity) => {
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: name,
      posture: { exists: true, decision: decide(name, document) },
      change,
    });

    expect(finding.Title).toBe(title);
    expect(finding.Severity.Label).toBe(severity);
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/preferences/${name}`);
    expect(finding.GeneratorId).toBe('ssm-runas-auditor/preferences');
  });

  it('says when $LATEST differs in Run As settings', () => {
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: PREFS,
      posture: {
        exists: true,
        decision: decide(PREFS, ON),
        versions: {
          defaultVersion: '1',
          latestVersion: '2',
          latest: { decision: decide(PREFS, OFF), settings: 'runAsEnabled false' },
        },
      },
      change,
    });

    expect(finding.Title).toBe(
      'Run As is on in us-east-1 with default user ec2-user ($LATEST version 2 differs)',
    );
    expect(finding.Description).toContain(
      'Session Manager runs the default version (1). $LATEST (version 2) differs in Run As settings (runAsEnabled false): as the default it would give RAN_AS_SSM_USER.',
    );
    expect(finding.ProductFields).toMatchObject({
      'RunAs/DefaultVersion': '1',
      'RunAs/LatestVersion': '2',
      'RunAs/LatestOutcome': 'RAN_AS_SSM_USER',
    });
  });

  it('leaves version fields out when versions are not known', () => {
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: PREFS,
      posture: { exists: true, decision: decide(PREFS, OFF) },
      change,
    });

    expect(finding.ProductFields).not.toHaveProperty('RunAs/LatestOutcome');
    expect(finding.ProductFields).not.toHaveProperty('RunAs/DefaultVersion');
  });

  it('archives the finding of a deleted document, keeping CreatedAt', () => {
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: 'RootDefault-Shell',
      posture: { exists: false },
      change: { ...change, eventName: 'DeleteDocument' },
      createdAt: T0,
    });

    expect(finding).toMatchObject({
      RecordState: 'ARCHIVED',
      Title: 'Document RootDefault-Shell was deleted in us-east-1',
      CreatedAt: T0,
      UpdatedAt: T1,
      Resources: [{ Type: 'Other', Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/RootDefault-Shell` }],
    });
  });
});

describe('buildActiveSessionFinding', () => {
  const sessionDecision = (tags: Tags): Decision =>
    decideSession({
      target: 'i-0a1b2c3d4e5f60001',
      platform: known('Linux'),
      documentName: 'SSM-SessionManagerRunShell',
      document: ON,
      preferences: ON,
      parameters: {},
      principal: alice,
      principalTags: known(tags),
      sessionTags: { status: 'not-a-role-session' },
      deniedUsers: denied,
    });

  const build = (
    status: ActiveSessionStatus,
    sessionUser: string,
    decision = sessionDecision({ SSMSessionRunAs: 'bob' }),
  ) =>
    buildActiveSessionFinding({
      ...placement,
      sessionId: 'alice-0a1b2c3d4e5f6a7b8',
      target: 'i-0a1b2c3d4e5f60001',
      owner: alice.arn,
      documentName: 'SSM-SessionManagerRunShell',
      platform: 'Linux',
      principal: alice,
      sessionUser,
      decision,
      status,
      ...(status === 'termination-failed' ? { terminationError: 'AccessDeniedException' } : {}),
      deniedUsers: denied,
      change: { ...change, eventName: 'TagUser' },
      createdAt: T0,
    });

  it('writes the active-session check with the session, node and principal as resources', () => {
    const finding = build('stale', 'alice');

    expect(finding).toMatchObject({
      Id: `${ACCOUNT}/us-east-1/ssm-runas/active-session/alice-0a1b2c3d4e5f6a7b8`,
      GeneratorId: 'ssm-runas-auditor/active-session',
      Title: 'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed to bob',
      CreatedAt: T0,
      UpdatedAt: T1,
    });
    expect(finding.Resources.map((r) => r.Type)).toEqual(['Other', 'AwsEc2Instance', 'AwsIamUser']);
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Check': 'active-session',
      'RunAs/Outcome': 'COMPLIANT',
      'RunAs/SessionUser': 'alice',
      'RunAs/ExpectedUser': 'bob',
      'RunAs/SessionId': 'alice-0a1b2c3d4e5f6a7b8',
      'RunAs/SessionOwner': alice.arn,
      'RunAs/Terminated': 'false',
      'RunAs/ChangeEvent': 'TagUser',
    });
    expect(finding.Remediation?.Recommendation.Text).toContain('TERMINATE_STALE_SESSIONS');
  });

  it.each<[ActiveSessionStatus, string, string, string, string]>([
    ['stale', 'alice', 'FAILED', 'MEDIUM', 'false'],
    ['stale', 'ssm-user', 'FAILED', 'HIGH', 'false'],
    ['termination-failed', 'alice', 'FAILED', 'MEDIUM', 'failed'],
    ['terminated', 'ssm-user', 'PASSED', 'INFORMATIONAL', 'true'],
    ['matches', 'bob', 'PASSED', 'INFORMATIONAL', 'false'],
  ])('rates a %s session running as %s: %s %s', (status, user, compliance, severity, terminated) => {
    const finding = build(status, user);

    expect(finding.Compliance.Status).toBe(compliance);
    expect(finding.Severity.Label).toBe(severity);
    expect(finding.FindingProviderFields.Severity.Label).toBe(severity);
    expect(finding.ProductFields['RunAs/Terminated']).toBe(terminated);
  });

  it.each([
    ['stale', 'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed to bob'],
    [
      'terminated',
      'Session alice-0a1b2c3d4e5f6a7b8 was terminated: it ran as alice after the mapping changed to bob',
    ],
    [
      'termination-failed',
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed to bob; terminating it failed',
    ],
  ] as const)('titles a %s session', (status, title) => {
    expect(build(status, 'alice').Title).toBe(title);
  });

  it('names the new user, says when new sessions are refused, and never echoes an unsafe name', () => {
    const untagged = build('stale', 'alice', sessionDecision({}));
    const noDefault = decideSession({
      target: 'i-0a1b2c3d4e5f60001',
      platform: known('Linux'),
      documentName: 'SSM-SessionManagerRunShell',
      document: doc({ runAsEnabled: true }),
      preferences: doc({ runAsEnabled: true }),
      parameters: {},
      principal: alice,
      principalTags: known({}),
      sessionTags: { status: 'not-a-role-session' },
      deniedUsers: denied,
    });

    expect(untagged.Title).toBe(
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed to ec2-user',
    );
    expect(build('stale', 'alice', noDefault).Title).toBe(
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed: new sessions are refused',
    );
    expect(build('stale', 'alice', sessionDecision({ SSMSessionRunAs: 'x;reboot' })).Title).toBe(
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as alice after the mapping changed to an unsafe user name, which is refused',
    );
    expect(build('termination-failed', 'alice').Description).toContain('AccessDeniedException');
  });
});
