/**
 * The sweep's bench: an hour of StartSessions in one account and Region, most of them audited by
 * the event path (their ledger entries), a few never delivered; the real sweep handler against the
 * local endpoint and a local DynamoDB with template.yaml's state table, its watermark at the start
 * of the hour. Counted: its calls per operation, and the sessions still without a ledger entry.
 * Pacing waits pass in event time (calls do not depend on the machine's speed).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createDynamoLedger, createDynamoWatermarks } from '../../aws/dynamoLedger.ts';
import { ManualClock } from '../services/quotas.ts';
import { startLocalAws } from '../services/server.ts';
import { parseWorld, worldFileOf } from '../world/world.ts';
import { patchEnv, SDK_ENV } from './benchEnv.ts';
import { BENCH_ACCOUNT, BENCH_REGION, createRng } from './benchRecords.ts';
import { generateScenario } from './benchScenario.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { tableSpecOf } from './tableSpec.ts';
import { loadTemplate } from './template.ts';
import { virtualPacingClock } from './virtualTime.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOUR_MS = 3_600_000;

export interface SweepOptions {
  /** StartSessions in the hour. */
  readonly sessions: number;
  /** Share of them the event path never received (0 to 1). */
  readonly missedShare: number;
  readonly principals: number;
  readonly nodes: number;
}

export interface SweepFigures {
  readonly sessions: number;
  /** Sessions in the window the sweep reads (the hour and the quarter hour before its watermark). */
  readonly read: number;
  readonly missedBefore: number;
  readonly audited: number;
  readonly missedAfter: number;
  readonly calls: Readonly<Record<string, number>>;
  /** The fewest LookupEvents calls: a page of 50 per slice, and one per role session audited. */
  readonly leastLookupEvents: number;
  readonly findingsImported: number;
  /** The sweep an hour later with nothing new: its calls. */
  readonly idleCalls: Readonly<Record<string, number>>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type SweepResult = {
  sessions: { slices: { records: number; audited: number; findingsImported: number }[] };
};

const context = (): Context =>
  ({
    functionName: 'SweepFunction',
    invokedFunctionArn: `arn:aws:lambda:${BENCH_REGION}:${BENCH_ACCOUNT}:function:bench-Sweep`,
    awsRequestId: 'bench-sweep',
    getRemainingTimeInMillis: () => 900_000,
  }) as unknown as Context;

const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

export const runSweepBench = async (options: SweepOptions): Promise<SweepFigures> => {
  const scenario = generateScenario({
    events: options.sessions,
    principals: options.principals,
    nodes: options.nodes,
    documents: 3,
    burstSeconds: 3500,
  });
  // The hour of sessions starts at the watermark's hour; the sweep runs a quarter hour after it.
  const records = scenario.events.map((e) => e.event.detail as Record<string, unknown>);
  const hourStart = Math.floor(Date.parse(String(records[0]?.eventTime)) / HOUR_MS) * HOUR_MS;
  const scheduled = new Date(hourStart + HOUR_MS + 15 * 60_000).toISOString();
  const json = worldFileOf(scenario.world) as unknown as {
    now: string;
    regions: Record<string, { cloudTrail: unknown[] }>;
  };
  json.now = scheduled;
  const region = json.regions[BENCH_REGION];
  if (region !== undefined) region.cloudTrail = [...region.cloudTrail, ...records];
  const world = parseWorld(json);
  const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  const table = tableSpecOf(template, 'StateTable');
  const clock = new ManualClock(Date.parse(scheduled));
  const local = await startLocalAws(world, { clock, dynamo: { tables: [table] } });
  // The handler module builds Lambda's handler at import, from process.env: the Region and the table.
  const restore = patchEnv({
    ...SDK_ENV,
    ...local.endpointEnv(),
    AWS_REGION: process.env.AWS_REGION ?? BENCH_REGION,
    STATE_TABLE_NAME: table.TableName,
  });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: BENCH_REGION }));
  try {
    const now = () => clock.now();
    const ledger = createDynamoLedger(doc, { tableName: table.TableName, now });
    await createDynamoWatermarks(doc, { tableName: table.TableName, now }).advance(
      BENCH_ACCOUNT,
      BENCH_REGION,
      new Date(hourStart).toISOString(),
    );
    const rng = createRng(7);
    const missed = new Set<string>();
    for (const record of records) {
      const eventId = String(record.eventID);
      if (rng() < options.missedShare) missed.add(eventId);
      else {
        const entry = {
          accountId: BENCH_ACCOUNT,
          region: BENCH_REGION,
          eventId,
          eventTime: String(record.eventTime),
        };
        await ledger.mark({ ...entry, sessionId: null, auditedBy: 'event' });
      }
    }
    const fn = functionsOf(template).find((f) => f.logicalId === 'SweepFunction');
    if (fn === undefined) throw new Error('template.yaml has no SweepFunction');
    const env = {
      ...resolveEnvironment(template, fn),
      ...local.endpointEnv(),
      AWS_REGION: BENCH_REGION,
      STATE_TABLE_NAME: table.TableName,
    };
    const module = (await import(pathToFileURL(path.join(ROOT, 'handlers/sweep.ts')).href)) as {
      createHandler: (env: Record<string, string>, options: object) => Handler;
    };
    const handler = module.createHandler(env, { pacingClock: virtualPacingClock(clock), stateNow: now });
    const before = local.calls.snapshot();
    const result = (await handler({ scheduledTime: scheduled }, context())) as SweepResult;
    const calls = delta(local.calls.snapshot(), before);
    const refs = records.map((r) => ({
      accountId: BENCH_ACCOUNT,
      region: BENCH_REGION,
      eventId: String(r.eventID),
    }));
    const marked = await ledger.markedAmong(refs);
    const roleKeys = new Set(
      records
        .filter((r) => missed.has(String(r.eventID)))
        .map((r) => r.userIdentity as { type?: string; accessKeyId?: string })
        .filter((identity) => identity.type === 'AssumedRole')
        .map((identity) => identity.accessKeyId),
    );
    const idleBefore = local.calls.snapshot();
    clock.set(Date.parse(scheduled) + HOUR_MS);
    await handler({ scheduledTime: new Date(Date.parse(scheduled) + HOUR_MS).toISOString() }, context());
    const slices = result.sessions.slices;
    return {
      sessions: records.length,
      read: slices.reduce((n, s) => n + s.records, 0),
      missedBefore: missed.size,
      audited: slices.reduce((n, s) => n + s.audited, 0),
      missedAfter: refs.length - marked.size,
      calls,
      leastLookupEvents:
        slices.reduce((n, s) => n + Math.max(1, Math.ceil(s.records / 50)), 0) + roleKeys.size,
      findingsImported: slices.reduce((n, s) => n + s.findingsImported, 0),
      idleCalls: delta(local.calls.snapshot(), idleBefore),
    };
  } finally {
    doc.destroy();
    restore();
    await local.close();
  }
};
