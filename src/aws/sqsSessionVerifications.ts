/**
 * SessionVerifications over an SQS queue: one SendMessage per verification, delayed by the
 * message's own DelaySeconds (0–900). A queue that refuses the message for good (access denied,
 * gone) is a value, so a StartSession is still audited when its verification cannot be queued;
 * throttling and 5xx are thrown (after the SDK's retries), so the record is retried.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SessionVerifications } from '../app/sessionLogPorts.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

const OPERATION = 'sqs:SendMessage';
const MAX_DELAY_SECONDS = 900;

export const createSqsSessionVerifications = (sqs: SQSClient, queueUrl: string): SessionVerifications => ({
  queue: async (body, delaySeconds) => {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds)));
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delay }));
      return { kind: 'queued' };
    } catch (err) {
      if (classifySdkError(err) === 'retryable') throw toAwsCallError(OPERATION, err);
      const message = err instanceof Error ? err.message : String(err);
      return { kind: 'not-queued', reason: 'queue-unavailable', detail: `${sdkErrorName(err)}: ${message}` };
    }
  },
});
