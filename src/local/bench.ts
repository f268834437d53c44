/**
 * `runas-audit bench` (issue 3 §4): StartSession events through the real, warm handler against
 * the local endpoint with added latency per call, once with the warm-container caches and once
 * without; then a cold start proxy per function (bundle size, import time bundled vs unbundled).
 * Prints a table, writes the figures as JSON and checks the targets.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import {
  BENCH_ACCOUNT,
  BENCH_REGION,
  generateScenario,
  type Scenario,
  type ScenarioEvent,
} from './benchScenario.ts';
import { bundleFunction, esbuildOptionsFor } from './build.ts';
import { matchesPattern } from './eventPattern.ts';
import { UsageError } from './inputError.ts';
import { localCredentials, startLocalAws } from './server.ts';
import { type FunctionSpec, functionsOf, loadTemplate, resolveEnvironment } from './template.ts';

export class BenchError extends Error {
  override readonly name = 'BenchError';
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(['securityhub:BatchImportFindings']);
export const WARMUP_FRACTION = 0.1;
/** The uncached pass replays only this many events (ratios are per event) to keep the run short. */
export const UNCACHED_EVENT_LIMIT = 500;
export const IMPORT_RUNS = 10;
export const LIMITS = {
  steadyStateReadCallsPerEvent: 1.2,
  callReduction: 3,
  bundleBytes: 1_000_000,
  importShareOfUnbundled: 0.5,
} as const;

// --- Options --------------------------------------------------------------------------------------

export interface BenchOptions {
  readonly events: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  readonly latencyMs: number;
  readonly out: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  events: 2000,
  principals: 50,
  nodes: 200,
  documents: 3,
  latencyMs: 20,
  out: path.join(ROOT, 'bench-results.json'),
};

/** Bench flags as given on the command line (absent ones take the defaults). */
export type BenchFlags = Readonly<
  Partial<Record<'events' | 'principals' | 'nodes' | 'documents' | 'latency-ms' | 'out', string | undefined>>
>;

const integer = (
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      '',
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
};

export const benchOptions = (flags: BenchFlags): BenchOptions => ({
  events: integer(flags.events, 'events', DEFAULT_OPTIONS.events, 1, 1_000_000),
  principals: integer(flags.principals, 'principals', DEFAULT_OPTIONS.principals, 1, 9999),
  nodes: integer(flags.nodes, 'nodes', DEFAULT_OPTIONS.nodes, 1, 100_000),
  documents: integer(flags.documents, 'documents', DEFAULT_OPTIONS.documents, 1, 100),
  latencyMs: integer(flags['latency-ms'], 'latency-ms', DEFAULT_OPTIONS.latencyMs, 0, 10_000),
  out: flags.out === undefined ? DEFAULT_OPTIONS.out : path.resolve(flags.out),
});

// --- Statistics (pure) ----------------------------------------------------------------------------

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

const divide = (a: number, b: number): number | null => (b === 0 ? null : a / b);

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
 * imports its finding, and the first sight of each node costs two reads (platform, inventory),
 * of each principal one (its tags), of each role session one (its AssumeRole record) and of
 * each document one. Later sights are what a cache can save.
 */
export const compulsoryCallsPerEvent = (scenario: Scenario, events: readonly ScenarioEvent[]): number => {
  const distinct = <T>(key: (event: ScenarioEvent) => T): number => new Set(events.map(key)).size;
  const roleSessions = new Set(
    events.filter((e) => scenario.principals[e.principal]?.kind === 'role').map((e) => e.principal),
  ).size;
  const reads =
    2 * distinct((e) => e.node) + distinct((e) => e.principal) + roleSessions + distinct((e) => e.document);
  return (events.length + reads) / events.length;
};

