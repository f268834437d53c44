import { describe, expect, it } from 'vitest';
import type { ChangeSettings } from '../../../src/app/postureResult.ts';
import { principalChange } from '../../../src/app/principalChange.ts';
import { known, type Principal } from '../../../src/domain/facts.ts';
import { decidePrincipalPosture } from '../../../src/domain/posture.ts';
import type { PrincipalChangeCommand } from '../../../src/events/principalChange.ts';
import { findingId } from '../../../src/findings/findingId.ts';
import { buildPrincipalFinding } from '../../../src/findings/principalFinding.ts';
import {
  ACCOUNT,
  addPrincipal,
  document,
  type FakeWorld,
  fakePorts,
  held,
  newRegion,
  newWorld,
  openSession,
  RUN_AS_OFF,
  RUN_AS_ON,
  role,
  seed,
  user,
} from './changeFakes.ts';

const T1 = '2026-03-01T13:00:00.000Z';
const T2 = '2026-03-01T13:05:00.000Z';
const OPERATORS = role('Operators', '/ops/');
const OPERATORS_ID = findingId(ACCOUNT, 'us-east-1', 'principal', OPERATORS.arn);
const ALICE = user('alice');

const settings = (overrides: Partial<ChangeSettings> = {}): ChangeSettings => ({
  deniedRunAsUsers: new Set(['root']),
  auditedRegions: ['us-east-1'],
  terminateStaleSessions: false,
  sessionDocumentVersion: '$LATEST',
  ...overrides,
});

/** The event as CloudTrail gives it: a tag event names the role without its path. */
const command = (overrides: Partial<PrincipalChangeCommand> = {}): PrincipalChangeCommand => ({
  eventId: 'e0000000-0000-4000-8000-000000000001',
  eventTime: T1,
  eventName: 'TagRole',
  accountId: ACCOUNT,
  partition: 'aws',
  principal: role('Operators'),
  pathKnown: false,
  runAsTagInvolved: true,
  runAsValue: 'ec2-user',
  deleted: false,
  changedBy: `arn:aws:iam::${ACCOUNT}:user/admin`,
  ...overrides,
});

const world = (regions: Record<string, unknown> = { 'us-east-1': RUN_AS_ON }): FakeWorld => {
  const w = newWorld(
    Object.fromEntries(
      Object.entries(regions).map(([name, prefs]) => [
        name,
        newRegion({ 'SSM-SessionManagerRunShell': document(prefs) }),
      ]),
    ),
  );
  addPrincipal(w, OPERATORS, { SSMSessionRunAs: 'opsadmin' });
  addPrincipal(w, ALICE, { SSMSessionRunAs: 'alice' });
  return w;
};

const setTags = (w: FakeWorld, tags: Record<string, string>, principal: Principal = OPERATORS): void => {
  addPrincipal(w, principal, tags);
};

/** A principal finding an earlier change wrote. */
const seedPrincipalFinding = (w: FakeWorld, region: string, tags: Record<string, string>, at = T1): void => {
  const r = w.regions.get(region);
  if (r === undefined) throw new Error(region);
  const content = r.documents.get('SSM-SessionManagerRunShell')?.versions['1'];
  const decision = decidePrincipalPosture({
    preferences: known({
      name: 'SSM-SessionManagerRunShell',
      version: '1',
      documentType: 'Session',
      content,
    }),
    judgedVersion: '$LATEST',
    principal: OPERATORS,
    principalTags: known(tags),
    deniedUsers: new Set(['root']),
  });
  seed(
    r,
    buildPrincipalFinding({
      partition: 'aws',
      region,
      accountId: ACCOUNT,
      principal: OPERATORS,
      posture: { exists: true, decision },
      change: { eventId: 'earlier', eventName: 'TagRole', eventTime: at },
    }),
  );
};

