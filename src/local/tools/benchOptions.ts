/** The bench's command-line options, with the scenario as defaults. */
import path from 'node:path';
import { DEFAULT_BURST } from './benchBurst.ts';
import { UsageError } from './inputError.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface BenchOptions {
  readonly events: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  readonly latencyMs: number;
  /** StartSessions of the burst (0: no burst pass), and the seconds of event time they arrive within. */
  readonly burstEvents: number;
  readonly burstSeconds: number;
  /** StartSessions per Region of the audit command's throughput runs (0: none). */
  readonly auditEvents: number;
  /** Records of trail log files parsed (0: none). */
  readonly trailRecords: number;
  /** StartSessions of the hour the sweep sweeps (0: no sweep bench). */
  readonly sweepSessions: number;
  readonly out: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  events: 2000,
  principals: 50,
  nodes: 200,
  documents: 3,
  latencyMs: 20,
  burstEvents: DEFAULT_BURST.events,
  burstSeconds: DEFAULT_BURST.burstSeconds,
  auditEvents: 3000,
  trailRecords: 100_000,
  sweepSessions: 600,
  out: path.join(ROOT, 'bench-results.json'),
};

type Flag =
  | 'events'
  | 'principals'
  | 'nodes'
  | 'documents'
  | 'latency-ms'
  | 'burst-events'
  | 'burst-seconds'
  | 'audit-events'
  | 'trail-records'
  | 'sweep-sessions'
  | 'out';

/** Bench flags as given on the command line (absent ones take the defaults). */
export type BenchFlags = Readonly<Partial<Record<Flag, string | undefined>>>;

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
  burstEvents: integer(flags['burst-events'], 'burst-events', DEFAULT_OPTIONS.burstEvents, 0, 100_000),
  burstSeconds: integer(flags['burst-seconds'], 'burst-seconds', DEFAULT_OPTIONS.burstSeconds, 1, 3600),
  auditEvents: integer(flags['audit-events'], 'audit-events', DEFAULT_OPTIONS.auditEvents, 0, 1_000_000),
  trailRecords: integer(flags['trail-records'], 'trail-records', DEFAULT_OPTIONS.trailRecords, 0, 10_000_000),
  sweepSessions: integer(
    flags['sweep-sessions'],
    'sweep-sessions',
    DEFAULT_OPTIONS.sweepSessions,
    0,
    100_000,
  ),
  out: flags.out === undefined ? DEFAULT_OPTIONS.out : path.resolve(flags.out),
});
