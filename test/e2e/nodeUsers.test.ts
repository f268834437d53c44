/**
 * Whether the Run As user exists on the node, through replay: inventory (present, missing, no
 * inventory, stale inventory) and the on-demand Run Command probe (present, missing, offline
 * node, pending invocation, hostile name never sent).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import type { ReplayEvent } from '../../src/local/tools/replay.ts';
import { demoWorld, onlyRun, readEvents, replayAll, withDetail } from './replayHelpers.ts';

const ALICE = 'startsession-compliant-iamuser-tag.json'; // alice → alice, listed on i-…0001
const BOB = 'startsession-missing-run-as-user.json'; // bob → bob, not listed on i-…0001
const NO_INVENTORY = 'startsession-compliant-unknown-users.json'; // i-…0002 publishes no users
const STALE = 'startsession-compliant-stale-inventory.json'; // i-…0003 inventory 30 days old
const HOSTILE = 'startsession-invalid-run-as-user-semicolon.json'; // mallory → "alice;reboot"
const OFFLINE_NODE = 'i-0a1b2c3d4e5f60006';

let local: LocalAws;

beforeEach(async () => {
  local = await startLocalAws(await demoWorld());
});

afterEach(async () => {
  await local.close();
});

const replayWith = async (events: readonly ReplayEvent[], settings: Record<string, string>) =>
  replayAll(events, {
    world: await demoWorld(),
    local,
    envVars: { Parameters: { REPORT_COMPLIANT_SESSIONS: 'true', ...settings } },
  });

const INVENTORY = { USER_DIRECTORY: 'inventory' };
const PROBE = { USER_DIRECTORY: 'command', PROBE_POLL_INTERVAL_MS: '5' };

describe('USER_DIRECTORY=inventory', () => {
  it.each([
    [ALICE, 'COMPLIANT', true],
    [BOB, 'MISSING_RUN_AS_USER', true],
    [NO_INVENTORY, 'COMPLIANT', false],
    [STALE, 'COMPLIANT', false],
  ] as const)(
    '%s → %s (user verified: %s), without running anything on the node',
    async (name, outcome, verified) => {
      // Act
      const result = await replayWith(await readEvents([name]), INVENTORY);

      // Assess
      expect(onlyRun(result, name).result).toMatchObject({ outcome, userVerified: verified });
      expect(local.calls.count('ssm:ListInventoryEntries')).toBe(1);
      expect(local.calls.count('ssm:SendCommand')).toBe(0);
    },
  );
});

describe('USER_DIRECTORY=command', () => {
  it.each([
    [ALICE, 'COMPLIANT', true],
    [BOB, 'MISSING_RUN_AS_USER', true],
  ] as const)('%s → %s by probing the node once', async (name, outcome, verified) => {
    // Act
    const result = await replayWith(await readEvents([name]), PROBE);

    // Assess
    expect(onlyRun(result, name).result).toMatchObject({ outcome, userVerified: verified });
    expect(local.calls.count('ssm:SendCommand')).toBe(1);
    expect(local.calls.count('ssm:ListInventoryEntries')).toBe(0);
  });

  it('an offline node leaves the user unknown, never missing', async () => {
    // Prepare
    const [alice] = await readEvents([ALICE]);
    const offline = withDetail(alice?.event, (detail) => {
      (detail.requestParameters as Record<string, unknown>).target = OFFLINE_NODE;
    });

    // Act
    const result = await replayWith([{ name: 'offline.json', event: offline }], PROBE);

    // Assess
    expect(onlyRun(result, 'offline.json').result).toMatchObject({
      outcome: 'COMPLIANT',
      userVerified: false,
    });
    expect(local.calls.count('ssm:GetCommandInvocation')).toBe(0);
  });

  it('waits for an invocation that stays pending for a few polls', async () => {
    // Prepare
    local.faults.add({ service: 'ssm', kind: 'pending', times: 3 });

    // Act
    const result = await replayWith(await readEvents([BOB]), PROBE);

    // Assess
    expect(onlyRun(result, BOB).result).toMatchObject({ outcome: 'MISSING_RUN_AS_USER', userVerified: true });
    expect(local.calls.count('ssm:GetCommandInvocation')).toBeGreaterThanOrEqual(4);
  });

  it('never sends a hostile name to the node', async () => {
    // Act
    const result = await replayWith(await readEvents([HOSTILE]), PROBE);

    // Assess
    expect(onlyRun(result, HOSTILE).result).toMatchObject({
      outcome: 'INVALID_RUN_AS_USER',
      expectedUser: 'alice;reboot',
    });
    expect(local.calls.count('ssm:SendCommand')).toBe(0);
  });
});