describe('principalChange: the principal finding', () => {
  it('writes a FAILED HIGH finding, under the ARN IAM gives, when a role is tagged root', async () => {
    // Prepare
    const w = world();
    setTags(w, { SSMSessionRunAs: 'root' });

    // Act
    const evaluation = await principalChange(command(), fakePorts(w), settings());

    // Assess
    expect(evaluation).toMatchObject({
      principal: OPERATORS.arn,
      principalExists: true,
      regions: [
        { region: 'us-east-1', action: 'written', outcome: 'DISALLOWED_RUN_AS_USER', severity: 'HIGH' },
      ],
    });
    const finding = held(w.regions.get('us-east-1'), OPERATORS_ID);
    expect(finding).toMatchObject({
      Title: 'Role Operators maps to "root" in us-east-1',
      Compliance: { Status: 'FAILED' },
      Severity: { Label: 'HIGH' },
      CreatedAt: T1,
      UpdatedAt: T1,
      RecordState: 'ACTIVE',
    });
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Check': 'principal',
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
      'RunAs/Principal': OPERATORS.arn,
      'RunAs/ExpectedUser': 'root',
    });
  });

  it('re-imports the same Id as PASSED when the tag is fixed, keeping CreatedAt', async () => {
    // Prepare
    const w = world();
    setTags(w, { SSMSessionRunAs: 'root' });
    await principalChange(command(), fakePorts(w), settings());
    setTags(w, { SSMSessionRunAs: 'opsadmin' });

    // Act
    const evaluation = await principalChange(
      command({ eventId: 'e0000000-0000-4000-8000-000000000002', eventTime: T2 }),
      fakePorts(w),
      settings(),
    );

    // Assess
    expect(evaluation.regions[0]).toMatchObject({
      action: 'resolved',
      outcome: 'COMPLIANT',
      findingIds: [OPERATORS_ID],
    });
    expect(held(w.regions.get('us-east-1'), OPERATORS_ID)).toMatchObject({
      Title: 'Role Operators maps to "opsadmin" in us-east-1',
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
      CreatedAt: T1,
      UpdatedAt: T2,
    });
  });

  it('writes nothing for a compliant mapping that was never flagged', async () => {
    const w = world();

    const evaluation = await principalChange(command(), fakePorts(w), settings());

    expect(evaluation.regions[0]).toMatchObject({
      action: 'not-written',
      outcome: 'COMPLIANT',
      findingIds: [],
    });
    expect(w.regions.get('us-east-1')?.imported).toEqual([]);
  });

  it('skips a change that does not involve SSMSessionRunAs when there is no principal finding', async () => {
    const w = world();

    const evaluation = await principalChange(command({ runAsTagInvolved: false }), fakePorts(w), settings());

    expect(evaluation.regions[0]).toMatchObject({ action: 'skipped', sessions: null });
    expect(w.calls).not.toContain('tags:Operators');
    expect(w.regions.get('us-east-1')?.imported).toEqual([]);
  });

  it('re-evaluates a principal finding on a change of other tags', async () => {
    // Prepare: an earlier change flagged the role; its tag has been fixed since.
    const w = world();
    seedPrincipalFinding(w, 'us-east-1', { SSMSessionRunAs: 'root' });

    // Act
    const evaluation = await principalChange(
      command({ eventName: 'UntagRole', runAsTagInvolved: false, eventTime: T2 }),
      fakePorts(w),
      settings(),
    );

    // Assess
    expect(evaluation.regions[0]).toMatchObject({ action: 'resolved', outcome: 'COMPLIANT' });
    expect(held(w.regions.get('us-east-1'), OPERATORS_ID).Compliance.Status).toBe('PASSED');
  });

  it('imports nothing for a late, older event: Security Hub keeps the newer state', async () => {
    // Prepare: root at T1, fixed at T2, then the T1 event is delivered again.
    const w = world();
    setTags(w, { SSMSessionRunAs: 'root' });
    await principalChange(command(), fakePorts(w), settings());
    setTags(w, { SSMSessionRunAs: 'opsadmin' });
    await principalChange(command({ eventTime: T2 }), fakePorts(w), settings());
    const region = w.regions.get('us-east-1');
    const imports = region?.imported.length;

    // Act
    const evaluation = await principalChange(command(), fakePorts(w), settings());

    // Assess
    expect(evaluation.regions[0]).toMatchObject({ action: 'skipped' });
    expect(region?.imported.length).toBe(imports);
    expect(region?.imported.every((f) => Date.parse(f.CreatedAt) <= Date.parse(f.UpdatedAt))).toBe(true);
    expect(held(region, OPERATORS_ID)).toMatchObject({ UpdatedAt: T2, Compliance: { Status: 'PASSED' } });
  });

  it('decides each audited Region with its own preferences', async () => {
    // Prepare
    const w = world({ 'us-east-1': RUN_AS_ON, 'eu-west-1': RUN_AS_OFF });

    // Act
    const evaluation = await principalChange(
      command(),
      fakePorts(w),
      settings({ auditedRegions: ['us-east-1', 'eu-west-1'] }),
    );

    // Assess
    expect(evaluation.regions.map((r) => [r.region, r.action, r.outcome])).toEqual([
      ['us-east-1', 'not-written', 'COMPLIANT'],
      ['eu-west-1', 'written', 'RAN_AS_SSM_USER'],
    ]);
    const finding = held(
      w.regions.get('eu-west-1'),
      findingId(ACCOUNT, 'eu-west-1', 'principal', OPERATORS.arn),
    );
    expect(finding).toMatchObject({
      Region: 'eu-west-1',
      Title: 'Run As is off in eu-west-1: shell sessions of role Operators run as ssm-user',
      Compliance: { Status: 'FAILED' },
    });
  });

  it('uses the ARN of the existing finding when IAM cannot be asked: no second finding under a path-less ARN', async () => {
    // Prepare: a finding under the role's real ARN (path /ops/), then GetRole is denied.
    const w = world();
    seedPrincipalFinding(w, 'us-east-1', { SSMSessionRunAs: 'root' }, '2026-03-01T12:00:00.000Z');
    w.directoryUnknown = true;
    setTags(w, { SSMSessionRunAs: 'root' });

    // Act
    const evaluation = await principalChange(command(), fakePorts(w), settings());

    // Assess
    const region = w.regions.get('us-east-1');
    expect(evaluation).toMatchObject({ principalExists: null, principal: OPERATORS.arn });
    expect([...(region?.stored.keys() ?? [])].filter((id) => id.includes('/principal/'))).toEqual([
      OPERATORS_ID,
    ]);
  });

  it('uses the ARN the event built when IAM cannot be asked and no finding exists', async () => {
    const w = world();
    w.directoryUnknown = true;
    setTags(w, { SSMSessionRunAs: 'root' });

    const evaluation = await principalChange(command(), fakePorts(w), settings());

    expect(evaluation).toMatchObject({
      principalExists: null,
      principal: `arn:aws:iam::${ACCOUNT}:role/Operators`,
    });
    expect(evaluation.regions[0]?.outcome).toBe('DISALLOWED_RUN_AS_USER');
  });
});

