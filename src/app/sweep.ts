/**
 * Use case: one scheduled sweep of an account and Region. The StartSessions of the Region, whose
 * event path marks this stack's ledger, are swept; then (unless told not to: once per account)
 * the posture findings of every audited Region that Security Hub would otherwise let expire are
 * refreshed. What failed and can pass ends the
 * invocation in an error once all the rest is done, so retries and the dead-letter queue keep it.
 */

import type { Partition } from '../domain/identifiers.ts';
import { SweepIncompleteError } from '../errors.ts';
import type { SessionAuditSettings } from './auditSession.ts';
import type { ChangeSettings } from './postureResult.ts';
import { type RefreshPorts, type RefreshResult, refreshPosture } from './refreshPosture.ts';
import {
  type SweepInput,
  type SweepPorts,
  type SweepSessionsResult,
  sweepSessions,
} from './sweepSessions.ts';

export interface SweepResult {
  readonly scheduledTime: string;
  readonly sessions: SweepSessionsResult;
  /** Counts only: the reviews themselves are long and their findings are in Security Hub. */
  readonly refresh: Omit<RefreshResult, 'reviews'> & { readonly reviews: number };
}

export interface SweepWiringPorts {
  readonly sessions: SweepPorts;
  readonly refresh: RefreshPorts;
}

/** No refresh in this run: the account's posture is refreshed once, in its run of the own Region. */
const NO_REFRESH: RefreshResult = { stale: 0, reviews: [], findingsImported: 0, failed: [] };

export const runSweep = async (
  input: SweepInput & { readonly partition: Partition },
  ports: SweepWiringPorts,
  settings: SessionAuditSettings & ChangeSettings,
  options: { readonly refresh?: boolean } = {},
): Promise<SweepResult> => {
  const sessions = await sweepSessions(input, ports.sessions, settings);
  if (options.refresh === false) {
    return { scheduledTime: input.scheduledTime, sessions, refresh: { ...NO_REFRESH, reviews: 0 } };
  }
  const refresh = await refreshPosture(
    {
      eventName: 'SweepRefresh',
      eventTime: input.scheduledTime,
      accountId: input.accountId,
      partition: input.partition,
      by: 'ssm-runas-auditor/sweep',
    },
    ports.refresh,
    settings,
  );
  return {
    scheduledTime: input.scheduledTime,
    sessions,
    refresh: { ...refresh, reviews: refresh.reviews.length },
  };
};

/** The error to end the invocation with when something failed that can pass (logged first). */
export const sweepFailure = (result: SweepResult): SweepIncompleteError | undefined => {
  const failed = [...result.sessions.failed, ...result.refresh.failed];
  const [first] = failed;
  if (first === undefined) return undefined;
  return new SweepIncompleteError(
    `${failed.length} record(s) or review(s) failed and will be read again (first: ${first.eventId}: ` +
      `${first.errorType}: ${first.errorMessage}); the rest of the sweep is done`,
  );
};
