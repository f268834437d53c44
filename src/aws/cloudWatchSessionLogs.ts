/**
 * SessionLogs over CloudWatch Logs GetLogEvents. The agent names a session's stream exactly the
 * session id, so the first event is one call: startFromHead, limit 1. GetLogEvents may answer an
 * empty page while events exist; the forward token then leads on until it comes back unchanged.
 */
import { type CloudWatchLogsClient, paginateGetLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import type { SessionLogRead, SessionLogs } from '../app/sessionLogPorts.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface CloudWatchSessionLogsOptions {
  /** Pages to follow past empty ones before calling the stream empty. */
  readonly maxPages?: number;
}

const DEFAULT_MAX_PAGES = 3;
const OPERATION = 'logs:GetLogEvents';

const messageOf = (err: unknown): string => {
  const message =
    typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : '';
};

/**
 * ResourceNotFoundException names what is missing only in its message ("The specified log
 * stream does not exist." / "... log group ..."). Anything else is read as a missing group,
 * which never counts as a session that did not start.
 */
const notFound = (err: unknown): SessionLogRead =>
  /\blog stream\b/i.test(messageOf(err)) && !/\blog group\b/i.test(messageOf(err))
    ? { kind: 'no-stream' }
    : { kind: 'no-group' };

// A group whose KMS key CloudWatch Logs may not use answers AccessDeniedException "The specified
// KMS key does not exist or is not allowed to be used with Arn '…'".
const isKmsFailure = (err: unknown): boolean =>
  /^kms/i.test(sdkErrorName(err)) || /\bKMS\b/.test(messageOf(err));

export const createCloudWatchSessionLogs = (
  logs: CloudWatchLogsClient,
  options: CloudWatchSessionLogsOptions = {},
): SessionLogs => {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;

  /** What a failed GetLogEvents says about the stream, or the error to throw. */
  const failure = (err: unknown): SessionLogRead => {
    const kind = classifySdkError(err, NOT_FOUND.resource);
    if (kind === 'retryable') throw toAwsCallError(OPERATION, err);
    if (kind === 'not-found') return notFound(err);
    const kms = isKmsFailure(err);
    if (kind !== 'access-denied' && !kms) throw toAwsCallError(OPERATION, err);
    return {
      kind: 'unreadable',
      reason: kms ? 'kms' : 'access-denied',
      detail: `${sdkErrorName(err)}: ${messageOf(err)}`,
    };
  };

  return {
    firstEventOf: async (logGroupName, sessionId) => {
      // The forward token comes back unchanged at the end of the stream: stopOnSameToken.
      const pages = paginateGetLogEvents(
        { client: logs, pageSize: 1, stopOnSameToken: true },
        { logGroupName, logStreamName: sessionId, startFromHead: true },
      );
      let count = 0;
      try {
        for await (const page of pages) {
          const [first] = page.events ?? [];
          if (first !== undefined) {
            return {
              kind: 'event',
              message: first.message ?? '',
              ...(typeof first.timestamp === 'number' ? { timestamp: first.timestamp } : {}),
            };
          }
          if (++count === maxPages) break;
        }
      } catch (err) {
        return failure(err);
      }
      return { kind: 'empty-stream' };
    },
  };
};
