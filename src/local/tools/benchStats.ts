/**
 * The benchmark's figures, pure: per-event call counts and latencies of a pass, the cached
 * against the uncached pass, the fewest calls any cache could make, and the targets.
 */
import type { BurstFigures } from './benchBurst.ts';
import type { Scenario, ScenarioEvent } from './benchScenario.ts';

export class BenchError extends Error {
  override readonly name = 'BenchError';
}

export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'securityhub:BatchImportFindings',
  // The state table's ledger (one entry per session) and pending sessions.
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
]);
export const WARMUP_FRACTION = 0.1;
/** The uncached pass replays only this many events (ratios are per event) to keep the run short. */
export const UNCACHED_EVENT_LIMIT = 500;
export const IMPORT_RUNS = 10;
export const LIMITS = {
  steadyStateReadCallsPerEvent: 0.1,
  burstFindingsPerImportCall: 50,
  burstDeadLetters: 0,
  burstDrainRatio: 1.5,
  callReduction: 3,
  bundleBytes: 1_000_000,
  importShareOfUnbundled: 0.5,
} as const;

/** One handler invocation: its latency and the AWS calls it made, by `service:Operation`. */
export interface CallSample {
  readonly latencyMs: number;
  readonly calls: Readonly<Record<string, number>>;
}

export interface RunSummary {
  readonly events: number;
  readonly wallSeconds: number;
  readonly eventsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly callsPerEvent: Readonly<Record<string, number>>;
  readonly readCallsPerEvent: number;
  /** BatchImportFindings calls per event. */
  readonly writeCallsPerEvent: number;
  readonly totalCallsPerEvent: number;
  /** Events left out of the steady-state figure (the first 10%). */
  readonly warmupEvents: number;
  readonly steadyStateReadCallsPerEvent: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
};

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
};

const readCalls = (calls: Readonly<Record<string, number>>): number =>
  Object.entries(calls).reduce((sum, [op, n]) => (WRITE_OPERATIONS.has(op) ? sum : sum + n), 0);

/** Calls made between two CallLog snapshots. */
export const callsBetween = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const delta = n - (before[op] ?? 0);
    if (delta > 0) out[op] = delta;
  }
  return out;
};

export const summarizeRun = (samples: readonly CallSample[], wallMs: number): RunSummary => {
  const events = samples.length;
  if (events === 0) throw new BenchError('a run needs at least one event');
  const totals: Record<string, number> = {};
  for (const sample of samples) {
    for (const [op, n] of Object.entries(sample.calls)) totals[op] = (totals[op] ?? 0) + n;
  }
  const callsPerEvent = Object.fromEntries(
    Object.entries(totals)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]) => [op, n / events]),
  );
  const reads = readCalls(totals);
  const all = Object.values(totals).reduce((sum, n) => sum + n, 0);
  const warmupEvents = Math.floor(events * WARMUP_FRACTION);
  const steady = samples.slice(warmupEvents);
  const latencies = samples.map((s) => s.latencyMs);
  return {
    events,
    wallSeconds: wallMs / 1000,
    eventsPerSecond: events / (wallMs / 1000),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: latencies.reduce((a, b) => Math.max(a, b), 0),
    },
    callsPerEvent,
    readCallsPerEvent: reads / events,
    writeCallsPerEvent: (all - reads) / events,
    totalCallsPerEvent: all / events,
    warmupEvents,
    steadyStateReadCallsPerEvent: steady.reduce((sum, s) => sum + readCalls(s.calls), 0) / steady.length,
  };
};

/** uncached ÷ cached for each figure; null when the cached figure is 0 (no finite ratio). */
export interface RunRatio {
  readonly totalCallsPerEvent: number | null;
  readonly readCallsPerEvent: number | null;
  readonly steadyStateReadCallsPerEvent: number | null;
  readonly eventsPerSecond: number | null;
  readonly p50LatencyMs: number | null;
  readonly p95LatencyMs: number | null;
}

export const divide = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export const compareRuns = (cached: RunSummary, uncached: RunSummary): RunRatio => ({
  totalCallsPerEvent: divide(uncached.totalCallsPerEvent, cached.totalCallsPerEvent),
  readCallsPerEvent: divide(uncached.readCallsPerEvent, cached.readCallsPerEvent),
  steadyStateReadCallsPerEvent: divide(
    uncached.steadyStateReadCallsPerEvent,
    cached.steadyStateReadCallsPerEvent,
  ),
  eventsPerSecond: divide(uncached.eventsPerSecond, cached.eventsPerSecond),
  p50LatencyMs: divide(uncached.latencyMs.p50, cached.latencyMs.p50),
  p95LatencyMs: divide(uncached.latencyMs.p95, cached.latencyMs.p95),
});

export interface FunctionFigures {
  readonly logicalId: string;
  readonly bundleBytes: number;
  readonly importMsBundled: number;
  readonly importMsUnbundled: number;
}

export interface Target {
  readonly name: string;
  readonly value: number;
  readonly limit: number;
  readonly ok: boolean;
  /** Why this run cannot judge the target: no cache could meet it on these events. */
  readonly notApplicable?: string;
}

