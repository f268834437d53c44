/**
 * The fleet pre-check in the change use cases, with hand-written fakes: a fleet of
 * nodes per Region whose users the test changes between events.
 */
import { describe, expect, it } from 'vitest';
import { documentChange } from '../../../src/app/documentChange.ts';
import { createFleetPrecheck } from '../../../src/app/fleetPrecheck.ts';
import type { ChangeAuditPorts, FleetUsers } from '../../../src/app/ports.ts';
import type { ChangeSettings } from '../../../src/app/postureResult.ts';
import { principalChange } from '../../../src/app/principalChange.ts';
import { type Known, known, unknown } from '../../../src/domain/facts.ts';
import type { FleetPresence } from '../../../src/domain/fleetPresence.ts';
import { decidePrincipalPosture } from '../../../src/domain/posture.ts';
import type { DocumentChangeCommand } from '../../../src/events/documentChange.ts';
import type { PrincipalChangeCommand } from '../../../src/events/principalChange.ts';
import { findingId } from '../../../src/findings/findingId.ts';
import { buildPrincipalFinding } from '../../../src/findings/principalFinding.ts';
import {
  ACCOUNT,
  addPrincipal,
  document,
  type FakeRegion,
  type FakeWorld,
  fakePorts,
  held,
  newRegion,
  newWorld,
  RUN_AS_ON,
  role,
  seed,
  user,
} from './changeFakes.ts';

const T1 = '2026-03-01T13:00:00.000Z';
const T2 = '2026-03-01T13:30:00.000Z';
const PREFS = 'SSM-SessionManagerRunShell';
const OPERATORS = role('Operators', '/ops/');
const ALICE = user('alice');
const OPERATORS_ID = findingId(ACCOUNT, 'us-east-1', 'principal', OPERATORS.arn);
const PREFS_ID = findingId(ACCOUNT, 'us-east-1', 'preferences', PREFS);

const settings: ChangeSettings = {
  deniedRunAsUsers: new Set(['root']),
  auditedRegions: ['us-east-1'],
  terminateStaleSessions: false,
  sessionDocumentVersion: '$LATEST',
};

