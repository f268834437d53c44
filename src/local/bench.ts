/**
 * `runas-audit bench`: StartSession events through the real, warm handler against
 * the local endpoint with added latency per call, once with the warm-container caches and once
 * without; then the cold start proxy of each function (benchColdStart.ts). Prints the report
 * (benchReport.ts) with the targets (benchStats.ts) and writes the figures as JSON.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { measureFunction } from './benchColdStart.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from './benchRecords.ts';
import { type BenchReport, describeScenario, formatReport, type PassResult } from './benchReport.ts';
import { generateScenario, type Scenario, type ScenarioEvent } from './benchScenario.ts';
import {
  BenchError,
  type CallSample,
  callsBetween,
  compareRuns,
  compulsoryCallsPerEvent,
  evaluateTargets,
  type FunctionFigures,
  summarizeRun,
  UNCACHED_EVENT_LIMIT,
} from './benchStats.ts';
import { matchesPattern } from './eventPattern.ts';
import { UsageError } from './inputError.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { localCredentials, startLocalAws } from './server.ts';
import { type FunctionSpec, loadTemplate } from './template.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

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

// --- The command ----------------------------------------------------------------------------------

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
