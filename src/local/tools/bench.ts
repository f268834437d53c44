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
import type { TableSpec } from '../services/dynamo.ts';
import { ManualClock } from '../services/quotas.ts';
import { startLocalAws } from '../services/server.ts';
import { type BurstFigures, runBurst } from './benchBurst.ts';
import { measureFunction, measureTracerCost } from './benchColdStart.ts';
import { patchEnv, SDK_ENV } from './benchEnv.ts';
import { runHistoryBenches } from './benchHistoryRun.ts';
import { deliverStsRecords, identityFigures, identityTargets } from './benchIdentity.ts';
import type { BenchOptions } from './benchOptions.ts';
import { BENCH_ACCOUNT, BENCH_REGION, BENCH_START } from './benchRecords.ts';
import { type BenchReport, describeScenario, formatReport, type PassResult } from './benchReport.ts';
import { generateScenario, type Scenario, type ScenarioEvent } from './benchScenario.ts';
import { runSessionLogs, type SessionLogFigures, sessionLogTargets } from './benchSessionLogs.ts';
import {
  BenchError,
  burstTargets,
  type CallSample,
  callsBetween,
  compareRuns,
  compulsoryCallsPerEvent,
  compulsorySteadyStateReads,
  evaluateTargets,
  type FunctionFigures,
  summarizeRun,
  UNCACHED_EVENT_LIMIT,
} from './benchStats.ts';
import { type DeliveryPath, deliveryPathsOf } from './deliveryPath.ts';
import { matchesPattern } from './eventPattern.ts';
import { type HandlerModule, lambdaContextOf } from './lambdaContainers.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { tableEnvironment, tableSpecsOf } from './tableSpec.ts';
import { type FunctionSpec, loadTemplate } from './template.ts';
import { virtualPacingClock } from './virtualTime.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export { type BenchFlags, type BenchOptions, benchOptions, DEFAULT_OPTIONS } from './benchOptions.ts';

// --- Running the handler --------------------------------------------------------------------------

const lambdaContext = (functionName: string, index: number): Context =>
  lambdaContextOf({
    functionName,
    region: BENCH_REGION,
    account: BENCH_ACCOUNT,
    memoryMb: 256,
    requestId: `bench-${index}`,
    remainingMs: () => 30_000,
  });

const outcomeOf = (result: unknown): string =>
  typeof result === 'object' && result !== null && 'outcome' in result && typeof result.outcome === 'string'
    ? result.outcome
    : 'skipped';

/** The pace of a busy container (40 sessions a second), which the caches' clock keeps in the passes. */
export const BUSY_CONTAINER_MS_PER_EVENT = 25;

export interface PassOptions {
  readonly scenario: Scenario;
  readonly events: readonly ScenarioEvent[];
  readonly module: HandlerModule;
  readonly functionName: string;
  /** The function's environment (template defaults); the pass adds the endpoint and cache settings. */
  readonly env: Readonly<Record<string, string>>;
  readonly cacheTtlSeconds: number;
  readonly latencyMs: number;
  /** The template's tables, created in the pass's local DynamoDB (its STATE_TABLE_NAME is in env). */
  readonly tables: readonly TableSpec[];
}

/** One pass: a fresh local endpoint and one warm handler, the events in sequence. */
export const runPass = async (options: PassOptions): Promise<PassResult> => {
  const local = await startLocalAws(options.scenario.world, { dynamo: { tables: options.tables } });
  const restore = patchEnv({ ...SDK_ENV, ...local.endpointEnv() });
  try {
    local.faults.latencyMs = options.latencyMs;
    // Events run back to back, not at their event-time pace: pacing waits pass in event time, not
    // real time, so latencies are the handler's own (the burst pass measures pacing for real); the
    // caches' clock moves BUSY_CONTAINER_MS_PER_EVENT per event, whatever the machine's speed.
    let modeledMs = Date.parse(BENCH_START);
    const env = {
      ...options.env,
      ...local.endpointEnv(),
      AWS_REGION: BENCH_REGION,
      REPORT_COMPLIANT_SESSIONS: 'true',
      CACHE_TTL_SECONDS: String(options.cacheTtlSeconds),
    };
    const clock = new ManualClock(Date.parse(BENCH_START));
    const clientOptions = { pacingClock: virtualPacingClock(clock), stateNow: () => clock.now() };
    // The role sessions' records arrive first, as they do before anyone starts a session.
    const delivered = await deliverStsRecords(options.scenario, env, clientOptions);
    const handler = options.module.createHandler(env, { ...clientOptions, cacheNow: () => modeledMs });
    const samples: CallSample[] = [];
    const outcomes: Record<string, number> = {};
    let unexpectedOutcomes = 0;
    const started = performance.now();
    for (const [index, item] of options.events.entries()) {
      modeledMs += BUSY_CONTAINER_MS_PER_EVENT;
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
      identity: identityFigures(options.scenario, options.events, samples, delivered),
    };
  } finally {
    restore();
    await local.close();
  }
};

