/**
 * Use case: the sweep of one account's Region. EventBridge delivers CloudTrail events best effort,
 * so a StartSession can reach no function at all. The sweep reads the Region's StartSession records
 * from its watermark up to a quarter of an hour before its scheduled time, an hour at a time, oldest
 * first; audits those that no audit path has marked in the ledger, as the session function does
 * (same parser, same use case, same batches); marks them once their findings are imported; and
 * moves the watermark past every hour it finished. A record that failed for a reason that can pass
 * (a throttled call, a refused import) holds the watermark before its hour, so the next sweep, or
 * Lambda's retry of this one, reads that hour again; one that can never be audited (malformed) is
 * reported and does not hold it.
 */
import { AuditorError } from '../errors.ts';
import {
  isCloudTrailRecord,
  isStartSessionRecord,
  wrapCloudTrailRecord,
} from '../events/cloudTrailRecord.ts';
import { parseStartSessionEvent } from '../events/startSession.ts';
import { auditSession, type SessionAuditSettings } from './auditSession.ts';
import { type Placement, sessionPortsIn } from './findingBatch.ts';
import type { HistoryRecord, LedgerLookup, StartSessionHistory, TimeWindow } from './historyPorts.ts';
import type { FindingImporter, SessionReadPorts } from './ports.ts';
import { runBatch } from './recordBatch.ts';
import { type RunFailure, runFailureOf } from './runFailure.ts';
import type { Ledger, Watermarks } from './statePorts.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const SWEEP_TIMING = {
  /** Records of the last quarter hour wait for the next sweep: CloudTrail makes a record visible
   * to LookupEvents typically within 5 minutes, and the event path is still delivering them. */
  settleMs: 15 * MINUTE_MS,
  /** How far before the watermark each sweep reads again (a record that became visible late). */
  overlapMs: 15 * MINUTE_MS,
  /** The first sweep of a Region, with no watermark yet, reads this far back. */
  firstLookbackMs: 24 * HOUR_MS,
  /** LookupEvents holds 90 days; an hour of margin keeps the oldest read inside them. */
  lookbackLimitMs: 90 * 24 * HOUR_MS - HOUR_MS,
  sliceMs: HOUR_MS,
  /** A slice is started only with this much time left in the invocation. */
  reserveMs: MINUTE_MS,
  /** Sessions audited at once, as in the session function. */
  parallelism: 10,
} as const;

export interface SweepPorts {
  readonly history: StartSessionHistory;
  /** The session audit's reads, without a ledger: the sweep marks a session once its findings are in. */
  readonly reads: SessionReadPorts;
  readonly importerFor: (placement: Placement) => FindingImporter;
  readonly ledger: Pick<Ledger, 'mark'> & LedgerLookup;
  readonly watermarks: Watermarks;
}

export interface SweepInput {
  readonly accountId: string;
  readonly region: string;
  /** The schedule's time for this invocation (ISO-8601): what the window is measured from. */
  readonly scheduledTime: string;
  /** The clock (epoch ms), for the parser's 15-minute rule. */
  readonly now: number;
  readonly remainingTimeMs: () => number;
}

export interface SweepFailure extends RunFailure {
  readonly eventId: string;
}

export interface SweepSlice extends TimeWindow {
  readonly records: number;
  readonly alreadyAudited: number;
  readonly audited: number;
  readonly findingsImported: number;
  readonly importCalls: number;
}

