/**
 * What the delayed verification needs from CloudWatch Logs: the first event of a session's
 * stream. The message is returned raw; the use case parses it with parseSessionLogMessage.
 * Permission and KMS failures are values; throttling and 5xx are thrown (after the SDK's retries).
 */
import type { SessionLogUnreadable } from '../domain/sessionLog.ts';

export type SessionLogRead =
  /** The oldest event of the stream; `timestamp` is the event's own time (epoch ms), when given. */
  | { readonly kind: 'event'; readonly message: string; readonly timestamp?: number }
  /** The group exists and has no stream named after the session (yet). */
  | { readonly kind: 'no-stream' }
  /** The stream exists and holds no event (yet). */
  | { readonly kind: 'empty-stream' }
  /** The log group itself does not exist, or CloudWatch Logs could not say which was missing. */
  | { readonly kind: 'no-group' }
  /** `detail` is the AWS error code and message, for the log (never for a finding's Title). */
  | { readonly kind: 'unreadable'; readonly reason: SessionLogUnreadable; readonly detail: string };

export interface SessionLogs {
  /** The first event of stream `sessionId` in `logGroupName` (one GetLogEvents in the usual case). */
  firstEventOf(logGroupName: string, sessionId: string): Promise<SessionLogRead>;
}

/** Why a verification could not be queued (the session finding says so). */
export type NotQueued = 'queue-unavailable' | 'too-large';

export type QueueResult =
  | { readonly kind: 'queued' }
  /** `detail` is the AWS error code and message, for the log only. */
  | { readonly kind: 'not-queued'; readonly reason: NotQueued; readonly detail: string };

export interface SessionVerifications {
  /**
   * Queues a verification request to be delivered `delaySeconds` (0–900) from now. A queue that
   * refuses it for good (permission, size) is a value; throttling and 5xx are thrown.
   */
  queue(body: string, delaySeconds: number): Promise<QueueResult>;
}
