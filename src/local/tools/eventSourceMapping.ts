/**
 * An SQS standard queue and the Lambda event source mapping that polls it, over a timeline:
 * messages arrive, a batch closes when it holds BatchSize messages or when the batching window
 * since its first message has passed, at most MaximumConcurrency invocations run at once, a
 * message reported in batchItemFailures becomes visible again after the visibility timeout, and
 * one that has been received maxReceiveCount times without success moves to the dead-letter queue.
 *
 * Time is a Timeline: replay moves through event time (no waiting, one invocation at a time, so
 * its output is the same on every run); the bench waits in real time with invocations in parallel.
 */
import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type { MappingSettings } from './deliveryPath.ts';

export interface Timeline {
  now(): number;
  /** Resolves once `ms` is reached (at once on a timeline that jumps). */
  waitUntil(ms: number): Promise<void>;
}

export interface QueueSpec {
  /** One queue per function and Region (a stack per Region). */
  readonly key: string;
  readonly arn: string;
  readonly region: string;
  readonly mapping: MappingSettings;
}

/** What became of one message. */
export interface MessageFate {
  readonly messageId: string;
  readonly queue: string;
  /** Whatever the caller attached when it sent the message (replay: the event and function). */
  readonly tag: unknown;
  readonly receives: number;
  readonly state: 'deleted' | 'dead-letter' | 'in-flight';
  /** The last receive's outcome, as the handler reported it for this record. */
  readonly last?: RecordReport;
}

export type RecordReport =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown };

/** One invocation: the handler's report per record (a record without one failed, as Lambda would see it). */
export type Invoke = (
  queue: QueueSpec,
  records: readonly SQSRecord[],
) => Promise<ReadonlyMap<string, RecordReport>>;

interface Message {
  readonly messageId: string;
  readonly queue: string;
  readonly body: string;
  readonly tag: unknown;
  readonly sentAt: number;
  visibleAt: number;
  receives: number;
  firstReceivedAt?: number;
  last?: RecordReport;
  state: MessageFate['state'];
}

/** Lambda's synchronous invocation payload limit, which caps a batch. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** The size of a record around its body, roughly. */
const RECORD_OVERHEAD_BYTES = 1024;