describe('principalChange: a deleted principal', () => {
  it('archives its principal findings in every audited Region, found by name', async () => {
    // Prepare
    const w = world({ 'us-east-1': RUN_AS_ON, 'eu-west-1': RUN_AS_OFF });
    seedPrincipalFinding(w, 'us-east-1', { SSMSessionRunAs: 'root' });
    seedPrincipalFinding(w, 'eu-west-1', { SSMSessionRunAs: 'opsadmin' });
    w.principals.delete('role:operators');

    // Act
    const evaluation = await principalChange(
      command({ eventName: 'DeleteRole', runAsTagInvolved: false, deleted: true, eventTime: T2 }),
      fakePorts(w),
      settings({ auditedRegions: ['us-east-1', 'eu-west-1'] }),
    );

    // Assess
    expect(evaluation.principalExists).toBe(false);
    expect(evaluation.regions.map((r) => r.action)).toEqual(['archived', 'archived']);
    const archived = held(w.regions.get('us-east-1'), OPERATORS_ID);
    expect(archived).toMatchObject({
      RecordState: 'ARCHIVED',
      Title: 'Role Operators was deleted: its Run As mapping no longer applies',
      CreatedAt: T1,
      UpdatedAt: T2,
    });
    expect(archived.ProductFields['RunAs/Principal']).toBe(OPERATORS.arn);
  });

  it('does nothing when the deleted principal had no principal finding', async () => {
    const w = world();
    w.principals.delete('role:operators');

    const evaluation = await principalChange(
      command({ eventName: 'DeleteRole', runAsTagInvolved: false, deleted: true }),
      fakePorts(w),
      settings(),
    );

    expect(evaluation.regions[0]).toMatchObject({ action: 'skipped', sessions: null });
    expect(w.regions.get('us-east-1')?.imported).toEqual([]);
  });

  it('archives a principal deleted after a late tag event', async () => {
    // Prepare: the TagRole is delivered after the role is already gone.
    const w = world();
    seedPrincipalFinding(w, 'us-east-1', { SSMSessionRunAs: 'root' });
    w.principals.delete('role:operators');

    // Act
    const evaluation = await principalChange(command({ eventTime: T2 }), fakePorts(w), settings());

    // Assess
    expect(evaluation.regions[0]?.action).toBe('archived');
    expect(held(w.regions.get('us-east-1'), OPERATORS_ID).RecordState).toBe('ARCHIVED');
  });
});

