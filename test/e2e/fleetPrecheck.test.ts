/**
 * The fleet pre-check through replay: real handlers, real SDK over HTTP, the local
 * endpoint serving a world built here. A tagged role's user missing on 23 of 25 Linux nodes gives
 * a principal finding naming 20 of them; once the nodes report the user, the next change resolves
 * it. Nothing is ever run on a node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import type { ReplayEvent } from '../../src/local/tools/replay.ts';
import { parseWorld, type StoredFinding, type World } from '../../src/local/world/world.ts';
import { findingById, onlyRun, readEvents, replayAll, withDetail } from './replayHelpers.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Deployers`;
const PRINCIPAL_ID = `${ACCOUNT}/${REGION}/ssm-runas/principal/${ROLE_ARN}`;
const PREFS_ID = `${ACCOUNT}/${REGION}/ssm-runas/preferences/SSM-SessionManagerRunShell`;
const CAPTURED = '2026-03-01T11:30:00Z';
const TAGGED_AT = '2026-03-01T13:05:00Z';
const RETAGGED_AT = '2026-03-01T14:00:00Z';
/** Findings carry the event time with milliseconds. */
const stamp = (time: string): string => new Date(time).toISOString();

const nodeId = (n: number): string => `i-0f1e2d3c4b5a${String(n).padStart(5, '0')}`;
/** Nodes 1–2 have deploy; 3–25 do not (23 missing). */
const LINUX = Array.from({ length: 25 }, (_, i) => nodeId(i + 1));
const MISSING = LINUX.slice(2);
const NO_INVENTORY = nodeId(90);
const STALE = nodeId(91);
const WINDOWS = nodeId(92);

const shell = (defaultUser: string) => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: true, runAsDefaultUser: defaultUser },
});

/** The account before the replayed events: the role is not tagged yet. */
const fleetWorld = (): World =>
  parseWorld({
    accountId: ACCOUNT,
    now: '2026-03-01T12:00:00Z',
    iam: { roles: [{ roleName: 'Deployers', path: '/', tags: {} }] },
    regions: {
      [REGION]: {
        documents: [
          {
            name: 'SSM-SessionManagerRunShell',
            versions: [
              { version: '1', content: shell('ec2-user') },
              { version: '2', content: shell('deploy') },
            ],
            defaultVersion: '1',
            // Version 2 is what a replayed UpdateDocument creates.
            latestVersion: '1',
          },
        ],
        nodes: [
          ...LINUX.map((id, i) => ({
            id,
            platform: 'Linux',
            users: i < 2 ? ['root', 'ec2-user', 'deploy'] : ['root', 'ec2-user'],
            inventoryCaptureTime: CAPTURED,
          })),
          { id: NO_INVENTORY, platform: 'Linux' },
          { id: STALE, platform: 'Linux', users: ['root', 'ec2-user'], inventoryStale: true },
          { id: WINDOWS, platform: 'Windows', users: ['Administrator'], inventoryCaptureTime: CAPTURED },
        ],
      },
    },
  });

/** A TagRole event giving Deployers SSMSessionRunAs=deploy, at `time`. */
const tagDeployers = async (time: string, eventId: string): Promise<ReplayEvent> => {
  const [fixture] = await readEvents(['iam-tagrole-runas-fixed.json']);
  return {
    name: `tagrole-deployers-${time}.json`,
    event: withDetail(fixture?.event, (detail, envelope) => {
      detail.requestParameters = {
        roleName: 'Deployers',
        tags: [{ key: 'SSMSessionRunAs', value: 'deploy' }],
      };
      detail.eventTime = time;
      detail.eventID = eventId;
      envelope.time = time;
      envelope.id = eventId;
    }),
  };
};

let local: LocalAws | undefined;

afterEach(async () => {
  await local?.close();
  local = undefined;
});

const replayOn = async (events: readonly ReplayEvent[], userDirectory: string) => {
  local ??= await startLocalAws(fleetWorld());
  return replayAll(events, {
    world: fleetWorld(),
    local,
    envVars: { Parameters: { USER_DIRECTORY: userDirectory } },
  });
};

const finding = (findings: readonly StoredFinding[], id: string): StoredFinding => {
  const found = findingById(findings, id);
  if (found === undefined) throw new Error(`no finding ${id}`);
  return found;
};

