/** The benchmark's report: the figures as a table, with the targets and why one does not apply. */

import type { BurstFigures } from './benchBurst.ts';
import type { TracerFigures } from './benchColdStart.ts';
import { type HistoryFigures, historyLines } from './benchHistoryReport.ts';
import { type IdentityFigures, identityLines } from './benchIdentity.ts';
import { BENCH_REGION } from './benchRecords.ts';
import type { Scenario } from './benchScenario.ts';
import { type SessionLogFigures, sessionLogLines } from './benchSessionLogs.ts';
import {
  divide,
  type FunctionFigures,
  IMPORT_RUNS,
  type RunRatio,
  type RunSummary,
  type Target,
  WRITE_OPERATIONS,
} from './benchStats.ts';

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
  /** What the audit spent on identity (STS records, state table). */
  readonly identity: IdentityFigures;
}

export interface BenchReport {
  readonly scenario: ScenarioDescription;
  readonly cached: RunSummary & Omit<PassResult, 'summary'>;
  readonly uncached: RunSummary & Omit<PassResult, 'summary'>;
  readonly ratio: RunRatio;
  readonly functions: readonly FunctionFigures[];
  /** The burst through the queue path (absent with --burst-events 0). */
  readonly burst?: BurstFigures;
  /** Streamed sessions verified by their session log (absent with --burst-events 0). */
  readonly sessionLogs?: SessionLogFigures;
  /** What Powertools Tracer would add to the audit function's cold start. */
  readonly tracer?: TracerFigures;
  /** The audit of history and the sweep. */
  readonly history?: HistoryFigures;
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
    ...identityLines(cached.identity, uncached.identity),
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
    ...burstLines(report.burst),
    ...sessionLogLines(report.sessionLogs),
    ...tracerLines(report.tracer),
    ...historyLines(report.history),
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

const burstLines = (burst: BurstFigures | undefined): string[] => {
  if (burst === undefined) return [];
  return [
    '',
    `Burst through the queue: ${burst.events} StartSessions within ${burst.burstSeconds} s of event time in one account and Region, ` +
      `quotas enforced, ${burst.latencyMsPerCall} ms per call; BatchSize ${burst.batchSize}, window ${burst.windowSeconds} s, ` +
      `MaximumConcurrency ${burst.maximumConcurrency} (one warm container each), visibility timeout ${burst.visibilityTimeoutSeconds} s`,
    table([
      ['  invocations / findings stored', `${burst.invocations} / ${burst.findingsStored}`],
      [
        '  BatchImportFindings calls / findings per call',
        `${burst.importCalls} / ${burst.findingsPerImportCall.toFixed(1)}`,
      ],
      ['  calls per event (all operations)', burst.totalCallsPerEvent.toFixed(3)],
      ...Object.entries(burst.callsPerEvent).map(([op, n]) => [`    ${op}`, n.toFixed(3)]),
      ['  throttled calls (retried)', `${burst.throttledCalls} ${JSON.stringify(burst.throttled)}`],
      ['  events redelivered / dead letters', `${burst.redeliveredEvents} / ${burst.deadLetters}`],
      ['  not as the scenario intended', String(burst.unexpectedOutcomes)],
      [
        '  drain s / quota-bound minimum s',
        `${burst.drainSeconds.toFixed(1)} / ${burst.quotaBoundSeconds.toFixed(1)} (${burst.boundBy}) = ${burst.drainRatio.toFixed(2)}x`,
      ],
    ]),
  ];
};

const tracerLines = (tracer: TracerFigures | undefined): string[] =>
  tracer === undefined
    ? []
    : [
        '',
        `Powertools Tracer on ${tracer.logicalId} (not used): import ${tracer.importMs.toFixed(1)} ms without, ` +
          `${tracer.importMsWithTracer.toFixed(1)} ms with (+${(tracer.importMsWithTracer - tracer.importMs).toFixed(1)} ms); ` +
          `bundle ${tracer.bundleBytes} bytes without, ${tracer.bundleBytesWithTracer} with`,
      ];

/** What the report says about the run's scenario. */
export const describeScenario = (
  scenario: Scenario,
  uncachedEvents: number,
  latencyMs: number,
  handler: string,
): ScenarioDescription => {
  const roles = scenario.principals.filter((p) => p.kind === 'role');
  const notes = [
    'handler logs are silenced (POWERTOOLS_LOG_LEVEL=SILENT) so that the table stays readable',
    'the local endpoint runs in the same process as the handler; latencies include its work and the added latency',
    "events are replayed back to back, not at their event-time pace; cache entries live 60 s of a clock that moves 25 ms per event (a container busy with 40 sessions a second), so the cached figures are those of a busy container whatever the machine's load",
    'in these two passes pacing waits pass in event time (the burst below waits in real time)',
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