export interface SweepSessionsResult {
  readonly region: string;
  /** What this sweep set out to read; null when the watermark is already at its end. */
  readonly window: TimeWindow | null;
  readonly slices: readonly SweepSlice[];
  /** The watermark after the sweep. */
  readonly watermark: string | null;
  /** Whether every slice of the window was read (false: out of time, or held by a failure). */
  readonly complete: boolean;
  /** Records that failed for a reason that can pass: they hold the watermark and fail the invocation. */
  readonly failed: readonly SweepFailure[];
  /** Records that can never be audited (malformed): reported, never retried. */
  readonly malformed: readonly SweepFailure[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The window a sweep reads: from the watermark (less the overlap) to a quarter hour ago. */
export const sweepWindow = (scheduledTime: string, watermark: string | undefined): TimeWindow | null => {
  const at = Date.parse(scheduledTime);
  const to = at - SWEEP_TIMING.settleMs;
  const start =
    watermark === undefined
      ? to - SWEEP_TIMING.firstLookbackMs
      : Date.parse(watermark) - SWEEP_TIMING.overlapMs;
  const from = Math.max(start, at - SWEEP_TIMING.lookbackLimitMs);
  return from < to ? { from: iso(from), to: iso(to) } : null;
};

/** The window in slices of an hour, oldest first (the last one shorter). */
export const slicesOf = (window: TimeWindow): TimeWindow[] => {
  const slices: TimeWindow[] = [];
  const end = Date.parse(window.to);
  for (let from = Date.parse(window.from); from < end; from += SWEEP_TIMING.sliceMs) {
    slices.push({ from: iso(from), to: iso(Math.min(from + SWEEP_TIMING.sliceMs, end)) });
  }
  return slices;
};

export const sweepFailureOf = (eventId: string, error: unknown): SweepFailure => ({
  eventId,
  ...runFailureOf(error),
});

/** Whether running the record again could succeed: only our own AuditorErrors can say it cannot. */
const canPass = (error: unknown): boolean => !(error instanceof AuditorError) || error.retryable;

interface SliceRun {
  readonly slice: SweepSlice;
  readonly failed: SweepFailure[];
  readonly malformed: SweepFailure[];
}

const sweepSlice = async (
  window: TimeWindow,
  input: SweepInput,
  ports: SweepPorts,
  settings: SessionAuditSettings,
): Promise<SliceRun> => {
  const records = new Map<string, HistoryRecord & { readonly record: Record<string, unknown> }>();
  const malformed: SweepFailure[] = [];
  for await (const page of ports.history.pages(window)) {
    for (const item of page) {
      const { record } = item;
      if (item.problem !== undefined || !isCloudTrailRecord(record) || typeof record.eventID !== 'string') {
        malformed.push(
          sweepFailureOf(item.name, new Error(item.problem ?? 'not a CloudTrail record with an eventID')),
        );
      } else if (isStartSessionRecord(record)) records.set(record.eventID, { ...item, record });
    }
  }
  const refs = [...records.keys()].map((eventId) => ({
    accountId: input.accountId,
    region: input.region,
    eventId,
  }));
  const marked = await ports.ledger.markedAmong(refs);
  const toAudit = [...records.entries()].filter(([eventId]) => !marked.has(eventId));
  const result = await runBatch(
    toAudit.map(([eventId, { record }]) => ({ id: eventId, event: wrapCloudTrailRecord(record) })),
    {
      parse: (event) => parseStartSessionEvent(event, input.now),
      parallelism: SWEEP_TIMING.parallelism,
      run: (command, findings) =>
        auditSession(command, sessionPortsIn(ports.reads, findings, command), settings),
      importerFor: ports.importerFor,
      remainingTimeMs: input.remainingTimeMs,
    },
  );
  const failed: SweepFailure[] = [];
  let audited = 0;
  for (const { id, outcome } of result.outcomes) {
    if (outcome.status === 'failed') {
      (canPass(outcome.error) ? failed : malformed).push(sweepFailureOf(id, outcome.error));
      continue;
    }
    const command = outcome.status === 'done' ? outcome.command : undefined;
    try {
      await ports.ledger.mark({
        accountId: input.accountId,
        region: input.region,
        eventId: id,
        eventTime: command?.eventTime ?? String(records.get(id)?.record.eventTime ?? window.to),
        sessionId: command?.sessionId ?? null,
        auditedBy: 'sweep',
      });
      audited++;
    } catch (error) {
      failed.push(sweepFailureOf(id, error));
    }
  }
  return {
    slice: {
      ...window,
      records: records.size,
      alreadyAudited: marked.size,
      audited,
      findingsImported: result.imported.length,
      importCalls: result.importedIn.length,
    },
    failed,
    malformed,
  };
};

export const sweepSessions = async (
  input: SweepInput,
  ports: SweepPorts,
  settings: SessionAuditSettings,
): Promise<SweepSessionsResult> => {
  const { accountId, region } = input;
  const before = await ports.watermarks.get(accountId, region);
  const window = sweepWindow(input.scheduledTime, before);
  const slices: SweepSlice[] = [];
  const failed: SweepFailure[] = [];
  const malformed: SweepFailure[] = [];
  let watermark = before ?? null;
  let held = false;
  let complete = true;
  for (const slice of window === null ? [] : slicesOf(window)) {
    if (input.remainingTimeMs() < SWEEP_TIMING.reserveMs) {
      complete = false;
      break;
    }
    const run = await sweepSlice(slice, input, ports, settings);
    slices.push(run.slice);
    failed.push(...run.failed);
    malformed.push(...run.malformed);
    // Later hours are still audited (no session waits for one failure); the watermark stays put.
    held ||= run.failed.length > 0;
    if (!held) {
      await ports.watermarks.advance(accountId, region, slice.to);
      watermark = slice.to;
    }
  }
  return { region, window, slices, watermark, complete: complete && !held, failed, malformed };
};
