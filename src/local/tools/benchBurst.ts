/**
 * The bench's burst: StartSessions in one account and Region within a few seconds of event time,
 * delivered in real time through the queue path as template.yaml sets it up (the event source
 * mapping's batch size, window and maximum concurrency, one warm container per concurrent
 * invocation) to the real handler, against the local endpoint with its quotas enforced and added
 * latency per call. It measures what the quotas make of it: findings per import call, calls and
 * throttled calls, dead letters, and the drain time against the least time the quotas allow.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_QUOTAS } from '../services/quotas.ts';
import { startLocalAws } from '../services/server.ts';
import { parseWorld, worldFileOf } from '../world/world.ts';
import { patchEnv, SDK_ENV } from './benchEnv.ts';
import { deliverStsRecords } from './benchIdentity.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from './benchRecords.ts';
import { generateScenario } from './benchScenario.ts';
import { BenchError } from './benchStats.ts';
import { deliveryPathsOf } from './deliveryPath.ts';
import { drain, EventSourceMapping } from './eventSourceMapping.ts';
import { createContainers } from './lambdaContainers.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { tableEnvironment, tableSpecsOf } from './tableSpec.ts';
import { loadTemplate } from './template.ts';
import { realTimeline } from './virtualTime.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface BurstOptions {
  readonly events: number;
  readonly burstSeconds: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  readonly latencyMs: number;
}

export interface BurstFigures {
  readonly events: number;
  readonly burstSeconds: number;
  readonly latencyMsPerCall: number;
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly maximumConcurrency: number;
  /** Shortened from the template's so that a failed record costs the run seconds, not minutes. */
  readonly visibilityTimeoutSeconds: number;
  readonly invocations: number;
  readonly findingsStored: number;
  readonly importCalls: number;
  readonly findingsPerImportCall: number;
  readonly callsPerEvent: Readonly<Record<string, number>>;
  readonly totalCallsPerEvent: number;
  /** Calls a quota refused (each retried by the SDK), per operation. */
  readonly throttled: Readonly<Record<string, number>>;
  readonly throttledCalls: number;
  readonly redeliveredEvents: number;
  readonly deadLetters: number;
  readonly unexpectedOutcomes: number;
  /** From the first event's arrival until every message is deleted or dead-lettered. */
  readonly drainSeconds: number;
  /** The least time the quotas allow for the calls made (and no less than the burst itself). */
  readonly quotaBoundSeconds: number;
  /** The operation whose quota sets that bound. */
  readonly boundBy: string;
  readonly drainRatio: number;
}

export const DEFAULT_BURST: Omit<BurstOptions, 'latencyMs'> = {
  events: 2000,
  burstSeconds: 10,
  principals: 50,
  nodes: 200,
  documents: 3,
};

/** A failed record waits this long (not the template's 180 s) before it is delivered again. */
const BENCH_VISIBILITY_SECONDS = 10;

/**
 * The least time in which an account's buckets admit `calls` (each operation's own: after its burst,
 * one call per 1/rate seconds), and never less than the span of the arrivals.
 */
export const quotaBound = (
  calls: Readonly<Record<string, number>>,
  arrivalSpanSeconds: number,
): { seconds: number; boundBy: string } => {
  let bound = { seconds: arrivalSpanSeconds, boundBy: 'the burst itself' };
  for (const [operation, count] of Object.entries(calls)) {
    const service = operation.slice(0, operation.indexOf(':'));
    const limit = DEFAULT_QUOTAS[operation] ?? DEFAULT_QUOTAS[`${service}:*`];
    if (limit === undefined) continue;
    const seconds = Math.max(0, (count - limit.burst) / limit.rate);
    if (seconds > bound.seconds) bound = { seconds, boundBy: operation };
  }
  return bound;
};

