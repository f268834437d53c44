import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/local/services/quotas.ts';
import { deliveryPathsOf, type MappingSettings } from '../../../src/local/tools/deliveryPath.ts';
import {
  type Arrival,
  drain,
  EventSourceMapping,
  type Invoke,
  type QueueSpec,
  type RecordReport,
} from '../../../src/local/tools/eventSourceMapping.ts';
import { functionsOf } from '../../../src/local/tools/samFunctions.ts';
import { loadTemplate, parseTemplate } from '../../../src/local/tools/template.ts';
import { jumpingTimeline, realTimeline } from '../../../src/local/tools/virtualTime.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MAPPING: MappingSettings = {
  batchSize: 100,
  windowSeconds: 5,
  maximumConcurrency: 2,
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
};
const queue = (mapping: Partial<MappingSettings> = {}): QueueSpec => ({
  key: 'AuditSessionFunction/us-east-1',
  arn: 'arn:aws:sqs:us-east-1:111122223333:AuditSessionQueue',
  region: 'us-east-1',
  mapping: { ...MAPPING, ...mapping },
});

interface Seen {
  readonly at: number;
  readonly bodies: readonly unknown[];
  readonly receiveCounts: readonly string[];
}

/** An invoke that records each batch and reports per record as `decide` says. */
const recorder = (clock: ManualClock, decide: (body: unknown, record: SQSRecord) => boolean = () => true) => {
  const seen: Seen[] = [];
  const invoke: Invoke = async (_queue, records) => {
    seen.push({
      at: clock.now() - T0,
      bodies: records.map((r) => JSON.parse(r.body) as unknown),
      receiveCounts: records.map((r) => r.attributes.ApproximateReceiveCount),
    });
    return new Map<string, RecordReport>(
      records.map((r) => [
        r.messageId,
        decide(JSON.parse(r.body), r) ? { ok: true, result: 'ok' } : { ok: false, error: new Error('no') },
      ]),
    );
  };
  return { seen, invoke };
};

/** Sends `count` messages at `offsetsMs` (one each) and drains them, one invocation at a time. */
const run = async (
  offsetsMs: readonly number[],
  mapping: Partial<MappingSettings> = {},
  decide?: (body: unknown, record: SQSRecord) => boolean,
) => {
  const clock = new ManualClock(T0);
  const timeline = jumpingTimeline(clock);
  const { seen, invoke } = recorder(clock, decide);
  const esm = new EventSourceMapping(timeline, invoke);
  const spec = queue(mapping);
  const arrivals: Arrival[] = offsetsMs.map((offset, i) => ({
    at: T0 + offset,
    deliver: () => {
      esm.send(spec, i, { index: i }, T0 + offset);
    },
  }));
  await drain(esm, timeline, arrivals, { sequential: true });
  return { seen, fates: esm.fates() };
};