export class EventSourceMapping {
  readonly #queues = new Map<string, { spec: QueueSpec; messages: Message[]; running: number }>();
  readonly #all: Message[] = [];
  #sequence = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly invoke: Invoke,
  ) {}

  /** Sends `body` to the queue, visible at `visibleAt` (EventBridge's delivery time). */
  send(spec: QueueSpec, body: unknown, tag: unknown, visibleAt = this.timeline.now()): string {
    return this.sendText(spec, JSON.stringify(body), tag, { visibleAt, sentAt: visibleAt });
  }

  /**
   * Sends a message body as a function's SendMessage does: sent now, visible once its delay
   * (DelaySeconds, or the queue's delivery delay) has passed. No batch takes it before then.
   */
  delayed(spec: QueueSpec, body: string, tag: unknown, delaySeconds: number): string {
    const sentAt = this.timeline.now();
    return this.sendText(spec, body, tag, { sentAt, visibleAt: sentAt + delaySeconds * 1000 });
  }

  private sendText(
    spec: QueueSpec,
    body: string,
    tag: unknown,
    at: { readonly sentAt: number; readonly visibleAt: number },
  ): string {
    const queue = this.#queues.get(spec.key) ?? { spec, messages: [], running: 0 };
    this.#queues.set(spec.key, queue);
    this.#sequence += 1;
    const messageId = `00000000-0000-4000-8000-${this.#sequence.toString(16).padStart(12, '0')}`;
    const message: Message = {
      messageId,
      queue: spec.key,
      body,
      tag,
      sentAt: at.sentAt,
      visibleAt: at.visibleAt,
      receives: 0,
      state: 'in-flight',
    };
    queue.messages.push(message);
    this.#all.push(message);
    return messageId;
  }

  /** When the next batch of `key` closes, or undefined when it has nothing visible to poll for. */
  closesAt(key: string): number | undefined {
    const queue = this.#queues.get(key);
    if (queue === undefined) return undefined;
    const { batchSize, windowSeconds, maximumConcurrency } = queue.spec.mapping;
    if (queue.running >= maximumConcurrency) return undefined;
    const waiting = queue.messages.map((m) => m.visibleAt).sort((a, b) => a - b);
    const [first] = waiting;
    if (first === undefined) return undefined;
    const full = waiting[batchSize - 1];
    const close = Math.min(first + windowSeconds * 1000, full ?? Number.POSITIVE_INFINITY);
    return Math.max(close, first);
  }

  /** The earliest moment anything can happen on a queue: a batch closing. */
  nextClose(): number | undefined {
    let next: number | undefined;
    for (const key of this.#queues.keys()) {
      const at = this.closesAt(key);
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Starts every batch that has closed by now; returns their invocations (awaited by the caller). */
  poll(): Promise<void>[] {
    const started: Promise<void>[] = [];
    for (const [key, queue] of this.#queues) {
      for (;;) {
        const at = this.closesAt(key);
        if (at === undefined || at > this.timeline.now()) break;
        started.push(this.#run(queue, this.#take(queue)));
      }
    }
    return started;
  }

  get running(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.running;
    return n;
  }

  fates(): MessageFate[] {
    return this.#all.map((m) => ({
      messageId: m.messageId,
      queue: m.queue,
      tag: m.tag,
      receives: m.receives,
      state: m.state,
      ...(m.last === undefined ? {} : { last: m.last }),
    }));
  }

  #take(queue: { spec: QueueSpec; messages: Message[] }): Message[] {
    const now = this.timeline.now();
    const visible = queue.messages
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt);
    const batch: Message[] = [];
    let bytes = 0;
    for (const message of visible) {
      const size = Buffer.byteLength(message.body) + RECORD_OVERHEAD_BYTES;
      if (
        batch.length >= queue.spec.mapping.batchSize ||
        (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES)
      )
        break;
      batch.push(message);
      bytes += size;
    }
    const taken = new Set(batch);
    queue.messages = queue.messages.filter((m) => !taken.has(m));
    return batch;
  }

  #record(spec: QueueSpec, message: Message): SQSRecord {
    const now = this.timeline.now();
    message.receives += 1;
    message.firstReceivedAt ??= now;
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receives}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receives),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AIDAIEVENTBRIDGELOCAL',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: spec.arn,
      awsRegion: spec.region,
    };
  }

  async #run(
    queue: { spec: QueueSpec; messages: Message[]; running: number },
    batch: Message[],
  ): Promise<void> {
    const { spec } = queue;
    queue.running += 1;
    const receivedAt = this.timeline.now();
    let reports: ReadonlyMap<string, RecordReport>;
    try {
      reports = await this.invoke(
        spec,
        batch.map((m) => this.#record(spec, m)),
      );
    } catch (error) {
      reports = new Map(batch.map((m) => [m.messageId, { ok: false, error }]));
    } finally {
      queue.running -= 1;
    }
    for (const message of batch) {
      const report = reports.get(message.messageId) ?? {
        ok: false,
        error: new Error('no result for the record'),
      };
      message.last = report;
      if (report.ok) {
        message.state = 'deleted';
      } else if (message.receives >= spec.mapping.maxReceiveCount) {
        message.state = 'dead-letter';
      } else {
        // Visible again once the visibility timeout that started at the receive has passed.
        message.visibleAt = receivedAt + spec.mapping.visibilityTimeoutSeconds * 1000;
        queue.messages.push(message);
      }
    }
  }
}

/** A source of messages over time: `deliver` is called at each arrival's moment, in order. */
export interface Arrival {
  readonly at: number;
  deliver(): Promise<void> | void;
}

/**
 * Drives the timeline until every message is deleted or dead-lettered: arrivals at their moment,
 * batches as they close, invocations up to each mapping's concurrency (one at a time when
 * `sequential`, so that what an invocation does to the clock is over before anything else).
 */
export const drain = async (
  esm: EventSourceMapping,
  timeline: Timeline,
  arrivals: readonly Arrival[],
  options: { readonly sequential: boolean },
): Promise<void> => {
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  for (;;) {
    while (next < arrivals.length && (arrivals[next]?.at ?? 0) <= timeline.now()) {
      await arrivals[next]?.deliver();
      next += 1;
    }
    for (const run of esm.poll()) {
      if (options.sequential) {
        await run;
        continue;
      }
      const tracked = run.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    const close = esm.nextClose();
    const arrival = arrivals[next]?.at;
    const wakeAt = Math.min(close ?? Number.POSITIVE_INFINITY, arrival ?? Number.POSITIVE_INFINITY);
    // Nothing to poll, nothing arriving, nothing running: every message is deleted or dead-lettered.
    if (wakeAt === Number.POSITIVE_INFINITY && inFlight.size === 0) return;
    if (wakeAt <= timeline.now()) continue;
    const waits: Promise<void>[] = [...inFlight];
    if (wakeAt !== Number.POSITIVE_INFINITY) waits.push(timeline.waitUntil(wakeAt));
    await Promise.race(waits);
  }
};