export const evaluateTargets = (
  cached: RunSummary,
  ratio: RunRatio,
  functions: readonly FunctionFigures[],
  /** uncached calls per event ÷ compulsoryCallsPerEvent: the best reduction any cache could reach. */
  bestReduction: number = Number.POSITIVE_INFINITY,
): Target[] => {
  const atMost = (name: string, value: number, limit: number): Target => ({
    name,
    value,
    limit,
    ok: value <= limit,
  });
  const reduction = ratio.totalCallsPerEvent ?? Number.POSITIVE_INFINITY;
  return [
    atMost(
      'cached: read calls per event at steady state <= limit',
      cached.steadyStateReadCallsPerEvent,
      LIMITS.steadyStateReadCallsPerEvent,
    ),
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

// --- Report ---------------------------------------------------------------------------------------

export interface ScenarioDescription {
  readonly accountId: string;
  readonly region: string;
  readonly seed: number;
  readonly events: number;
  readonly uncachedEvents: number;
  readonly principals: { readonly total: number; readonly users: number; readonly roles: number };
  readonly untaggedPrincipals: number;
  readonly sessionTaggedRoles: number;
  readonly nodes: number;
  readonly documents: readonly string[];
  readonly latencyMsPerCall: number;
  readonly cacheTtlSeconds: { readonly cached: number; readonly uncached: number };
  readonly reportCompliantSessions: true;
  readonly handler: string;
  readonly notes: readonly string[];
}

export interface PassResult {
  readonly summary: RunSummary;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Events whose outcome differs from the one the scenario was built to produce. */
  readonly unexpectedOutcomes: number;
  readonly findingsStored: number;
}

export interface BenchReport {
  readonly scenario: ScenarioDescription;
  readonly cached: RunSummary & Omit<PassResult, 'summary'>;
  readonly uncached: RunSummary & Omit<PassResult, 'summary'>;
  readonly ratio: RunRatio;
  readonly functions: readonly FunctionFigures[];
  readonly targets: readonly Target[];
  readonly node: string;
  readonly date: string;
}

const fixed = (value: number | null, digits: number): string =>
  value === null ? 'n/a (cached 0)' : Number.isFinite(value) ? value.toFixed(digits) : String(value);

const table = (rows: readonly (readonly string[])[]): string => {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
};

export const formatReport = (report: BenchReport): string => {
  const { scenario: s, cached, uncached, ratio } = report;
  const ops = [
    ...new Set([...Object.keys(cached.callsPerEvent), ...Object.keys(uncached.callsPerEvent)]),
  ].sort();
  const readOps = ops.filter((op) => !WRITE_OPERATIONS.has(op));
  const writeOps = ops.filter((op) => WRITE_OPERATIONS.has(op));
  const perOp = (op: string): string[] => {
    const c = cached.callsPerEvent[op] ?? 0;
    const u = uncached.callsPerEvent[op] ?? 0;
    return [`  ${op}`, c.toFixed(3), u.toFixed(3), fixed(divide(u, c), 1)];
  };
  const outcomeNames = [
    ...new Set([...Object.keys(cached.outcomes), ...Object.keys(uncached.outcomes)]),
  ].sort();
  const lines = [
    `ssm-runas-auditor benchmark (${report.node}, ${report.date})`,
    `scenario: ${s.events} StartSession events (uncached pass: the first ${s.uncachedEvents}), ` +
      `${s.principals.total} principals (${s.principals.users} IAM users, ${s.principals.roles} role sessions; ` +
      `${s.untaggedPrincipals} untagged, ${s.sessionTaggedRoles} with session tags), ${s.nodes} Linux nodes, ` +
      `${s.documents.length} session documents, ${s.latencyMsPerCall} ms added per AWS call, seed ${s.seed}`,
    `handler: ${s.handler}, one warm instance per pass, events in sequence, REPORT_COMPLIANT_SESSIONS=true`,
    ...s.notes.map((note) => `note: ${note}`),
    '',
    table([
      [
        'AWS calls per event',
        `cached (TTL ${s.cacheTtlSeconds.cached}s)`,
        'uncached (TTL 0)',
        'uncached/cached',
      ],
      ...readOps.map(perOp),
      [
        'read calls',
        cached.readCallsPerEvent.toFixed(3),
        uncached.readCallsPerEvent.toFixed(3),
        fixed(ratio.readCallsPerEvent, 1),
      ],
      [
        `read calls, steady state (after ${cached.warmupEvents} / ${uncached.warmupEvents} warm-up events)`,
        cached.steadyStateReadCallsPerEvent.toFixed(3),
        uncached.steadyStateReadCallsPerEvent.toFixed(3),
        fixed(ratio.steadyStateReadCallsPerEvent, 1),
      ],
      ...writeOps.map(perOp),
      [
        'all calls',
        cached.totalCallsPerEvent.toFixed(3),
        uncached.totalCallsPerEvent.toFixed(3),
        fixed(ratio.totalCallsPerEvent, 1),
      ],
      ['', '', '', ''],
      ['Throughput and handler latency', '', '', ''],
      [
        '  events/s',
        cached.eventsPerSecond.toFixed(1),
        uncached.eventsPerSecond.toFixed(1),
        fixed(ratio.eventsPerSecond, 2),
      ],
      [
        '  p50 ms',
        cached.latencyMs.p50.toFixed(1),
        uncached.latencyMs.p50.toFixed(1),
        fixed(ratio.p50LatencyMs, 2),
      ],
      [
        '  p95 ms',
        cached.latencyMs.p95.toFixed(1),
        uncached.latencyMs.p95.toFixed(1),
        fixed(ratio.p95LatencyMs, 2),
      ],
      ['  max ms', cached.latencyMs.max.toFixed(1), uncached.latencyMs.max.toFixed(1), ''],
      [
        '  events / wall s',
        `${cached.events} / ${cached.wallSeconds.toFixed(1)}`,
        `${uncached.events} / ${uncached.wallSeconds.toFixed(1)}`,
        '',
      ],
      ['', '', '', ''],
      ['Outcomes', '', '', ''],
      ...outcomeNames.map((name) => [
        `  ${name}`,
        String(cached.outcomes[name] ?? 0),
        String(uncached.outcomes[name] ?? 0),
        '',
      ]),
      [
        '  not as the scenario intended',
        String(cached.unexpectedOutcomes),
        String(uncached.unexpectedOutcomes),
        '',
      ],
      ['  findings stored', String(cached.findingsStored), String(uncached.findingsStored), ''],
    ]),
    '',
    `Cold start proxy (median of ${IMPORT_RUNS} fresh node processes each, after one discarded run)`,
    table([
      ['function', 'bundle bytes', 'import bundled ms', 'import unbundled ms', 'bundled/unbundled'],
      ...report.functions.map((fn) => [
        fn.logicalId,
        String(fn.bundleBytes),
        fn.importMsBundled.toFixed(1),
        fn.importMsUnbundled.toFixed(1),
        fixed(divide(fn.importMsBundled, fn.importMsUnbundled), 2),
      ]),
    ]),
    '',
    'Targets',
    ...report.targets.map(
      (t) =>
        `  ${t.ok ? 'OK    ' : t.notApplicable === undefined ? 'MISSED' : 'n/a   '}  ${t.name}: ${Number.isInteger(t.value) ? t.value : t.value.toFixed(3)} (limit ${Number.isInteger(t.limit) ? t.limit : t.limit.toFixed(3)})` +
        (t.ok || t.notApplicable === undefined ? '' : `\n          not applicable: ${t.notApplicable}`),
    ),
  ];
  const missed = report.targets.filter((t) => !t.ok && t.notApplicable === undefined).length;
  const notApplicable = report.targets.filter((t) => !t.ok && t.notApplicable !== undefined).length;
  const applicable = notApplicable === 0 ? '' : ` (${notApplicable} not applicable to this run)`;
  lines.push(missed === 0 ? `all targets met${applicable}` : `${missed} target(s) MISSED${applicable}`, '');
  return lines.join('\n');
};

// --- Running the handler --------------------------------------------------------------------------

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** What the bench needs of a handler module: `createHandler(env)` as in handlers/auditSession.ts. */
export interface HandlerModule {
  readonly createHandler: (env: Readonly<Record<string, string | undefined>>) => Handler;
}

const lambdaContext = (functionName: string, index: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${BENCH_REGION}:${BENCH_ACCOUNT}:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: `bench-${index}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const outcomeOf = (result: unknown): string =>
  typeof result === 'object' && result !== null && 'outcome' in result && typeof result.outcome === 'string'
    ? result.outcome
    : 'skipped';

/** Dummy credentials and no instance metadata: the SDK must reach nothing but the local endpoint. */
const SDK_ENV: Readonly<Record<string, string | undefined>> = {
  ...localCredentials,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Sets process.env keys (undefined deletes) and returns a function that puts the old values back. */
const patchEnv = (values: Readonly<Record<string, string | undefined>>): (() => void) => {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (next: Readonly<Record<string, string | undefined>>): void => {
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(previous);
};

export interface PassOptions {
  readonly scenario: Scenario;
  readonly events: readonly ScenarioEvent[];
  readonly module: HandlerModule;
  readonly functionName: string;
  /** The function's environment (template defaults); the pass adds the endpoint and cache settings. */
  readonly env: Readonly<Record<string, string>>;
  readonly cacheTtlSeconds: number;
  readonly latencyMs: number;
}

/** One pass: a fresh local endpoint and one warm handler, the events in sequence. */
export const runPass = async (options: PassOptions): Promise<PassResult> => {
  const local = await startLocalAws(options.scenario.world);
  const restore = patchEnv({ ...SDK_ENV, ...local.endpointEnv() });
  try {
    local.faults.latencyMs = options.latencyMs;
    const handler = options.module.createHandler({
      ...options.env,
      ...local.endpointEnv(),
      AWS_REGION: BENCH_REGION,
      REPORT_COMPLIANT_SESSIONS: 'true',
      CACHE_TTL_SECONDS: String(options.cacheTtlSeconds),
    });
    const samples: CallSample[] = [];
    const outcomes: Record<string, number> = {};
    let unexpectedOutcomes = 0;
    const started = performance.now();
    for (const [index, item] of options.events.entries()) {
      const before = local.calls.snapshot();
      const t0 = performance.now();
      let result: unknown;
      try {
        result = await handler(item.event, lambdaContext(options.functionName, index));
      } catch (cause) {
        throw new BenchError(
          `event ${index} failed in the handler: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      const latencyMs = performance.now() - t0;
      samples.push({ latencyMs, calls: callsBetween(before, local.calls.snapshot()) });
      const outcome = outcomeOf(result);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome !== item.expectedOutcome) unexpectedOutcomes++;
    }
    const wallMs = performance.now() - started;
    return {
      summary: summarizeRun(samples, wallMs),
      outcomes,
      unexpectedOutcomes,
      findingsStored: local.findings().length,
    };
  } finally {
    restore();
    await local.close();
  }
};

