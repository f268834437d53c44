/**
 * What auditing history needs beyond a session audit's ports: StartSession records of a time
 * window (CloudTrail LookupEvents, or a trail's log files), the account's principals (for the
 * posture of every mapping), and which records an audit path has already audited (the sweep).
 */
import type { Known, Principal } from '../domain/facts.ts';
import type { LedgerRef } from './statePorts.ts';

/** A time window, both ends included (ISO-8601 UTC). */
export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

/** One StartSession record as its source holds it. */
export interface HistoryRecord {
  /** Where it came from, for the report: `LookupEvents us-east-1 <eventID>`, `<file>[3]`. */
  readonly name: string;
  /** The raw CloudTrail record (JSON, hostile until parsed); undefined when `problem` says why not. */
  readonly record: unknown;
  /** Why the source could not give the record (an unreadable CloudTrailEvent). */
  readonly problem?: string;
}

export interface StartSessionHistory {
  /**
   * The StartSession records of this account and Region whose eventTime lies in the window, page
   * by page (LookupEvents: newest first, up to 50 a page). Throttling and 5xx are thrown (after
   * the SDK's retries), as are denied calls: without them there is no history to audit.
   */
  pages(window: TimeWindow): AsyncIterable<readonly HistoryRecord[]>;
}

export interface PrincipalLister {
  /** Every IAM user and role of the account (all pages), with their paths; unknown when denied. */
  listPrincipals(): Promise<Known<readonly Principal[]>>;
}

export interface LedgerLookup {
  /** The eventIds among `refs` that an audit path has marked (and whose entry has not expired). */
  markedAmong(refs: readonly LedgerRef[]): Promise<ReadonlySet<string>>;
}
