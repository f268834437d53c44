/**
 * What the identity, audit and sweep use cases keep between invocations (the state table).
 * Reads never return expired items. Writes that two functions may race on are conditional, and
 * losing the race is a return value, never an error; throttling and 5xx are thrown.
 *
 * The pending-session hand-over: the audit that finds no record files the session with
 * addPending, then looks the record up again (and withdraws the session if it is there now); the
 * identity function puts the record, then claims the pending sessions it settles, re-audits them
 * and settles them. Both write before they read (strongly consistent), so at least one of them
 * sees the other. A claim is a lease: a function that fails before settling leaves the session
 * for the retry of its event, so no session is lost, and two never re-audit one at once.
 */
import type { IdentityRecord } from '../domain/identity.ts';

/** Where a pending session waits: what the STS record that settles it carries (joinPlanOf's waitBy). */
export type PendingJoin =
  | { readonly by: 'role-session'; readonly sessionArn: string; readonly creationDate: string }
  | { readonly by: 'access-key'; readonly accessKeyId: string };

/** A StartSession audited before its STS record arrived. */
export interface PendingSession {
  readonly accountId: string;
  readonly region: string;
  /** The StartSession's CloudTrail eventID. */
  readonly eventId: string;
  readonly eventTime: string;
  readonly sessionId: string | null;
  readonly waitsFor: PendingJoin;
  /** The StartSession event as delivered (JSON), re-audited unchanged when the record arrives. */
  readonly event: unknown;
  /** A finding was written while it waited: the re-audit updates it whatever its outcome then. */
  readonly reported?: boolean;
}

export interface IdentityStore {
  /** Keeps a record by its issued key and by its role session; writing it again changes nothing. */
  put(record: IdentityRecord): Promise<void>;
  /** The record that issued this access key. */
  byAccessKey(accessKeyId: string): Promise<IdentityRecord | undefined>;
  /**
   * Records of a role session (assumed-role or federated-user ARN) issued up to the longest
   * credential lifetime before `creationDate` and up to ISSUE_TIME_SLACK_MS after it, for
   * pickIdentityRecord to choose from.
   */
  byRoleSession(sessionArn: string, creationDate: string): Promise<IdentityRecord[]>;
  /** Files a session to re-audit when its record arrives; `already-pending` for a redelivery. */
  addPending(session: PendingSession): Promise<'added' | 'already-pending'>;
  /**
   * Takes back a session this caller filed (it found the record after all): `taken` when the
   * identity function claimed it first and re-audits it.
   */
  withdrawPending(session: PendingSession): Promise<'withdrawn' | 'taken'>;
  /**
   * Claims the pending sessions `record` may settle, for a lease longer than a function runs:
   * a session claimed by another caller whose lease still runs is not returned.
   */
  claimPending(record: IdentityRecord): Promise<PendingSession[]>;
  /** Removes a claimed session once it has been re-audited. */
  settlePending(session: PendingSession): Promise<void>;
}

/** An IAM user or role; names are compared case-insensitively, as IAM does. */
export interface PrincipalRef {
  readonly accountId: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
}

/** A change of a principal's SSMSessionRunAs tag seen by the change function. */
export interface TagChange {
  readonly principal: PrincipalRef;
  /** CloudTrail eventTime of the change (whole seconds). */
  readonly eventTime: string;
  readonly eventId: string;
  /** The value after the change; null when the tag (or the principal) was removed. */
  readonly value: string | null;
}

/** Empty when no change came at or after the time: the principal's tags now are its tags then. */
export interface TagValueAt {
  /** The newest change before the time: the value then (ambiguous: two values in that second). */
  readonly before?: {
    readonly value: string | null;
    readonly eventTime: string;
    readonly ambiguous: boolean;
  };
  /** The first change at or after the time: tags read now are not the tags then. */
  readonly changedAt?: string;
}

export interface TagHistory {
  /**
   * Keeps one entry per principal and event time. A redelivery, or another change in the same
   * second with the same value, is `duplicate`; a different value in the same second makes the
   * entry `ambiguous`, since CloudTrail's whole seconds cannot order the two.
   */
  record(change: TagChange): Promise<'recorded' | 'duplicate' | 'ambiguous'>;
  /** The principal's SSMSessionRunAs around `at` (a change in the same second counts as after). */
  valueAt(principal: PrincipalRef, at: string): Promise<TagValueAt>;
}

export type AuditPath = 'event' | 'sweep' | 'identity' | 'cli';

export interface LedgerRef {
  readonly accountId: string;
  readonly region: string;
  /** The StartSession's CloudTrail eventID. */
  readonly eventId: string;
}

export interface LedgerEntry extends LedgerRef {
  readonly eventTime: string;
  readonly sessionId: string | null;
  readonly auditedBy: AuditPath;
}

/** One entry per audited StartSession, written by every audit path, read by the sweep. */
export interface Ledger {
  /** Writes the entry once: `already-marked` when another path audited the session first. */
  mark(entry: LedgerEntry): Promise<'marked' | 'already-marked'>;
  has(ref: LedgerRef): Promise<boolean>;
}

/** How far the sweep has read StartSession records, per account and Region. */
export interface Watermarks {
  get(accountId: string, region: string): Promise<string | undefined>;
  /** Moves forward only: `not-advanced` when the watermark is already at or past `through`. */
  advance(accountId: string, region: string, through: string): Promise<'advanced' | 'not-advanced'>;
}

export interface StatePorts {
  readonly identities: IdentityStore;
  readonly tagHistory: TagHistory;
  readonly ledger: Ledger;
  readonly watermarks: Watermarks;
}
