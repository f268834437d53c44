/**
 * SQS SendMessage over awsJson1_0 (`X-Amz-Target: AmazonSQS.SendMessage`, as SDK v3 clients send
 * it), for the queues a replay registers: each message goes to whoever drains that queue (the
 * replay's event source mapping), visible after its DelaySeconds. Errors have SQS's codes: an
 * unknown queue is QueueDoesNotExist, a bad value InvalidParameterValue, a body SQS refuses
 * InvalidMessageContents.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsApiError, type JsonInput, type JsonObject } from './wire.ts';

/** A message as the queue's consumer receives it. */
export interface QueuedMessage {
  readonly body: string;
  readonly delaySeconds: number;
  /** The Region whose endpoint was called (SigV4). */
  readonly region: string;
}

/** Where the local endpoint delivers messages: queue URL path `/<account>/<name>` → its consumer. */
export class LocalQueues {
  readonly #consumers = new Map<string, (message: QueuedMessage) => void>();

  /** `name` is the queue's name (the last part of its URL), in `account`. */
  register(account: string, name: string, consume: (message: QueuedMessage) => void): void {
    this.#consumers.set(`${account}/${name}`, consume);
  }

  consumerOf(queueUrl: string): ((message: QueuedMessage) => void) | undefined {
    const match = /^https?:\/\/[^/]+\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/.exec(queueUrl);
    return match === null ? undefined : this.#consumers.get(`${match[1]}/${match[2]}`);
  }
}

/** SQS's limits: 256 KiB per body, DelaySeconds 0–900. */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 900;
// The characters SQS accepts in a message body (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | astral).
const REFUSED = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

const queueError = (code: string, message: string): AwsApiError => new AwsApiError(code, message, 400);

export type SqsOperation = (input: JsonInput, ctx: { queues: LocalQueues; region: string }) => JsonObject;

const sendMessage: SqsOperation = (input, ctx) => {
  const queueUrl = input.optionalString('QueueUrl') ?? '';
  const consume = ctx.queues.consumerOf(queueUrl);
  if (consume === undefined) throw queueError('QueueDoesNotExist', 'The specified queue does not exist.');
  const body = input.optionalString('MessageBody') ?? '';
  if (body === '')
    throw queueError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
    throw queueError(
      'InvalidParameterValue',
      'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
    );
  if (REFUSED.test(body))
    throw queueError('InvalidMessageContents', 'Invalid characters found in the message body.');
  const delaySeconds = input.int('DelaySeconds', 0, MAX_DELAY_SECONDS, 0, 'InvalidParameterValue');
  consume({ body, delaySeconds, region: ctx.region });
  return { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(body, 'utf8').digest('hex') };
};

const operations: Readonly<Record<string, SqsOperation>> = { SendMessage: sendMessage };

export function sqsOperation(name: string): SqsOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}