const principalCommand = (overrides: Partial<PrincipalChangeCommand> = {}): PrincipalChangeCommand => ({
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

const documentCommand = (overrides: Partial<DocumentChangeCommand> = {}): DocumentChangeCommand => ({
  eventId: 'd0000000-0000-4000-8000-000000000001',
  eventTime: T1,
  eventName: 'UpdateDocumentDefaultVersion',
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  documentName: PREFS,
  documentType: 'unknown',
  deleted: false,
  changedBy: `arn:aws:iam::${ACCOUNT}:user/admin`,
  ...overrides,
});

const nodeId = (n: number): string => `i-0a1b2c3d4e5f${String(n).padStart(5, '0')}`;

/** A Region's Linux nodes and their users (null: no fresh inventory); every call is recorded. */
interface FakeFleet {
  readonly nodes: Map<string, string[] | null>;
  readonly calls: { user: string; asOf: string }[];
  denied?: boolean;
}

const fleetOf = (count: number, users: readonly string[]): FakeFleet => ({
  nodes: new Map(Array.from({ length: count }, (_, i) => [nodeId(i + 1), [...users]])),
  calls: [],
});

const fakeFleetUsers = (fleet: FakeFleet): FleetUsers => ({
  nodesMissing: async (user, asOf): Promise<Known<FleetPresence>> => {
    fleet.calls.push({ user, asOf });
    if (fleet.denied === true) return unknown('the auditor is not allowed ssm:DescribeInstanceInformation');
    const entries = [...fleet.nodes.entries()];
    return known({
      checked: entries.length,
      missing: entries.filter(([, users]) => users !== null && !users.includes(user)).map(([id]) => id),
      unknown: entries.filter(([, users]) => users === null).length,
    });
  },
});

/** The change ports with a fleet per Region; a Region without one is USER_DIRECTORY=none. */
const withFleets = (w: FakeWorld, fleets: Record<string, FakeFleet>): ChangeAuditPorts => {
  const base = fakePorts(w);
  return {
    ...base,
    inRegion: (name) => {
      const fleet = fleets[name];
      return fleet === undefined
        ? base.inRegion(name)
        : { ...base.inRegion(name), fleetUsers: fakeFleetUsers(fleet) };
    },
  };
};

const world = (): { w: FakeWorld; region: FakeRegion } => {
  const region = newRegion({ [PREFS]: document(RUN_AS_ON) });
  const w = newWorld({ 'us-east-1': region });
  addPrincipal(w, OPERATORS, { SSMSessionRunAs: 'opsadmin' });
  addPrincipal(w, ALICE, { SSMSessionRunAs: 'alice' });
  return { w, region };
};

/** A principal finding an earlier change wrote (compliant then, so PASSED). */
const seedPrincipalFinding = (region: FakeRegion, tags: Record<string, string>): void => {
  seed(
    region,
    buildPrincipalFinding({
      partition: 'aws',
      region: 'us-east-1',
      accountId: ACCOUNT,
      principal: OPERATORS,
      posture: {
        exists: true,
        decision: decidePrincipalPosture({
          preferences: known({ name: PREFS, version: '1', documentType: 'Session', content: RUN_AS_ON }),
          judgedVersion: '$LATEST',
          principal: OPERATORS,
          principalTags: known(tags),
          deniedUsers: new Set(['root']),
        }),
      },
      change: { eventId: 'earlier', eventName: 'TagRole', eventTime: '2026-03-01T12:00:00.000Z' },
    }),
  );
};

describe('principalChange with the fleet pre-check', () => {
  it('writes MISSING_RUN_AS_USER when a compliant tag names a user missing on 3 of 5 nodes', async () => {
    // Prepare
    const { w, region } = world();
    const fleet = fleetOf(5, ['ec2-user']);
    fleet.nodes.set(nodeId(4), ['ec2-user', 'opsadmin']);
    fleet.nodes.set(nodeId(5), ['ec2-user', 'opsadmin']);

    // Act
    const evaluation = await principalChange(
      principalCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(fleet.calls).toEqual([{ user: 'opsadmin', asOf: T1 }]);
    expect(evaluation.regions).toEqual([
      expect.objectContaining({
        action: 'written',
        outcome: 'MISSING_RUN_AS_USER',
        severity: 'MEDIUM',
        expectedUser: 'opsadmin',
        findingIds: [OPERATORS_ID],
        fleet: { status: 'checked', user: 'opsadmin', checked: 5, missing: 3, unknown: 0 },
      }),
    ]);
    const finding = held(region, OPERATORS_ID);
    expect(finding).toMatchObject({
      Title:
        'Role Operators maps to "opsadmin" in us-east-1, which is missing on 3 nodes: its sessions there are refused',
      Compliance: { Status: 'FAILED' },
      Severity: { Label: 'MEDIUM', Original: 'MISSING_RUN_AS_USER' },
      ProductFields: expect.objectContaining({
        'RunAs/Check': 'principal',
        'RunAs/Outcome': 'MISSING_RUN_AS_USER',
        'RunAs/ExpectedUser': 'opsadmin',
        'RunAs/NodesMissingUser': '3',
        'RunAs/NodesChecked': '5',
      }),
    });
    expect(finding.Description).toContain(`${nodeId(1)}, ${nodeId(2)}, ${nodeId(3)}.`);
    expect(finding.Description).not.toContain(nodeId(4));
  });

  it('resolves the same finding as PASSED once the user appears on every node, keeping CreatedAt', async () => {
    // Prepare
    const { w, region } = world();
    const fleet = fleetOf(5, ['ec2-user']);
    const ports = withFleets(w, { 'us-east-1': fleet });
    await principalChange(principalCommand(), ports, settings);
    for (const id of fleet.nodes.keys()) fleet.nodes.set(id, ['ec2-user', 'opsadmin']);

    // Act
    const evaluation = await principalChange(
      principalCommand({ eventId: 'e0000000-0000-4000-8000-000000000002', eventTime: T2 }),
      ports,
      settings,
    );

    // Assess
    expect(evaluation.regions[0]).toMatchObject({ action: 'resolved', outcome: 'COMPLIANT' });
    expect(held(region, OPERATORS_ID)).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
      CreatedAt: T1,
      UpdatedAt: T2,
      ProductFields: expect.objectContaining({ 'RunAs/NodesMissingUser': '0', 'RunAs/NodesChecked': '5' }),
    });
  });

  it('writes nothing for a compliant mapping whose user every node with fresh inventory has', async () => {
    // Prepare
    const { w, region } = world();
    const fleet = fleetOf(3, ['opsadmin']);
    fleet.nodes.set(nodeId(3), null);

    // Act
    const evaluation = await principalChange(
      principalCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(evaluation.regions[0]).toMatchObject({
      action: 'not-written',
      outcome: 'COMPLIANT',
      fleet: { status: 'checked', checked: 3, missing: 0, unknown: 1 },
    });
    expect(region.imported).toEqual([]);
  });

  it('skips the pre-check when USER_DIRECTORY is none (no FleetUsers)', async () => {
    // Prepare
    const { w, region } = world();

    // Act
    const evaluation = await principalChange(principalCommand(), withFleets(w, {}), settings);

    // Assess
    expect(evaluation.regions[0]).toMatchObject({
      action: 'not-written',
      outcome: 'COMPLIANT',
      fleet: { status: 'not-checked', reason: 'USER_DIRECTORY is none' },
    });
    expect(region.imported).toEqual([]);
  });

  it('does not look for a user a flagged mapping names (root is DISALLOWED whatever the nodes say)', async () => {
    // Prepare
    const { w, region } = world();
    addPrincipal(w, OPERATORS, { SSMSessionRunAs: 'root' });
    const fleet = fleetOf(2, ['ec2-user']);

    // Act
    const evaluation = await principalChange(
      principalCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(fleet.calls).toEqual([]);
    expect(evaluation.regions[0]).toMatchObject({ outcome: 'DISALLOWED_RUN_AS_USER' });
    expect(held(region, OPERATORS_ID).ProductFields).not.toHaveProperty('RunAs/NodesChecked');
  });

  it('keeps a compliant posture when the nodes cannot be listed, and says why', async () => {
    // Prepare
    const { w, region } = world();
    seedPrincipalFinding(region, { SSMSessionRunAs: 'root' });
    const fleet = fleetOf(2, ['ec2-user']);
    fleet.denied = true;

    // Act
    const evaluation = await principalChange(
      principalCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(evaluation.regions[0]).toMatchObject({
      action: 'resolved',
      outcome: 'COMPLIANT',
      fleet: { status: 'not-checked', reason: 'the auditor is not allowed ssm:DescribeInstanceInformation' },
    });
    expect(held(region, OPERATORS_ID).Compliance.Status).toBe('PASSED');
  });

  it('checks each audited Region against its own nodes', async () => {
    // Prepare
    const east = newRegion({ [PREFS]: document(RUN_AS_ON) });
    const west = newRegion({ [PREFS]: document(RUN_AS_ON) });
    const w = newWorld({ 'us-east-1': east, 'eu-west-1': west });
    addPrincipal(w, OPERATORS, { SSMSessionRunAs: 'opsadmin' });
    const fleets = { 'us-east-1': fleetOf(2, ['opsadmin']), 'eu-west-1': fleetOf(2, ['ec2-user']) };

    // Act
    const evaluation = await principalChange(principalCommand(), withFleets(w, fleets), {
      ...settings,
      auditedRegions: ['us-east-1', 'eu-west-1'],
    });

    // Assess
    expect(evaluation.regions.map((r) => [r.region, r.outcome])).toEqual([
      ['us-east-1', 'COMPLIANT'],
      ['eu-west-1', 'MISSING_RUN_AS_USER'],
    ]);
    expect(east.imported).toEqual([]);
    expect(held(west, findingId(ACCOUNT, 'eu-west-1', 'principal', OPERATORS.arn)).Region).toBe('eu-west-1');
  });
});

describe('documentChange with the fleet pre-check', () => {
  it('writes a MISSING preferences finding when the default user is missing on some nodes', async () => {
    // Prepare
    const { w, region } = world();
    const fleet = fleetOf(4, ['opsadmin']);
    fleet.nodes.set(nodeId(4), ['ec2-user']);

    // Act
    const evaluation = await documentChange(
      documentCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(evaluation).toMatchObject({
      action: 'written',
      outcome: 'MISSING_RUN_AS_USER',
      expectedUser: 'ec2-user',
      fleet: { status: 'checked', user: 'ec2-user', checked: 4, missing: 3, unknown: 0 },
    });
    const finding = held(region, PREFS_ID);
    expect(finding).toMatchObject({
      Title:
        'Default Run As user "ec2-user" in us-east-1 is missing on 3 nodes: sessions of untagged principals there are refused',
      Compliance: { Status: 'FAILED' },
      ProductFields: expect.objectContaining({
        'RunAs/Check': 'preferences',
        'RunAs/NodesMissingUser': '3',
        'RunAs/NodesChecked': '4',
      }),
    });
    expect(finding.Description).toContain('or correct the runAsDefaultUser');
  });

  it('re-evaluates principal findings through the pre-check, looking each user up once', async () => {
    // Prepare: two principal findings, both mapping to opsadmin, which one node lacks.
    const { w, region } = world();
    addPrincipal(w, ALICE, { SSMSessionRunAs: 'opsadmin' });
    seedPrincipalFinding(region, { SSMSessionRunAs: 'root' });
    const alicePosture = decidePrincipalPosture({
      preferences: known(null),
      judgedVersion: '$LATEST',
      principal: ALICE,
      principalTags: known({ SSMSessionRunAs: 'opsadmin' }),
      deniedUsers: new Set(['root']),
    });
    seed(
      region,
      buildPrincipalFinding({
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        principal: ALICE,
        posture: { exists: true, decision: alicePosture },
        change: { eventId: 'earlier', eventName: 'TagUser', eventTime: '2026-03-01T12:00:00.000Z' },
      }),
    );
    const fleet = fleetOf(2, ['ec2-user', 'opsadmin']);
    fleet.nodes.set(nodeId(2), ['ec2-user']);

    // Act
    const evaluation = await documentChange(
      documentCommand(),
      withFleets(w, { 'us-east-1': fleet }),
      settings,
    );

    // Assess
    expect(evaluation.principalFindingsReevaluated).toBe(2);
    expect(fleet.calls.map((c) => c.user).sort()).toEqual(['ec2-user', 'opsadmin']);
    for (const principal of [OPERATORS, ALICE]) {
      const finding = held(region, findingId(ACCOUNT, 'us-east-1', 'principal', principal.arn));
      expect(finding.ProductFields).toMatchObject({
        'RunAs/Outcome': 'MISSING_RUN_AS_USER',
        'RunAs/NodesMissingUser': '1',
        'RunAs/NodesChecked': '2',
      });
    }
  });
});

describe('createFleetPrecheck', () => {
  const posture = (user: string) =>
    decidePrincipalPosture({
      preferences: known({ name: PREFS, version: '1', documentType: 'Session', content: RUN_AS_ON }),
      judgedVersion: '$LATEST',
      principal: OPERATORS,
      principalTags: known({ SSMSessionRunAs: user }),
      deniedUsers: new Set(['root']),
    });

  it('shares one look-up per user among concurrent decisions, and asks again for another user', async () => {
    // Prepare
    const fleet = fleetOf(1, ['ec2-user']);
    const precheck = createFleetPrecheck(fakeFleetUsers(fleet), T1);

    // Act
    const results = await Promise.all([
      precheck(posture('opsadmin')),
      precheck(posture('opsadmin')),
      precheck(posture('ec2-user')),
    ]);

    // Assess
    expect(fleet.calls).toEqual([
      { user: 'opsadmin', asOf: T1 },
      { user: 'ec2-user', asOf: T1 },
    ]);
    expect(results.map((r) => r.decision.outcome)).toEqual([
      'MISSING_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
      'COMPLIANT',
    ]);
  });

  it('never looks up a decision that resolves no user', async () => {
    // Prepare
    const fleet = fleetOf(1, ['ec2-user']);
    const precheck = createFleetPrecheck(fakeFleetUsers(fleet), T1);
    const off = decidePrincipalPosture({
      preferences: known(null),
      judgedVersion: '$LATEST',
      principal: OPERATORS,
      principalTags: known({ SSMSessionRunAs: 'opsadmin' }),
      deniedUsers: new Set(['root']),
    });

    // Act
    const result = await precheck(off);

    // Assess
    expect(fleet.calls).toEqual([]);
    expect(result).toEqual({
      decision: off,
      summary: { status: 'not-checked', reason: 'RAN_AS_SSM_USER: no user to look for on the nodes' },
    });
  });
});
