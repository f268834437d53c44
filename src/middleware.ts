import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { logger } from './logger.ts';

/**
 * Logs a failed invocation once, with its error. It sets no response, so middy rethrows the
 * error: Lambda's retries and the failure destination keep the event. A compliance auditor
 * never swallows an event.
 */
export const logAndRethrow = (): MiddlewareObj => ({
  onError: async (request) => {
    const error = request.error;
    logger.error('event not processed', {
      error,
      retryable: typeof error === 'object' && error !== null && 'retryable' in error ? error.retryable : true,
    });
  },
});

export type AuditEvent = EventBridgeEvent<string, unknown>;

/** Every function's shape: Lambda context in the logs (keys reset per event), errors logged once and rethrown. */
export const auditHandler = <R>(fn: (event: AuditEvent, context: Context) => Promise<R>) =>
  middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logAndRethrow());
