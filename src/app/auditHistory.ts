/**
 * Use case: audit the StartSession records of history the way the session function audits each
 * event it is delivered. Every record is put in the envelope EventBridge delivers it in, parsed by
 * the same parser and audited by auditSession; its findings go into one batch (one per Id, as
 * Security Hub keeps them) for the report and, when asked, one import. The sources (one per
 * Region) are read at once, and records are audited while the next pages are read.
 */
import { isRecord } from '../domain/json.ts';
import {
  isCloudTrailRecord,
  isStartSessionRecord,
  wrapCloudTrailRecord,
} from '../events/cloudTrailRecord.ts';
import { parseStartSessionEvent } from '../events/startSession.ts';
import { auditSession, type SessionAuditSettings, type SessionEvaluation } from './auditSession.ts';
import { createFindingBatch, type FindingBatch, sessionPortsIn } from './findingBatch.ts';
import type { HistoryRecord } from './historyPorts.ts';
import type { SessionReadPorts } from './ports.ts';
import { type RunFailure, runFailureOf } from './runFailure.ts';

/** The function whose use case audits each record (the report names it, as replay does). */
export const SESSION_FUNCTION = 'AuditSessionFunction';

export interface HistoryRun {
  readonly logicalId: string;
  readonly result?: SessionEvaluation;
  readonly error?: RunFailure;
}

/** One record and what its audit gave: the shape replay reports an event in. */
export interface HistoryEvaluation {
  readonly event: string;
  /** The record's eventTime ('' when it could not be read). */
  readonly eventTime: string;
  readonly runs: readonly HistoryRun[];
}

export interface HistoryProgress {
  /** Records read from the sources. */
  readonly read: number;
  /** Sessions whose audit finished (failed ones included). */
  readonly audited: number;
  readonly failed: number;
}

export interface HistoryAuditOptions {
  /** Pages of records, one source per Region (or one for a set of log files). */
  readonly sources: readonly AsyncIterable<readonly HistoryRecord[]>[];
  readonly readsFor: (accountId: string, region: string) => SessionReadPorts;
  readonly settings: SessionAuditSettings;
  /** The clock (epoch ms): a record dated more than 15 minutes after it is malformed. */
  readonly now: number;
  /** Sessions audited at once; their reads share the adapters' caches and queue on the pacer. */
  readonly parallelism: number;
  /** The batch findings are collected in (a posture run afterwards reads them back). */
  readonly batch?: FindingBatch;
  readonly onProgress?: (progress: HistoryProgress) => void;
}

export interface HistoryAudit {
  /** One per StartSession record, in the order audits finished. */
  readonly evaluations: readonly HistoryEvaluation[];
  readonly batch: FindingBatch;
  readonly read: number;
  /** Records seen twice (the same eventID in two log files, or one file given twice): audited once. */
  readonly duplicates: number;
}

const text = (record: unknown, key: string): string =>
  isRecord(record) && typeof record[key] === 'string' ? record[key] : '';

/** The same call recorded twice has one eventID in one account and Region. */
const identityOf = (record: unknown): string =>
  `${text(record, 'recipientAccountId')}/${text(record, 'awsRegion')}/${text(record, 'eventID')}`;

export const auditHistory = async (options: HistoryAuditOptions): Promise<HistoryAudit> => {
  const batch = options.batch ?? createFindingBatch();
  const evaluations: HistoryEvaluation[] = [];
  const seen = new Set<string>();
  const counts = { read: 0, audited: 0, failed: 0, duplicates: 0 };
  const report = (): void =>
    options.onProgress?.({ read: counts.read, audited: counts.audited, failed: counts.failed });

  const settle = (item: HistoryRecord, run: Omit<HistoryRun, 'logicalId'>): void => {
    counts.audited++;
    if (run.error !== undefined) counts.failed++;
    evaluations.push({
      event: item.name,
      eventTime: text(item.record, 'eventTime'),
      runs: [{ logicalId: SESSION_FUNCTION, ...run }],
    });
    report();
  };

  const audit = async (item: HistoryRecord, id: string): Promise<void> => {
    const { record } = item;
    if (item.problem !== undefined || !isCloudTrailRecord(record)) {
      const problem = item.problem ?? 'is not a CloudTrail record';
      settle(item, { error: { errorType: 'UnreadableRecord', errorMessage: problem } });
      return;
    }
    try {
      const intake = parseStartSessionEvent(wrapCloudTrailRecord(record), options.now);
      if (!intake.inScope) {
        counts.audited++;
        return;
      }
      const command = intake.command;
      const reads = options.readsFor(command.accountId, command.region);
      settle(item, {
        result: await auditSession(
          command,
          sessionPortsIn(reads, batch.forRecord(id), command),
          options.settings,
        ),
      });
    } catch (error) {
      settle(item, { error: runFailureOf(error) });
    }
  };

  const inflight = new Set<Promise<void>>();
  const bound = Math.max(1, options.parallelism);
  const readSource = async (source: AsyncIterable<readonly HistoryRecord[]>): Promise<void> => {
    for await (const page of source) {
      for (const item of page) {
        counts.read++;
        if (isCloudTrailRecord(item.record) && !isStartSessionRecord(item.record)) continue;
        const identity = identityOf(item.record);
        if (item.problem === undefined && seen.has(identity)) {
          counts.duplicates++;
          continue;
        }
        seen.add(identity);
        const task: Promise<void> = audit(item, String(counts.read)).finally(() => inflight.delete(task));
        inflight.add(task);
        while (inflight.size >= bound) await Promise.race(inflight);
      }
      report();
    }
  };
  await Promise.all(options.sources.map(readSource));
  await Promise.all(inflight);
  return { evaluations, batch, read: counts.read, duplicates: counts.duplicates };
};
