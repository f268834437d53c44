/**
 * The queue path through replay: events batched by the event source mapping's size and window
 * over event time, findings imported 100 per call, failed records redelivered and dead-lettered,
 * duplicate deliveries, and the quota clock moving with event time (the same calls every run).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/local/services/quotas.ts';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import { generateScenario, type Scenario } from '../../src/local/tools/benchScenario.ts';
import type { ReplayResult } from '../../src/local/tools/replay.ts';
import { parseWorld, worldFileOf } from '../../src/local/world/world.ts';
import { cli, DEMO_WORLD } from './cliHelpers.ts';
import { demoWorld, EVENTS_DIR, readEvents, replayAll } from './replayHelpers.ts';

/** A burst of StartSessions in one account and Region, every outcome reported, quotas enforced. */
const burst = (events: number, burstSeconds: number): Scenario => {
  const scenario = generateScenario({ events, principals: 20, nodes: 40, documents: 3, burstSeconds });
  const world = parseWorld({ ...worldFileOf(scenario.world), quotas: { enforce: true } });
  return { ...scenario, world };
};

const eventsOf = (scenario: Scenario) =>
  scenario.events.map((e, i) => ({ name: `burst-${String(i).padStart(4, '0')}.json`, event: e.event }));

let local: LocalAws | undefined;

afterEach(async () => {
  await local?.close();
  local = undefined;
});

/** Replays on an endpoint whose quota clock replay moves with event time. */
const replayBurst = async (scenario: Scenario, extra: { readonly duplicates?: number } = {}) => {
  local = await startLocalAws(scenario.world, { clock: new ManualClock() });
  return replayAll(eventsOf(scenario), { world: scenario.world, local, ...extra });
};

const outcomes = (result: ReplayResult) =>
  result.evaluations.map((e) => (e.runs[0]?.result as { outcome?: string } | undefined)?.outcome);

describe('the queue path', () => {
  it('imports a burst 100 findings per call, under the quotas, with nothing throttled or dead-lettered', async () => {
    // Prepare: 250 sessions within 2 s fill two batches of 100 and a third of 50.
    const scenario = burst(250, 2);

    // Act
    const result = await replayBurst(scenario);

    // Assess
    expect(outcomes(result)).toEqual(scenario.events.map((e) => e.expectedOutcome));
    expect(result.findings).toHaveLength(250);
    expect(result.calls['securityhub:BatchImportFindings']).toBe(3);
    expect(result.throttled).toEqual({});
    expect(result.deadLetters).toEqual([]);
    expect(result.evaluations.every((e) => e.runs[0]?.receives === 1 && e.runs[0]?.deliveries === 1)).toBe(
      true,
    );
  });

  it('makes the same calls on every run: the quota clock is event time', async () => {
    // Prepare
    const scenario = burst(120, 1);

    // Act
    const first = await replayBurst(scenario);
    await local?.close();
    const second = await replayBurst(scenario);

    // Assess
    expect(second.calls).toEqual(first.calls);
    expect(second.throttled).toEqual(first.throttled);
    expect(second.findings).toEqual(first.findings);
  });

  it('redelivers a batch whose import failed, and every finding lands', async () => {
    // Prepare: BatchImportFindings fails its first 3 attempts (the SDK's retries of the first call).
    const scenario = burst(30, 1);
    local = await startLocalAws(scenario.world, { clock: new ManualClock() });
    local.faults.add({
      service: 'securityhub',
      operation: 'BatchImportFindings',
      kind: 'server-error',
      times: 3,
    });

    // Act
    const result = await replayAll(eventsOf(scenario), { world: scenario.world, local });

    // Assess
    expect(result.deadLetters).toEqual([]);
    expect(result.findings).toHaveLength(30);
    expect(result.evaluations.every((e) => e.runs[0]?.receives === 2 && e.runs[0]?.error === undefined)).toBe(
      true,
    );
    expect(result.calls['securityhub:BatchImportFindings']).toBe(4);
  });

  it('dead-letters an event after maxReceiveCount receives, with the error, and keeps the others', async () => {
    // Prepare: Security Hub refuses the findings of another account.
    const [alice] = await readEvents(['startsession-compliant-iamuser-tag.json']);
    const [bob] = await readEvents(['startsession-missing-run-as-user.json']);
    if (alice === undefined || bob === undefined) throw new Error('no fixtures');
    const foreign = structuredClone(alice.event) as {
      account: string;
      detail: { recipientAccountId: string };
    };
    foreign.account = '999988887777';
    foreign.detail.recipientAccountId = '999988887777';

    // Act
    const result = await replayAll([{ name: 'foreign.json', event: foreign }, bob], {
      world: await demoWorld(),
      parameters: { MaxReceiveCount: '3' },
    });

    // Assess
    expect(result.deadLetters).toEqual([
      {
        event: 'foreign.json',
        logicalId: 'AuditSessionFunction',
        region: 'us-east-1',
        receives: 3,
        duplicate: false,
        // The audit account may not import another account's finding: AccessDenied, as AWS answers.
        error: { errorType: 'AwsCallError', errorMessage: expect.stringContaining(':999988887777:product/') },
      },
    ]);
    expect(result.evaluations[1]?.runs[0]).toMatchObject({
      receives: 1,
      result: { outcome: 'MISSING_RUN_AS_USER' },
    });
    expect(result.findings).toHaveLength(1);
  });

  it('leaves the same findings when a share of the deliveries arrive twice', async () => {
    // Prepare
    const scenario = burst(200, 30);
    const once = await replayBurst(scenario);
    await local?.close();

    // Act
    const twice = await replayBurst(scenario, { duplicates: 0.5 });

    // Assess
    const deliveries = twice.evaluations.map((e) => e.runs[0]?.deliveries ?? 0);
    expect(deliveries.filter((n) => n === 2).length).toBeGreaterThan(60);
    expect(deliveries.every((n) => n === 1 || n === 2)).toBe(true);
    const key = (f: { Id: string }) => f.Id;
    const a = [...once.findings].sort((x, y) => key(x).localeCompare(key(y)));
    const b = [...twice.findings].sort((x, y) => key(x).localeCompare(key(y)));
    expect(b.map(key)).toEqual(a.map(key));
    for (const [i, f] of b.entries()) expect(f, f.Id).toEqual(a[i]);
    expect(twice.deadLetters).toEqual([]);
  });
});

describe('runas-audit replay on the queue path', () => {
  it('prints calls, throttled and dead letters in its JSON, and duplicates a share of deliveries', async () => {
    // Act
    const run = await cli([
      'replay',
      '--world',
      DEMO_WORLD,
      '--format',
      'json',
      '--duplicates',
      '100%',
      path.join(EVENTS_DIR, 'startsession-missing-run-as-user.json'),
    ]);

    // Assess
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout) as ReplayResult;
    expect(Object.keys(output)).toEqual(['evaluations', 'findings', 'calls', 'throttled', 'deadLetters']);
    expect(output.calls['securityhub:BatchImportFindings']).toBe(1);
    expect(output.deadLetters).toEqual([]);
    expect(output.evaluations[0]?.runs[0]).toMatchObject({ deliveries: 2, receives: 2 });
  });

  it.each(['150%', 'half'])('refuses --duplicates %s in one line, exit 2', async (value) => {
    // Act
    const run = await cli([
      'replay',
      '--world',
      DEMO_WORLD,
      '--duplicates',
      value,
      path.join(EVENTS_DIR, 'startsession-missing-run-as-user.json'),
    ]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--duplicates');
  });
});
