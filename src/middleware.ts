import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

/**
 * Logs a failed invocation once, with its error. It sets no response, so middy rethrows the
 * error: Lambda's retries and the failure destination keep the event. A compliance auditor
 * never swallows an event.
 */
export const logAndRethrow = (logger: Logger): MiddlewareObj => ({
  onError: async (request) => {
    const error = request.error;
    logger.error('event not processed', {
      error,
      retryable: typeof error === 'object' && error !== null && 'retryable' in error ? error.retryable : true,
    });
  },
});