describe('principalChange: sessions still open', () => {
  const activeId = (sessionId: string) => findingId(ACCOUNT, 'us-east-1', 'active-session', sessionId);

  it('lists a user’s sessions by Owner and a role’s by assumed-role prefix', async () => {
    // Prepare
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    region.sessions.push(
      {
        sessionId: 'ops-1',
        target: 'i-0a1b2c3d4e5f60001',
        owner: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
        startDate: T1,
      },
      {
        sessionId: 'dev-1',
        target: 'i-0a1b2c3d4e5f60001',
        owner: `arn:aws:sts::${ACCOUNT}:assumed-role/OperatorsX/bob`,
        startDate: T1,
      },
    );

    // Act
    const forRole = await principalChange(command(), fakePorts(w), settings());
    const forUser = await principalChange(
      command({ eventName: 'TagUser', principal: user('alice') }),
      fakePorts(w),
      settings(),
    );

    // Assess
    expect(region.sessionQueries).toEqual([undefined, { owner: ALICE.arn }]);
    expect(forRole.regions[0]?.sessions?.open).toBe(1);
    expect(forUser.regions[0]?.sessions?.open).toBe(0);
  });

  it('writes an active-session finding for a session still running as the old user', async () => {
    // Prepare: alice's session ran as alice; her tag is removed, so new sessions get ec2-user.
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'alice-0a1b2c3d4e5f6a7b8', principal: ALICE, sessionUser: 'alice' });
    setTags(w, {}, ALICE);

    // Act
    const evaluation = await principalChange(
      command({ eventName: 'UntagUser', principal: user('alice'), eventTime: T2 }),
      fakePorts(w),
      settings(),
    );

    // Assess
    expect(evaluation.regions[0]?.sessions).toMatchObject({
      open: 1,
      stale: ['alice-0a1b2c3d4e5f6a7b8'],
      terminated: [],
      withoutSessionFinding: [],
    });
    const finding = held(region, activeId('alice-0a1b2c3d4e5f6a7b8'));
    expect(finding).toMatchObject({
      Title: 'Session alice-0a1b2c3d4e5f6a7b8 still runs as "alice" after the mapping changed to "ec2-user"',
      Compliance: { Status: 'FAILED' },
      Severity: { Label: 'MEDIUM' },
      UpdatedAt: T2,
    });
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Check': 'active-session',
      'RunAs/SessionUser': 'alice',
      'RunAs/ExpectedUser': 'ec2-user',
      'RunAs/Terminated': 'false',
    });
    expect(region.terminated).toEqual([]);
  });

  it('rates HIGH a session that keeps ssm-user after the mapping moved away from it', async () => {
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    const sam = user('sam');
    addPrincipal(w, sam, { SSMSessionRunAs: 'sam' });
    openSession(region, {
      sessionId: 'sam-1',
      principal: sam,
      sessionUser: 'ssm-user',
      outcome: 'RAN_AS_SSM_USER',
    });

    await principalChange(
      command({ eventName: 'TagUser', principal: user('sam') }),
      fakePorts(w),
      settings(),
    );

    expect(held(region, activeId('sam-1'))).toMatchObject({
      Title: 'Session sam-1 still runs as "ssm-user" after the mapping changed to "sam"',
      Severity: { Label: 'HIGH' },
    });
  });

  it('says new sessions are refused when the new mapping is root', async () => {
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    setTags(w, { SSMSessionRunAs: 'root' });

    await principalChange(command(), fakePorts(w), settings());

    expect(held(region, activeId('ops-1')).Title).toBe(
      'Session ops-1 still runs as "opsadmin" after the mapping changed to "root", which is refused',
    );
  });

  it('terminates a stale session when configured and says so', async () => {
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    setTags(w, { SSMSessionRunAs: 'root' });

    const evaluation = await principalChange(
      command(),
      fakePorts(w),
      settings({ terminateStaleSessions: true }),
    );

    expect(region.terminated).toEqual(['ops-1']);
    expect(evaluation.regions[0]?.sessions?.terminated).toEqual(['ops-1']);
    const finding = held(region, activeId('ops-1'));
    expect(finding.Title).toBe(
      'Session ops-1 was terminated: it ran as "opsadmin" after the mapping changed to "root", which is refused',
    );
    expect(finding.ProductFields['RunAs/Terminated']).toBe('true');
    expect(finding.Compliance.Status).toBe('PASSED');
  });

  it('records a failed termination in the finding, then throws so Lambda retries', async () => {
    // Prepare
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    setTags(w, { SSMSessionRunAs: 'root' });
    region.terminateError = new Error('ssm:TerminateSession failed: ThrottlingException');

    // Act
    const run = principalChange(command(), fakePorts(w), settings({ terminateStaleSessions: true }));

    // Assess
    await expect(run).rejects.toThrow('ThrottlingException');
    const finding = held(region, activeId('ops-1'));
    expect(finding.ProductFields['RunAs/Terminated']).toBe('failed');
    expect(finding.Description).toContain('ThrottlingException');
    expect(held(region, OPERATORS_ID).ProductFields['RunAs/Outcome']).toBe('DISALLOWED_RUN_AS_USER');
  });

  it('counts sessions without a session finding and leaves matching ones alone', async () => {
    // Prepare
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    region.sessions.push({
      sessionId: 'ops-2',
      target: 'i-0a1b2c3d4e5f60001',
      owner: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/bob`,
      startDate: T1,
    });

    // Act
    const evaluation = await principalChange(command(), fakePorts(w), settings());

    // Assess
    expect(evaluation.sessionsWithoutFinding).toBe(1);
    expect(evaluation.regions[0]?.sessions).toMatchObject({
      open: 2,
      stale: [],
      withoutSessionFinding: ['ops-2'],
    });
    expect(region.imported).toEqual([]);
  });

  it('leaves a session alone whose session tag decides its user', async () => {
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, {
      sessionId: 'ops-1',
      principal: OPERATORS,
      sessionUser: 'carol',
      sessionTags: 'applied',
      expectedUser: 'carol',
      expectedUserSource: 'session-tag',
    });
    setTags(w, { SSMSessionRunAs: 'opsadmin2' });

    const evaluation = await principalChange(command(), fakePorts(w), settings());

    expect(evaluation.regions[0]?.sessions?.stale).toEqual([]);
    expect(region.stored.has(activeId('ops-1'))).toBe(false);
  });

  it('resolves an earlier active-session finding once the mapping gives the session’s user again', async () => {
    // Prepare: root at T1 flags the session; opsadmin at T2 matches it again.
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    setTags(w, { SSMSessionRunAs: 'root' });
    await principalChange(command(), fakePorts(w), settings());
    setTags(w, { SSMSessionRunAs: 'opsadmin' });

    // Act
    const evaluation = await principalChange(command({ eventTime: T2 }), fakePorts(w), settings());

    // Assess
    expect(evaluation.regions[0]?.sessions?.resolved).toEqual(['ops-1']);
    expect(held(region, activeId('ops-1'))).toMatchObject({
      Title: 'Session ops-1 runs as "opsadmin", which the mapping gives again',
      Compliance: { Status: 'PASSED' },
      CreatedAt: T1,
      UpdatedAt: T2,
    });
  });

  it('imports the principal finding and active-session findings in one call per Region', async () => {
    const w = world();
    const region = w.regions.get('us-east-1');
    if (region === undefined) throw new Error('region');
    openSession(region, { sessionId: 'ops-1', principal: OPERATORS, sessionUser: 'opsadmin' });
    openSession(region, { sessionId: 'ops-2', principal: OPERATORS, sessionUser: 'opsadmin' });
    setTags(w, { SSMSessionRunAs: 'root' });

    await principalChange(command(), fakePorts(w), settings());

    expect(region.importCalls).toEqual([3]);
  });
});