describe('EventSourceMapping over event time', () => {
  it('holds a delayed message until its delay has passed, and keeps its send time', async () => {
    // Prepare
    const clock = new ManualClock(T0);
    const timeline = jumpingTimeline(clock);
    const sent: string[] = [];
    const { seen, invoke } = recorder(clock);
    const esm = new EventSourceMapping(timeline, async (q, records) => {
      sent.push(...records.map((r) => r.attributes.SentTimestamp));
      return invoke(q, records);
    });
    const arrivals: Arrival[] = [
      { at: T0, deliver: () => void esm.delayed(queue({ windowSeconds: 0 }), '"late"', {}, 60) },
      { at: T0 + 1000, deliver: () => void esm.send(queue({ windowSeconds: 0 }), 'now', {}, T0 + 1000) },
    ];

    // Act
    await drain(esm, timeline, arrivals, { sequential: true });

    // Assess
    expect(seen.map((s) => [s.at, s.bodies])).toEqual([
      [1000, ['now']],
      [60_000, ['late']],
    ]);
    expect(sent).toEqual([String(T0 + 1000), String(T0)]);
  });

  it('closes a batch when it is full, and the rest when the window since its first message has passed', async () => {
    // Act
    const { seen } = await run(Array.from({ length: 250 }, () => 0));

    // Assess
    expect(seen.map((s) => [s.at, s.bodies.length])).toEqual([
      [0, 100],
      [0, 100],
      [5000, 50],
    ]);
  });

  it('gathers what arrives within the window into one batch', async () => {
    // Act
    const { seen } = await run([0, 1000, 2000, 6000, 6500]);

    // Assess
    expect(seen.map((s) => [s.at, s.bodies])).toEqual([
      [5000, [0, 1, 2]],
      [11000, [3, 4]],
    ]);
  });

  it('redelivers a failed record after the visibility timeout, counting its receives', async () => {
    // Prepare: record 1 fails its first two receives.
    const decide = (body: unknown, record: SQSRecord) =>
      body !== 1 || Number(record.attributes.ApproximateReceiveCount) > 2;

    // Act
    const { seen, fates } = await run([0, 0], { windowSeconds: 0 }, decide);

    // Assess
    expect(seen.map((s) => [s.at, s.bodies, s.receiveCounts])).toEqual([
      [0, [0, 1], ['1', '1']],
      [180_000, [1], ['2']],
      [360_000, [1], ['3']],
    ]);
    expect(fates.map((f) => [f.state, f.receives])).toEqual([
      ['deleted', 1],
      ['deleted', 3],
    ]);
  });

  it('moves a record to the dead-letter queue after maxReceiveCount receives, with its last error', async () => {
    // Act
    const { seen, fates } = await run([0], { windowSeconds: 0, maxReceiveCount: 5 }, () => false);

    // Assess
    expect(seen).toHaveLength(5);
    expect(fates).toMatchObject([
      { state: 'dead-letter', receives: 5, last: { ok: false, error: { message: 'no' } } },
    ]);
  });

  it('fails every record of an invocation that throws', async () => {
    // Prepare
    const clock = new ManualClock(T0);
    const timeline = jumpingTimeline(clock);
    const esm = new EventSourceMapping(timeline, async () => {
      throw new Error('cold start failed');
    });
    esm.send(queue({ maxReceiveCount: 2 }), 'a', {}, T0);
    esm.send(queue({ maxReceiveCount: 2 }), 'b', {}, T0);

    // Act
    await drain(esm, timeline, [], { sequential: true });

    // Assess
    expect(esm.fates().map((f) => [f.state, f.receives])).toEqual([
      ['dead-letter', 2],
      ['dead-letter', 2],
    ]);
  });

  it('keeps a batch under Lambda’s 6 MB payload', async () => {
    // Prepare
    const clock = new ManualClock(T0);
    const timeline = jumpingTimeline(clock);
    const { seen, invoke } = recorder(clock);
    const esm = new EventSourceMapping(timeline, invoke);
    for (let i = 0; i < 5; i++) esm.send(queue(), 'x'.repeat(2_500_000), {}, T0);

    // Act
    await drain(esm, timeline, [], { sequential: true });

    // Assess
    expect(seen.map((s) => s.bodies.length)).toEqual([2, 2, 1]);
  });

  it('runs at most MaximumConcurrency invocations at once in real time', async () => {
    // Prepare
    const timeline = realTimeline(T0);
    let running = 0;
    let most = 0;
    const esm = new EventSourceMapping(timeline, async (_q, records) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return new Map(records.map((r) => [r.messageId, { ok: true, result: 'ok' } as RecordReport]));
    });
    for (let i = 0; i < 50; i++) esm.send(queue({ batchSize: 5, windowSeconds: 0 }), i, {}, T0);

    // Act
    await drain(esm, timeline, [], { sequential: false });

    // Assess
    expect(most).toBe(2);
    expect(esm.fates().every((f) => f.state === 'deleted')).toBe(true);
  });
});

describe('deliveryPathsOf', () => {
  it('reads rule → queue → mapping → function from template.yaml, with the parameters', async () => {
    // Prepare
    const template = await loadTemplate(path.resolve(import.meta.dirname, '../../../template.yaml'));

    // Act
    const paths = deliveryPathsOf(template, functionsOf(template), {
      BatchSize: '500',
      MaxReceiveCount: '3',
    });

    // Assess
    const audit = paths.find((p) => p.fn.logicalId === 'AuditSessionFunction');
    expect(audit).toMatchObject({
      ruleIds: ['AuditSessionRule'],
      queue: {
        logicalId: 'AuditSessionQueue',
        deadLetterQueue: 'AuditSessionDeadLetterQueue',
        mapping: {
          batchSize: 500,
          windowSeconds: 5,
          maximumConcurrency: 2,
          visibilityTimeoutSeconds: 180,
          maxReceiveCount: 3,
        },
      },
    });
    expect(paths.find((p) => p.fn.logicalId === 'PrincipalChangeFunction')?.condition).toBe(
      'HandlesIamEvents',
    );
  });

  it('takes a function its own SAM rule invokes as delivered directly', () => {
    // Prepare
    const template = parseTemplate(
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  EchoFunction:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: echo.handler',
        '      Runtime: nodejs22.x',
        '      Events:',
        '        Rule:',
        '          Type: EventBridgeRule',
        '          Properties:',
        '            Pattern: { source: [aws.ssm] }',
      ].join('\n'),
    );

    // Act
    const [only] = deliveryPathsOf(template, functionsOf(template));

    // Assess
    expect(only).toMatchObject({ patterns: [{ source: ['aws.ssm'] }], ruleIds: ['EchoFunction.Rule'] });
    expect(only?.queue).toBeUndefined();
  });
});
