import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import {
  type ActiveSessionStatus,
  buildActiveSessionFinding,
} from '../../../src/findings/activeSessionFinding.ts';
import { PREFS_ON_NO_DEFAULT, read } from '../domain/runAsFixtures.ts';
import { ACCOUNT, alice, change, placement, principalPosture, T0, T1 } from './changeBuilders.ts';

const build = (
  status: ActiveSessionStatus,
  sessionUser: string,
  startedOutcome: Outcome = 'COMPLIANT',
  decision: Decision = principalPosture({ SSMSessionRunAs: 'bob' }, undefined, alice),
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
    startedOutcome,
    decision: { ...decision, sessionUser: decision.outcome === 'COMPLIANT' ? decision.expectedUser : '' },
    status,
    ...(status === 'termination-failed' ? { terminationError: 'AccessDeniedException' } : {}),
    change: { ...change, eventName: 'TagUser' },
    createdAt: T0,
  });

describe('buildActiveSessionFinding', () => {
  it('carries the outcome the session started with, and what a new session would get', () => {
    // Act
    const finding = build('stale', 'ssm-user', 'RAN_AS_SSM_USER');

    // Assess
    expect(finding).toMatchObject({
      Id: `${ACCOUNT}/us-east-1/ssm-runas/active-session/alice-0a1b2c3d4e5f6a7b8`,
      GeneratorId: 'ssm-runas-auditor/active-session',
      Title: 'Session alice-0a1b2c3d4e5f6a7b8 still runs as "ssm-user" after the mapping changed to "bob"',
      CreatedAt: T0,
      UpdatedAt: T1,
      Severity: { Label: 'HIGH', Original: 'RAN_AS_SSM_USER' },
      Compliance: { Status: 'FAILED' },
    });
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Check': 'active-session',
      'RunAs/Outcome': 'RAN_AS_SSM_USER',
      'RunAs/SessionUser': 'ssm-user',
      'RunAs/ExpectedUser': 'bob',
      'RunAs/SessionOwner': alice.arn,
      'RunAs/Terminated': 'false',
      'RunAs/ChangeEvent': 'TagUser',
      // The preferences a new session would get were read at their judged version.
      'RunAs/DocumentVersion': '1',
      'RunAs/JudgedVersion': '$LATEST',
    });
    expect(finding.Resources.map((r) => r.Type)).toEqual(['Other', 'AwsEc2Instance', 'AwsIamUser']);
  });

  it.each<[ActiveSessionStatus, string, Outcome, string, string, string]>([
    ['stale', 'alice', 'COMPLIANT', 'FAILED', 'MEDIUM', 'false'],
    ['stale', 'ssm-user', 'RAN_AS_SSM_USER', 'FAILED', 'HIGH', 'false'],
    ['stale', 'root', 'DISALLOWED_RUN_AS_USER', 'FAILED', 'HIGH', 'false'],
    ['termination-failed', 'alice', 'COMPLIANT', 'FAILED', 'MEDIUM', 'failed'],
    ['terminated', 'ssm-user', 'RAN_AS_SSM_USER', 'PASSED', 'INFORMATIONAL', 'true'],
    ['matches', 'bob', 'COMPLIANT', 'PASSED', 'INFORMATIONAL', 'false'],
  ])(
    'rates a %s session running as %s (%s): %s %s',
    (status, user, started, compliance, severity, terminated) => {
      // Act
      const finding = build(status, user, started);

      // Assess
      expect(finding.ProductFields['RunAs/Outcome']).toBe(started);
      expect(finding.Compliance.Status).toBe(compliance);
      expect(finding.Severity.Label).toBe(severity);
      expect(finding.FindingProviderFields.Severity.Label).toBe(severity);
      expect(finding.ProductFields['RunAs/Terminated']).toBe(terminated);
    },
  );

  it('names the new user, says when new sessions are refused, and never echoes an unsafe name', () => {
    // Act
    const refused = build(
      'stale',
      'alice',
      'COMPLIANT',
      principalPosture({}, read(PREFS_ON_NO_DEFAULT), alice),
    );
    const unsafe = build(
      'stale',
      'alice',
      'COMPLIANT',
      principalPosture({ SSMSessionRunAs: 'x;reboot' }, undefined, alice),
    );

    // Assess
    expect(refused.Title).toBe(
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as "alice" after the mapping changed: new sessions are refused',
    );
    expect(unsafe.Title).toBe(
      'Session alice-0a1b2c3d4e5f6a7b8 still runs as "alice" after the mapping changed to a value that is not a safe user name, which is refused',
    );
    expect(build('termination-failed', 'alice').Description).toContain('"AccessDeniedException"');
  });
});
