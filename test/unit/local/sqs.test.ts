import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { QueuedMessage } from '../../../src/local/services/sqs.ts';
import { baseWorld, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const ACCOUNT = '111122223333';

describe('the local SQS SendMessage', () => {
  it('hands a message to its queue with its delay and the Region called, as the real SDK sends it', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const got: QueuedMessage[] = [];
      local.queues.register(ACCOUNT, 'Verifications', (m) => got.push(m));
      const sqs = new SQSClient({ ...clientConfig(local), region: 'eu-west-1' });

      // Act
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: `${local.url}/${ACCOUNT}/Verifications`,
          MessageBody: '{"a":"é"}',
          DelaySeconds: 840,
        }),
      );

      // Assess: the SDK checks MD5OfMessageBody itself.
      expect(out.MessageId).toBeDefined();
      expect(got).toEqual([{ body: '{"a":"é"}', delaySeconds: 840, region: 'eu-west-1' }]);
    });
  });

  it.each<[string, { QueueUrl?: string; DelaySeconds?: number; MessageBody?: string }, string]>([
    ['a queue nobody registered', { QueueUrl: 'Unknown' }, 'QueueDoesNotExist'],
    ['a delay above 900 s', { DelaySeconds: 901 }, 'InvalidParameterValue'],
    ['a character SQS refuses', { MessageBody: 'a\u0000b' }, 'InvalidMessageContents'],
  ])('answers %s with %s', async (_case, change, code) => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.queues.register(ACCOUNT, 'Verifications', () => undefined);
      const queueUrl = `${local.url}/${ACCOUNT}/${change.QueueUrl ?? 'Verifications'}`;

      // Act
      const error = await rejection(
        new SQSClient(clientConfig(local)).send(
          new SendMessageCommand({ MessageBody: '{}', ...change, QueueUrl: queueUrl }),
        ),
      );

      // Assess
      expect(error.name).toBe(code);
    });
  });
});
