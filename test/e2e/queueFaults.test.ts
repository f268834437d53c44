/**
 * Delivery under faults: 30% of the calls to every service are throttled or fail with a 5xx
 * (after which the SDK retries), quotas are enforced, and failed records are redelivered by the
 * queue up to a receive count of 5. Nothing may end in a dead-letter queue, no event may be lost,
 * and no finding may end older than without faults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule, FaultService } from '../../src/local/services/faults.ts';
import { ManualClock } from '../../src/local/services/quotas.ts';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import { generateScenario } from '../../src/local/tools/benchScenario.ts';
import type { ReplayResult } from '../../src/local/tools/replay.ts';
import { parseWorld, type StoredFinding, worldFileOf } from '../../src/local/world/world.ts';
import { replayAll } from './replayHelpers.ts';

const SERVICES: readonly FaultService[] = ['iam', 'ssm', 'cloudtrail', 'securityhub'];

/** Per service: 15% of calls throttled, and 15% of all calls a 5xx (drawn from the rest): 30% fail. */
const THIRTY_PERCENT: readonly FaultRule[] = SERVICES.flatMap((service) => [
  { service, kind: 'throttle', chance: 0.15 } as const,
  { service, kind: 'server-error', chance: 0.15 / 0.85 } as const,
]);

const scenario = generateScenario({
  events: 240,
  principals: 20,
  nodes: 40,
  documents: 3,
  burstSeconds: 120,
});
const world = parseWorld({ ...worldFileOf(scenario.world), quotas: { enforce: true } });
const events = scenario.events.map((e, i) => ({
  name: `session-${String(i).padStart(3, '0')}.json`,
  event: e.event,
}));

let local: LocalAws | undefined;

afterEach(async () => {
  await local?.close();
  local = undefined;
});

const run = async (faults: readonly FaultRule[]): Promise<ReplayResult> => {
  local = await startLocalAws(world, { clock: new ManualClock() });
  for (const rule of faults) local.faults.add(rule);
  return replayAll(events, { world, local, parameters: { MaxReceiveCount: '5' } });
};

const byId = (findings: readonly StoredFinding[]) => [...findings].sort((a, b) => a.Id.localeCompare(b.Id));

describe('30% throttling and 5xx on every service, with SQS redelivery (receive count 5)', () => {
  it('dead-letters nothing, loses nothing, and every finding ends as without faults', async () => {
    // Prepare
    const clean = await run([]);
    await local?.close();

    // Act
    const faulty = await run(THIRTY_PERCENT);

    // Assess
    // The faults are the local endpoint's: the local DynamoDB's calls are left out.
    const endpointCalls = (calls: Readonly<Record<string, number>>) =>
      Object.entries(calls)
        .filter(([operation]) => !operation.startsWith('dynamodb:'))
        .reduce((sum, [, n]) => sum + n, 0);
    const total = endpointCalls(faulty.calls);
    const cleanTotal = endpointCalls(clean.calls);
    // The faults really were there: many more calls than without them.
    expect(total).toBeGreaterThan(cleanTotal * 1.3);
    expect(faulty.deadLetters).toEqual([]);
    expect(faulty.evaluations.filter((e) => e.runs[0]?.error !== undefined)).toEqual([]);
    expect(
      faulty.evaluations.map((e) => (e.runs[0]?.result as { outcome?: string } | undefined)?.outcome),
    ).toEqual(scenario.events.map((e) => e.expectedOutcome));
    expect(faulty.evaluations.some((e) => (e.runs[0]?.receives ?? 0) > 1)).toBe(true);
    expect(byId(faulty.findings)).toEqual(byId(clean.findings));
    expect(faulty.findings).toHaveLength(240);
  });
});
