import { describe, expect, it } from 'vitest';
import { buildPrincipalFinding } from '../../../src/findings/principalFinding.ts';
import { PREFS_OFF, PREFS_ON, PREFS_ON_NO_DEFAULT, read, shellContent } from '../domain/runAsFixtures.ts';
import { HIDDEN, shownTexts } from './builders.ts';
import { ACCOUNT, alice, change, operators, placement, principalPosture, T0, T1 } from './changeBuilders.ts';

describe('buildPrincipalFinding', () => {
  it('writes the principal check under its deterministic Id, with its fields and resources', () => {
    // Act
    const finding = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: principalPosture({ SSMSessionRunAs: 'root' }) },
      change,
      createdAt: T0,
    });

    // Assess
    expect(finding).toMatchObject({
      Id: `${ACCOUNT}/us-east-1/ssm-runas/principal/${operators.arn}`,
      GeneratorId: 'ssm-runas-auditor/principal',
      Title: 'Role Operators maps to "root" in us-east-1',
      CreatedAt: T0,
      UpdatedAt: T1,
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
      'RunAs/DocumentVersion': '1',
      'RunAs/JudgedVersion': '$LATEST',
      'RunAs/EventId': 'e-1',
      'RunAs/ChangeEvent': 'TagRole',
    });
    expect(finding.Resources.map((r) => r.Type)).toEqual(['AwsIamRole', 'Other']);
  });

  it.each([
    [{ SSMSessionRunAs: 'opsadmin' }, read(PREFS_ON), 'Role Operators maps to "opsadmin" in us-east-1'],
    [
      { SSMSessionRunAs: 'ssm-user' },
      read(PREFS_ON),
      'Role Operators maps to ssm-user (passwordless sudo when the agent created it) in us-east-1',
    ],
    [
      { SSMSessionRunAs: 'opsadmin' },
      read(PREFS_OFF),
      'Run As is off in us-east-1: shell sessions of role Operators run as ssm-user',
    ],
    [
      { SSMSessionRunAs: '$(id)' },
      read(PREFS_ON),
      'Role Operators maps to a value that is not a safe user name in us-east-1',
    ],
    [
      {},
      read(PREFS_ON_NO_DEFAULT),
      'Role Operators has no Run As user in us-east-1: its sessions are refused',
    ],
    [
      {},
      read(shellContent({ runAsEnabled: 'yes' })),
      'Sessions of role Operators fail in us-east-1: SSM-SessionManagerRunShell has an invalid Run As setting',
    ],
    [
      { SSMSessionRunAs: 'alice' },
      read(shellContent({ runAsEnabled: true, shellProfile: { linux: 'sudo -i' } })),
      'Role Operators maps to "alice" in us-east-1, but the shell profile switches user',
    ],
  ] as const)('titles %j under the preferences', (tags, preferences, title) => {
    // Act
    const finding = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: principalPosture(tags, preferences) },
      change,
    });

    // Assess
    expect(finding.Title).toBe(title);
    for (const text of shownTexts(finding)) expect(text).not.toMatch(HIDDEN);
  });

  it('says in the title when the other version of the preferences differs', () => {
    // Act
    const decision = principalPosture({ SSMSessionRunAs: 'opsadmin' }, read(PREFS_OFF, '2'));
    const withOther = {
      ...decision,
      otherVersion: { label: '$DEFAULT', version: '1', outcome: 'COMPLIANT', expectedUser: 'opsadmin' },
    } as const;
    const finding = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: withOther },
      change,
    });

    // Assess
    expect(finding.Title).toBe(
      'Run As is off in us-east-1: shell sessions of role Operators run as ssm-user ($DEFAULT version 1 differs)',
    );
    expect(finding.ProductFields).toMatchObject({
      'RunAs/OtherVersion': '1',
      'RunAs/OtherVersionOutcome': 'COMPLIANT',
    });
  });

  it('archives the finding of a deleted principal, keeping CreatedAt', () => {
    // Act
    const finding = buildPrincipalFinding({
      ...placement,
      principal: alice,
      posture: { exists: false },
      change: { ...change, eventName: 'DeleteUser' },
      createdAt: T0,
    });

    // Assess
    expect(finding).toMatchObject({
      Title: 'User alice was deleted: its Run As mapping no longer applies',
      RecordState: 'ARCHIVED',
      CreatedAt: T0,
      UpdatedAt: T1,
    });
    expect(finding.ProductFields['RunAs/PrincipalName']).toBe('alice');
  });

  it('keeps FirstObservedAt at the first observation across updates; LastObservedAt moves', () => {
    // Prepare
    const first = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: principalPosture({ SSMSessionRunAs: 'root' }) },
      change: { ...change, eventTime: T0 },
    });

    // Act: a later change re-imports the finding with the CreatedAt Security Hub holds.
    const updated = buildPrincipalFinding({
      ...placement,
      principal: operators,
      posture: { exists: true, decision: principalPosture({ SSMSessionRunAs: 'ssm-user' }) },
      change,
      createdAt: first.CreatedAt,
    });

    // Assess
    expect(first).toMatchObject({ CreatedAt: T0, FirstObservedAt: T0, LastObservedAt: T0 });
    expect(updated).toMatchObject({ CreatedAt: T0, FirstObservedAt: T0, UpdatedAt: T1, LastObservedAt: T1 });
  });
});