export const runBurst = async (options: BurstOptions): Promise<BurstFigures> => {
  const scenario = generateScenario({ ...options, burstSeconds: options.burstSeconds });
  const world = parseWorld({ ...worldFileOf(scenario.world), quotas: { enforce: true } });
  const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  const route = deliveryPathsOf(template, functionsOf(template)).find(
    (p) => p.fn.logicalId === 'AuditSessionFunction',
  );
  if (route?.queue === undefined) throw new BenchError('template.yaml has no queue for AuditSessionFunction');
  const { fn } = route;
  const mapping = { ...route.queue.mapping, visibilityTimeoutSeconds: BENCH_VISIBILITY_SECONDS };

  const local = await startLocalAws(world, { dynamo: { tables: tableSpecsOf(template) } });
  const restore = patchEnv({ ...SDK_ENV, ...local.endpointEnv() });
  try {
    const env = {
      ...resolveEnvironment(template, fn),
      ...tableEnvironment(template, [fn]),
      ...local.endpointEnv(),
      AWS_REGION: BENCH_REGION,
      REPORT_COMPLIANT_SESSIONS: 'true',
    };
    const times = scenario.events.map((e) => Date.parse(String(e.event.time)));
    const first = Math.min(...times);
    const timeline = realTimeline(first);
    // Items expire and claims lapse on the burst's clock (event time, moving in real time).
    const clientOptions = { stateNow: () => timeline.now() };
    // The role sessions' STS records are in the state table before the burst, as in steady operation.
    await deliverStsRecords(scenario, env, clientOptions);
    local.calls.reset();
    local.faults.latencyMs = options.latencyMs;
    const containers = createContainers({ envFor: () => env, clientOptions });
    let invocations = 0;
    const esm = new EventSourceMapping(timeline, (_queue, records) => {
      invocations += 1;
      return containers.invokeBatch(fn, BENCH_REGION, BENCH_ACCOUNT, records);
    });
    const spec = {
      key: `${fn.logicalId}/${BENCH_REGION}`,
      arn: `arn:aws:sqs:${BENCH_REGION}:${BENCH_ACCOUNT}:${route.queue.logicalId}`,
      region: BENCH_REGION,
      mapping,
    };
    const arrivals = scenario.events.map((e, index) => ({
      at: times[index] ?? first,
      deliver: () => {
        esm.send(spec, e.event, index, times[index]);
      },
    }));
    const started = performance.now();
    await drain(esm, timeline, arrivals, { sequential: false });
    const drainSeconds = (performance.now() - started) / 1000;

    const fates = esm.fates();
    const calls = local.calls.snapshot();
    const throttled = local.quotas.throttled();
    const importCalls = calls['securityhub:BatchImportFindings'] ?? 0;
    const findingsStored = local.findings().length;
    const unexpectedOutcomes = fates.filter((f) => {
      const expected = scenario.events[f.tag as number]?.expectedOutcome;
      return f.last?.ok !== true || (f.last.result as { outcome?: string }).outcome !== expected;
    }).length;
    const bound = quotaBound(calls, (Math.max(...times) - first) / 1000);
    const totalCalls = Object.values(calls).reduce((sum, n) => sum + n, 0);
    return {
      events: scenario.events.length,
      burstSeconds: options.burstSeconds,
      latencyMsPerCall: options.latencyMs,
      batchSize: mapping.batchSize,
      windowSeconds: mapping.windowSeconds,
      maximumConcurrency: mapping.maximumConcurrency,
      visibilityTimeoutSeconds: mapping.visibilityTimeoutSeconds,
      invocations,
      findingsStored,
      importCalls,
      findingsPerImportCall: importCalls === 0 ? 0 : findingsStored / importCalls,
      callsPerEvent: Object.fromEntries(
        Object.entries(calls).map(([op, n]) => [op, n / scenario.events.length]),
      ),
      totalCallsPerEvent: totalCalls / scenario.events.length,
      throttled,
      throttledCalls: Object.values(throttled).reduce((sum, n) => sum + n, 0),
      redeliveredEvents: fates.filter((f) => f.receives > 1).length,
      deadLetters: fates.filter((f) => f.state === 'dead-letter').length,
      unexpectedOutcomes,
      drainSeconds,
      quotaBoundSeconds: bound.seconds,
      boundBy: bound.boundBy,
      drainRatio: bound.seconds === 0 ? Number.POSITIVE_INFINITY : drainSeconds / bound.seconds,
    };
  } finally {
    restore();
    await local.close();
  }
};