// --- Cold start proxy -----------------------------------------------------------------------------

const IMPORT_SCRIPT = [
  'const t0 = performance.now();',
  'await import(process.argv[1]);',
  "process.stdout.write('BENCH_IMPORT_MS=' + (performance.now() - t0) + '\\n');",
].join('\n');

const IMPORT_TIMEOUT_MS = 60_000;

/** Imports a module in a fresh node process and returns the elapsed ms it measured inside. */
export const timeImport = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
      {
        // Only what the handler's cold start needs: config is loaded at import.
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: IMPORT_TIMEOUT_MS,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (cause) => reject(new BenchError(`cannot start ${process.execPath}`, { cause })));
    child.on('close', (code, signal) => {
      const ms = Number(/BENCH_IMPORT_MS=([\d.]+)/.exec(stdout)?.[1]);
      if (code !== 0 || !Number.isFinite(ms)) {
        reject(
          new BenchError(
            `importing ${file} failed (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
        return;
      }
      resolve(ms);
    });
  });

/** Our code bundled, every package imported from node_modules at run time: the unbundled baseline. */
const buildUnbundled = async (fn: FunctionSpec, outdir: string): Promise<string> => {
  const result = await build({ ...esbuildOptionsFor(fn, { outdir }), packages: 'external' });
  const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
  const output = Object.entries(result.metafile?.outputs ?? {}).find(
    ([file, meta]) => meta.entryPoint !== undefined && path.parse(file).name === moduleName,
  );
  if (output === undefined)
    throw new BenchError(`${fn.logicalId}: the unbundled build has no ${moduleName} module`);
  return path.resolve(fn.codeDir, output[0]);
};

export const measureFunction = async (fn: FunctionSpec, runs = IMPORT_RUNS): Promise<FunctionFigures> => {
  const bundled = await bundleFunction(fn);
  // Inside the repository so that bare imports resolve from its node_modules.
  const unbundledDir = await mkdtemp(path.join(ROOT, '.bench-unbundled-'));
  try {
    const unbundled = await buildUnbundled(fn, unbundledDir);
    // One discarded import each: both then start from a warm file system cache.
    await timeImport(bundled.outfile);
    await timeImport(unbundled);
    const bundledMs: number[] = [];
    const unbundledMs: number[] = [];
    // Interleaved, so drift in machine load affects both alike.
    for (let i = 0; i < runs; i++) {
      bundledMs.push(await timeImport(bundled.outfile));
      unbundledMs.push(await timeImport(unbundled));
    }
    return {
      logicalId: fn.logicalId,
      bundleBytes: bundled.bytes,
      importMsBundled: median(bundledMs),
      importMsUnbundled: median(unbundledMs),
    };
  } finally {
    await rm(bundled.outdir, { recursive: true, force: true });
    await rm(unbundledDir, { recursive: true, force: true });
  }
};

// --- The command ----------------------------------------------------------------------------------

const describeScenario = (
  scenario: Scenario,
  uncachedEvents: number,
  latencyMs: number,
  handler: string,
): ScenarioDescription => {
  const roles = scenario.principals.filter((p) => p.kind === 'role');
  const notes = [
    'handler logs are silenced (POWERTOOLS_LOG_LEVEL=SILENT) so that the table stays readable',
    'the local endpoint runs in the same process as the handler; latencies include its work and the added latency',
    'cache entries live 60 s of wall-clock time and events are replayed back to back, not at their event-time pace: the cached figures are those of a busy container',
  ];
  if (uncachedEvents < scenario.events.length) {
    notes.push(
      `the uncached pass replays only the first ${uncachedEvents} events (to keep the run short); all figures are per event`,
    );
  }
  return {
    accountId: scenario.world.accountId,
    region: BENCH_REGION,
    seed: scenario.options.seed,
    events: scenario.events.length,
    uncachedEvents,
    principals: {
      total: scenario.principals.length,
      users: scenario.principals.length - roles.length,
      roles: roles.length,
    },
    untaggedPrincipals: scenario.principals.filter((p) => p.runAsTag === undefined).length,
    sessionTaggedRoles: roles.filter((p) => p.sessionTag !== undefined).length,
    nodes: scenario.nodeIds.length,
    documents: scenario.documentNames,
    latencyMsPerCall: latencyMs,
    cacheTtlSeconds: { cached: 60, uncached: 0 },
    reportCompliantSessions: true,
    handler,
    notes,
  };
};

const auditFunctionOf = (functions: readonly FunctionSpec[], event: unknown): FunctionSpec => {
  const matching = functions.filter((fn) => fn.rules.some((rule) => matchesPattern(rule.pattern, event)));
  const [only] = matching;
  if (only === undefined || matching.length > 1) {
    throw new BenchError(
      `expected exactly one function for StartSession in template.yaml, found ${matching.length}: ${matching.map((fn) => fn.logicalId).join(', ')}`,
    );
  }
  return only;
};

/** The TypeScript entry point that holds the handler module (`handlers/auditSession.ts`). */
const entryFileOf = (fn: FunctionSpec): string => {
  const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
  const entry = fn.entryPoints.find((file) => path.parse(file).name === moduleName);
  if (entry === undefined) throw new BenchError(`${fn.logicalId}: no entry point for ${fn.handler}`);
  return path.resolve(fn.codeDir, entry);
};

export const runBenchmark = async (options: BenchOptions): Promise<number> => {
  {
    const scenario = generateScenario(options);
    const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
    const functions = functionsOf(template);
    const first = scenario.events[0];
    if (first === undefined) throw new BenchError('the scenario has no events');
    const fn = auditFunctionOf(functions, first.event);
    const env = { ...resolveEnvironment(template, fn), AWS_REGION: BENCH_REGION };
    const uncachedEvents = Math.min(scenario.events.length, UNCACHED_EVENT_LIMIT);

    // The handler module builds Lambda's handler at import, which reads AWS_REGION; the logger reads
    // its level once, when first imported (Powertools resets it to that level on every invocation).
    const restoreEnv = patchEnv({
      AWS_REGION: process.env.AWS_REGION ?? BENCH_REGION,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    let cached: PassResult;
    let uncached: PassResult;
    try {
      const module = (await import(pathToFileURL(entryFileOf(fn)).href)) as HandlerModule;
      const pass = { scenario, module, functionName: fn.logicalId, env, latencyMs: options.latencyMs };
      console.error(`bench: cached pass, ${scenario.events.length} events…`);
      cached = await runPass({ ...pass, events: scenario.events, cacheTtlSeconds: 60 });
      console.error(`bench: uncached pass, ${uncachedEvents} events…`);
      uncached = await runPass({
        ...pass,
        events: scenario.events.slice(0, uncachedEvents),
        cacheTtlSeconds: 0,
      });
    } finally {
      restoreEnv();
    }

    const figures: FunctionFigures[] = [];
    for (const each of functions) {
      console.error(`bench: cold start proxy for ${each.logicalId}…`);
      figures.push(await measureFunction(each));
    }

    const ratio = compareRuns(cached.summary, uncached.summary);
    const { summary: cachedSummary, ...cachedRest } = cached;
    const { summary: uncachedSummary, ...uncachedRest } = uncached;
    const report: BenchReport = {
      scenario: describeScenario(
        scenario,
        uncachedEvents,
        options.latencyMs,
        `${fn.logicalId} (${fn.handler})`,
      ),
      cached: { ...cachedSummary, ...cachedRest },
      uncached: { ...uncachedSummary, ...uncachedRest },
      ratio,
      functions: figures,
      targets: evaluateTargets(
        cached.summary,
        ratio,
        figures,
        uncached.summary.totalCallsPerEvent / compulsoryCallsPerEvent(scenario, scenario.events),
      ),
      node: process.version,
      date: new Date().toISOString(),
    };
    process.stdout.write(formatReport(report));
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures written to ${options.out}`);
    return 0;
  }
};