describe('fleet pre-check of a principal finding', () => {
  it.each(['inventory', 'command'])(
    'USER_DIRECTORY=%s: names 20 of the 23 nodes without the user, counts 3 more, and runs nothing',
    async (userDirectory) => {
      // Prepare
      const tagged = await tagDeployers(TAGGED_AT, 'f0000000-0000-4000-8000-000000000001');

      // Act
      const result = await replayOn([tagged], userDirectory);

      // Assess
      expect(onlyRun(result, tagged.name).error).toBeUndefined();
      expect(onlyRun(result, tagged.name).result).toMatchObject({
        principal: ROLE_ARN,
        regions: [
          {
            region: REGION,
            action: 'written',
            outcome: 'MISSING_RUN_AS_USER',
            fleet: { status: 'checked', user: 'deploy', checked: 27, missing: 23, unknown: 2 },
          },
        ],
      });
      const stored = finding(result.findings, PRINCIPAL_ID);
      expect(stored).toMatchObject({
        Title:
          'Role Deployers maps to "deploy" in us-east-1, which is missing on 23 nodes: its sessions there are refused',
        Compliance: { Status: 'FAILED' },
        Severity: { Label: 'MEDIUM', Original: 'MISSING_RUN_AS_USER' },
        RecordState: 'ACTIVE',
        CreatedAt: stamp(TAGGED_AT),
        ProductFields: expect.objectContaining({
          'RunAs/Check': 'principal',
          'RunAs/Outcome': 'MISSING_RUN_AS_USER',
          'RunAs/ExpectedUser': 'deploy',
          'RunAs/NodesMissingUser': '23',
          'RunAs/NodesChecked': '27',
        }),
      });
      const named = stored.Description.match(/i-0f1e2d3c4b5a\d{5}/g) ?? [];
      expect(named).toEqual(MISSING.slice(0, 20));
      expect(stored.Description).toContain(`${MISSING[19]} and 3 more.`);
      expect(stored.Description).toContain('(2 without fresh inventory not counted)');
      for (const never of [...LINUX.slice(0, 2), NO_INVENTORY, STALE, WINDOWS]) {
        expect(stored.Description).not.toContain(never);
      }
      // Every Linux node's inventory was read once; the Windows node never; no command was sent.
      expect(local?.calls.count('ssm:ListInventoryEntries')).toBe(27);
      expect(local?.calls.count('ssm:SendCommand')).toBe(0);
    },
  );

  it('resolves the same finding as PASSED when the user appears on the nodes and the role changes again', async () => {
    // Prepare
    const first = await tagDeployers(TAGGED_AT, 'f0000000-0000-4000-8000-000000000001');
    const second = await tagDeployers(RETAGGED_AT, 'f0000000-0000-4000-8000-000000000002');
    await replayOn([first], 'inventory');
    const nodes = local?.world.region(REGION).nodes;
    for (const id of MISSING) {
      const node = nodes?.get(id);
      if (node === undefined) throw new Error(`no node ${id}`);
      nodes?.set(id, {
        ...node,
        users: [...(node.users ?? []), { name: 'deploy', uid: 2000, gid: 2000 }],
        inventoryCaptureTime: '2026-03-01T13:45:00Z',
      });
    }

    // Act
    const result = await replayOn([second], 'inventory');

    // Assess
    expect(onlyRun(result, second.name).result).toMatchObject({
      regions: [
        {
          action: 'resolved',
          outcome: 'COMPLIANT',
          fleet: { status: 'checked', checked: 27, missing: 0, unknown: 2 },
        },
      ],
    });
    expect(finding(result.findings, PRINCIPAL_ID)).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
      RecordState: 'ACTIVE',
      CreatedAt: stamp(TAGGED_AT),
      UpdatedAt: stamp(RETAGGED_AT),
      ProductFields: expect.objectContaining({
        'RunAs/Outcome': 'COMPLIANT',
        'RunAs/NodesMissingUser': '0',
        'RunAs/NodesChecked': '27',
      }),
    });
    expect(result.findings.filter((f) => f.Id === PRINCIPAL_ID)).toHaveLength(1);
  });

  it('USER_DIRECTORY=none skips the pre-check: a compliant mapping writes nothing and lists no node', async () => {
    // Prepare
    const tagged = await tagDeployers(TAGGED_AT, 'f0000000-0000-4000-8000-000000000001');

    // Act
    const result = await replayOn([tagged], 'none');

    // Assess
    expect(onlyRun(result, tagged.name).result).toMatchObject({
      regions: [{ action: 'not-written', outcome: 'COMPLIANT', fleet: { status: 'not-checked' } }],
    });
    expect(findingById(result.findings, PRINCIPAL_ID)).toBeUndefined();
    expect(local?.calls.count('ssm:DescribeInstanceInformation')).toBe(0);
    expect(local?.calls.count('ssm:ListInventoryEntries')).toBe(0);
  });
});

describe('fleet pre-check of a preferences finding', () => {
  it('flags a new default user that 23 nodes lack when a new $LATEST names it', async () => {
    // Prepare: the fixture makes version 2 (runAsDefaultUser deploy) $LATEST, which sessions run.
    const [moved] = await readEvents(['ssm-updatedocument-runshell-off.json']);
    if (moved === undefined) throw new Error('no fixture');

    // Act
    const result = await replayOn([moved], 'inventory');

    // Assess
    expect(onlyRun(result, moved.name).result).toMatchObject({
      check: 'preferences',
      action: 'written',
      outcome: 'MISSING_RUN_AS_USER',
      documentVersion: '2',
      otherVersion: '1',
      fleet: { status: 'checked', user: 'deploy', checked: 27, missing: 23, unknown: 2 },
    });
    const stored = finding(result.findings, PREFS_ID);
    expect(stored).toMatchObject({
      Title:
        'Default Run As user "deploy" in us-east-1 is missing on 23 nodes: sessions of untagged principals there are refused ($DEFAULT version 1 differs)',
      Compliance: { Status: 'FAILED' },
      ProductFields: expect.objectContaining({
        'RunAs/Check': 'preferences',
        'RunAs/NodesMissingUser': '23',
        'RunAs/NodesChecked': '27',
      }),
    });
    expect(stored.Description).toContain(`${MISSING[19]} and 3 more.`);
  });
});