/**
 * The fewest AWS calls per event that any cache could make on these events: every event
 * imports its finding and marks the ledger, and the first sight of each node costs two reads
 * (platform, inventory), of each principal two (its tags, and their history in the state table),
 * of each role session one (its STS record in the state table) and of each document two
 * (`$LATEST`, which sessions run, and `$DEFAULT`, to say when it differs). Later sights are what
 * a cache can save.
 */
export const compulsoryCallsPerEvent = (scenario: Scenario, events: readonly ScenarioEvent[]): number => {
  const distinct = <T>(key: (event: ScenarioEvent) => T): number => new Set(events.map(key)).size;
  const roleSessions = new Set(
    events.filter((e) => scenario.principals[e.principal]?.kind === 'role').map((e) => e.principal),
  ).size;
  const reads =
    2 * distinct((e) => e.node) +
    2 * distinct((e) => e.principal) +
    roleSessions +
    2 * distinct((e) => e.document);
  return (2 * events.length + reads) / events.length;
};

/**
 * The fewest read calls per event any cache could make at steady state (after the warm-up): the
 * first sights that come after it, counted as in compulsoryCallsPerEvent.
 */
export const compulsorySteadyStateReads = (scenario: Scenario, events: readonly ScenarioEvent[]): number => {
  const warmup = Math.floor(events.length * WARMUP_FRACTION);
  const seen = { node: new Set<number>(), principal: new Set<number>(), document: new Set<string>() };
  let reads = 0;
  for (const [index, e] of events.entries()) {
    const cost =
      (seen.node.has(e.node) ? 0 : 2) +
      (seen.principal.has(e.principal) ? 0 : scenario.principals[e.principal]?.kind === 'role' ? 3 : 2) +
      (seen.document.has(e.document) ? 0 : 2);
    seen.node.add(e.node);
    seen.principal.add(e.principal);
    seen.document.add(e.document);
    if (index >= warmup) reads += cost;
  }
  return events.length === warmup ? 0 : reads / (events.length - warmup);
};

export const evaluateTargets = (
  cached: RunSummary,
  ratio: RunRatio,
  functions: readonly FunctionFigures[],
  /** uncached calls per event ÷ compulsoryCallsPerEvent: the best reduction any cache could reach. */
  bestReduction: number = Number.POSITIVE_INFINITY,
  /** compulsorySteadyStateReads: the fewest steady-state reads any cache could make. */
  leastSteadyStateReads = 0,
): Target[] => {
  const atMost = (name: string, value: number, limit: number): Target => ({
    name,
    value,
    limit,
    ok: value <= limit,
  });
  const reduction = ratio.totalCallsPerEvent ?? Number.POSITIVE_INFINITY;
  return [
    {
      ...atMost(
        'cached: read calls per event at steady state <= limit',
        cached.steadyStateReadCallsPerEvent,
        LIMITS.steadyStateReadCallsPerEvent,
      ),
      ...(leastSteadyStateReads > LIMITS.steadyStateReadCallsPerEvent
        ? {
            notApplicable:
              `even a perfect cache reads ${leastSteadyStateReads.toFixed(3)} per event at steady state on this run: ` +
              'most of its events after the warm-up are a first sight of their node, principal or document',
          }
        : {}),
    },
    {
      name: 'all calls per event, uncached / cached >= limit',
      value: reduction,
      limit: LIMITS.callReduction,
      ok: reduction >= LIMITS.callReduction,
      ...(bestReduction < LIMITS.callReduction
        ? {
            notApplicable:
              `even a perfect cache saves at most ${bestReduction.toFixed(2)}x on this run: too few events ` +
              'per node, principal and document for the first reads of each to pay off (the default run has 10 per node)',
          }
        : {}),
    },
    ...functions.flatMap((fn) => [
      atMost(`${fn.logicalId}: bundle bytes <= limit`, fn.bundleBytes, LIMITS.bundleBytes),
      atMost(
        `${fn.logicalId}: bundled import ms <= limit (half the unbundled)`,
        fn.importMsBundled,
        fn.importMsUnbundled * LIMITS.importShareOfUnbundled,
      ),
    ]),
  ];
};

/** The burst's targets: full import calls, nothing dead-lettered, drained near the quotas' pace. */
export const burstTargets = (burst: BurstFigures): Target[] => [
  {
    name: 'burst: findings per BatchImportFindings call >= limit',
    value: burst.findingsPerImportCall,
    limit: LIMITS.burstFindingsPerImportCall,
    ok: burst.findingsPerImportCall >= LIMITS.burstFindingsPerImportCall,
  },
  {
    name: 'burst: dead letters <= limit',
    value: burst.deadLetters,
    limit: LIMITS.burstDeadLetters,
    ok: burst.deadLetters <= LIMITS.burstDeadLetters,
  },
  {
    name: `burst: drain time / quota-bound minimum (${burst.boundBy}) <= limit`,
    value: burst.drainRatio,
    limit: LIMITS.burstDrainRatio,
    ok: burst.drainRatio <= LIMITS.burstDrainRatio,
  },
];
