import { QueueDoesNotExist, SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSqsSessionVerifications } from '../../../src/aws/sqsSessionVerifications.ts';
import { AwsCallError } from '../../../src/errors.ts';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/SessionVerificationQueue';
const verifications = () => createSqsSessionVerifications(new SQSClient({ region: 'us-east-1' }), QUEUE);

beforeEach(() => {
  sqs.reset();
});

describe('createSqsSessionVerifications', () => {
  it('sends the body to its queue with the delay, held to what SQS accepts', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    // Act
    const first = await verifications().queue('{"a":1}', 60);
    await verifications().queue('{"a":2}', 1200);

    // Assess
    expect(first).toEqual({ kind: 'queued' });
    expect(sqs).toHaveReceivedNthCommandWith(SendMessageCommand, 1, {
      QueueUrl: QUEUE,
      MessageBody: '{"a":1}',
      DelaySeconds: 60,
    });
    expect(sqs).toHaveReceivedNthCommandWith(SendMessageCommand, 2, { DelaySeconds: 900 });
  });

  it.each([
    [
      'access denied',
      new SQSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'no' }),
    ],
    [
      'a queue gone',
      new QueueDoesNotExist({ $metadata: {}, message: 'The specified queue does not exist.' }),
    ],
  ])('reports %s as a queue it cannot use, so the audit goes on', async (_case, error) => {
    // Prepare
    sqs.on(SendMessageCommand).rejects(error);

    // Act
    const result = await verifications().queue('{}', 60);

    // Assess
    expect(result).toMatchObject({ kind: 'not-queued', reason: 'queue-unavailable' });
    expect(result.kind === 'not-queued' && result.detail).toContain(error.name);
  });

  it('throws throttling after the retries, so the record is retried', async () => {
    // Prepare
    sqs.on(SendMessageCommand).rejects(
      new SQSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'slow',
      }),
    );

    // Act
    const sent = verifications().queue('{}', 60);

    // Assess
    await expect(sent).rejects.toBeInstanceOf(AwsCallError);
  });
});