// --- The command ----------------------------------------------------------------------------------

const auditFunctionOf = (paths: readonly DeliveryPath[], event: unknown): FunctionSpec => {
  const matching = paths
    .filter((p) => p.patterns.some((pattern) => matchesPattern(pattern, event)))
    .map((p) => p.fn);
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
    const fn = auditFunctionOf(deliveryPathsOf(template, functions), first.event);
    const env = {
      ...resolveEnvironment(template, fn),
      ...tableEnvironment(template, [fn]),
      AWS_REGION: BENCH_REGION,
    };
    const tables = tableSpecsOf(template);
    const uncachedEvents = Math.min(scenario.events.length, UNCACHED_EVENT_LIMIT);

    // The handler module builds Lambda's handler at import, which reads AWS_REGION; the logger reads
    // its level once, when first imported (Powertools resets it to that level on every invocation).
    const restoreEnv = patchEnv({
      AWS_REGION: process.env.AWS_REGION ?? BENCH_REGION,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    let cached: PassResult;
    let uncached: PassResult;
    try {
      const module = (await import(pathToFileURL(entryFileOf(fn)).href)) as HandlerModule;
      const pass = {
        scenario,
        module,
        functionName: fn.logicalId,
        env,
        latencyMs: options.latencyMs,
        tables,
      };
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

    let burst: BurstFigures | undefined;
    if (options.burstEvents > 0) {
      console.error(
        `bench: burst of ${options.burstEvents} events within ${options.burstSeconds} s, through the queue…`,
      );
      const restoreLogs = patchEnv({ POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
      try {
        burst = await runBurst({
          events: options.burstEvents,
          burstSeconds: options.burstSeconds,
          principals: options.principals,
          nodes: options.nodes,
          documents: options.documents,
          latencyMs: options.latencyMs,
        });
      } finally {
        restoreLogs();
      }
    }

    let sessionLogs: SessionLogFigures | undefined;
    if (options.burstEvents > 0) {
      const events = Math.min(options.events, 300);
      console.error(`bench: ${events} streamed sessions verified by their session log, in event time…`);
      const restoreLogs = patchEnv({ POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
      try {
        sessionLogs = await runSessionLogs({ ...options, events });
      } finally {
        restoreLogs();
      }
    }

    const figures: FunctionFigures[] = [];
    for (const each of functions) {
      console.error(`bench: cold start proxy for ${each.logicalId}…`);
      figures.push(await measureFunction(each));
    }
    console.error(`bench: Powertools Tracer's cold start cost on ${fn.logicalId}…`);
    const tracer = await measureTracerCost(fn);

    const history = await runHistoryBenches(options);
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
      ...(burst === undefined ? {} : { burst }),
      ...(sessionLogs === undefined ? {} : { sessionLogs }),
      tracer,
      history: history.figures,
      targets: [
        ...evaluateTargets(
          cached.summary,
          ratio,
          figures,
          uncached.summary.totalCallsPerEvent / compulsoryCallsPerEvent(scenario, scenario.events),
          compulsorySteadyStateReads(scenario, scenario.events),
        ),
        ...(burst === undefined ? [] : burstTargets(burst)),
        ...(sessionLogs === undefined ? [] : sessionLogTargets(sessionLogs)),
        ...identityTargets(cached.identity),
        ...history.targets,
      ],
      node: process.version,
      date: new Date().toISOString(),
    };
    process.stdout.write(formatReport(report));
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures written to ${options.out}`);
    return 0;
  }
};
