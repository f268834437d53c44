import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { Placement, RecordFindings } from './app/findingBatch.ts';
import type { FindingImporter } from './app/ports.ts';
import { type BatchRecord, type BatchSpec, type RecordOutcome, runBatch } from './app/recordBatch.ts';
import { MalformedEventError } from './errors.ts';
import { logger } from './logger.ts';
import { metrics, recordBatch } from './metrics.ts';

const retryableOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'retryable' in error ? error.retryable : true;

/**
 * Logs a failed invocation once, with its error. It sets no response, so middy rethrows the
 * error: Lambda's retries (or the queue's redelivery) keep the event. A compliance auditor never
 * swallows an event.
 */
export const logAndRethrow = (): MiddlewareObj => ({
  onError: async (request) => {
    logger.error('event not processed', { error: request.error, retryable: retryableOf(request.error) });
  },
});

/** Replay and tests watch every record's outcome (Lambda only sees the batch item failures). */
export interface BatchHooks {
  onRecord?(id: string, outcome: RecordOutcome<unknown, unknown>): void;
}

export interface BatchHandlerSpec<C, R>
  extends Pick<BatchSpec<C, R>, 'parse' | 'sequentialBy' | 'parallelism'> {
  /** Log message of a record audited, e.g. `session audited`. */
  readonly done: string;
  /** Correlation keys of a record (CloudTrail eventID first). */
  keys(command: C): Record<string, string>;
  /** `remainingTimeMs` is the invocation's: the adapters that wait (the probe, the pacer) stay within it. */
  run(command: C, findings: RecordFindings, remainingTimeMs: () => number): Promise<R>;
  importerFor(placement: Placement): FindingImporter;
  /** A change's open sessions that had no session finding, so could not be compared: logged as a warning. */
  uncompared?(result: R): readonly string[];
}

export type BatchHandlerResult<R> = R | { readonly skipped: string } | SQSBatchResponse;

/** Changes read back what earlier changes of the batch wrote: one at a time, in event-time order. */
export const inEventTimeOrder = <C extends { readonly eventTime: string }>() => ({
  sequentialBy: (command: C): number => Date.parse(command.eventTime),
  parallelism: 1,
});

const warnUncompared = (sessions: readonly string[], keys: Record<string, string>): void => {
  if (sessions.length === 0) return;
  logger.warn('open sessions without a session finding could not be compared', {
    ...keys,
    sessionsWithoutFinding: sessions.length,
    sessions,
  });
};

/** The id a bare EventBridge event runs under (`sam local invoke -e`, `runas-audit invoke -e`). */
export const BARE_EVENT_ID = 'event';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The records of an SQS batch (body = the EventBridge event), or undefined for any other event. */
export const sqsRecordsOf = (event: unknown): BatchRecord[] | undefined => {
  if (!isObject(event) || !Array.isArray(event.Records) || event.Records.length === 0) return undefined;
  if (!event.Records.every((r) => isObject(r) && r.eventSource === 'aws:sqs')) return undefined;
  return event.Records.map((raw: Record<string, unknown>, index): BatchRecord => {
    const id = raw.messageId;
    if (typeof id !== 'string' || id === '') {
      throw new MalformedEventError(`Records[${index}].messageId`, 'must be the SQS message id');
    }
    try {
      if (typeof raw.body !== 'string') throw new TypeError('not a string');
      return { id, event: JSON.parse(raw.body) as unknown };
    } catch (cause) {
      return { id, event: undefined, unreadable: new MalformedEventError('body', 'is not JSON', { cause }) };
    }
  });
};

const receiveCountOf = (event: unknown, id: string): string | undefined => {
  const records = isObject(event) && Array.isArray(event.Records) ? event.Records : [];
  const record = records.find((r) => isObject(r) && r.messageId === id) as
    | Record<string, unknown>
    | undefined;
  const attributes = isObject(record?.attributes) ? record.attributes : {};
  return typeof attributes.ApproximateReceiveCount === 'string'
    ? attributes.ApproximateReceiveCount
    : undefined;
};

/**
 * Every function's shape: an SQS batch of EventBridge events (or one bare event, for local
 * invokes) through the batch runner; Lambda context in the logs; one log line per record; the
 * batch's metrics; failed records reported as batch item failures, so only they are redelivered.
 * A bare event that fails is thrown, as Lambda's asynchronous invocation expects.
 */
export const batchHandler = <C, R>(spec: BatchHandlerSpec<C, R>, hooks: BatchHooks = {}) =>
  middy(async (event: unknown, context: Context): Promise<BatchHandlerResult<R>> => {
    const sqs = sqsRecordsOf(event);
    const result = await runBatch(sqs ?? [{ id: BARE_EVENT_ID, event }], {
      ...spec,
      run: (command, findings) => spec.run(command, findings, () => context.getRemainingTimeInMillis()),
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
    });
    const failed: string[] = [];
    for (const { id, outcome } of result.outcomes) {
      hooks.onRecord?.(id, outcome);
      const keys =
        outcome.status === 'skipped' || outcome.command === undefined ? {} : spec.keys(outcome.command);
      if (outcome.status === 'done') {
        warnUncompared(spec.uncompared?.(outcome.result) ?? [], keys);
        logger.info(spec.done, { ...keys, evaluation: outcome.result });
      } else if (outcome.status === 'skipped') {
        logger.info('event out of scope', { messageId: id, reason: outcome.reason });
      } else {
        failed.push(id);
        // A bare event's failure is thrown, and logged once by logAndRethrow.
        if (sqs === undefined) continue;
        const { error } = outcome;
        const receiveCount = receiveCountOf(event, id);
        logger.error('record not processed', {
          ...keys,
          messageId: id,
          ...(receiveCount === undefined ? {} : { receiveCount }),
          error,
          retryable: retryableOf(error),
        });
      }
    }
    recordBatch({
      records: result.outcomes.length,
      audited: result.outcomes.filter((o) => o.outcome.status === 'done').length,
      failed: failed.length,
      imported: result.imported,
      importCalls: result.importedIn,
    });
    if (sqs !== undefined) return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
    const outcome = result.outcomes[0]?.outcome;
    if (outcome === undefined) throw new Error('a bare event yields one outcome');
    if (outcome.status === 'failed') throw outcome.error;
    return outcome.status === 'skipped' ? { skipped: outcome.reason } : outcome.result;
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(logAndRethrow());
