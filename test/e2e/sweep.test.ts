/**
 * The sweep function as Lambda runs it: the real handler, its SDK clients against the local endpoint
 * serving the demo world (its CloudTrail history) and a real local DynamoDB with the state table of
 * template.yaml. The event path has audited most sessions (their ledger entries); the sweep audits
 * the rest, marks them, moves its watermark, and refreshes a posture finding about to expire.
 */
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoLedger, createDynamoWatermarks } from '../../src/aws/dynamoLedger.ts';
import { runAudit } from '../../src/cli/auditRun.ts';
import { ManualClock } from '../../src/local/services/quotas.ts';
import { type LocalAws, localCredentials, startLocalAws } from '../../src/local/services/server.ts';
import { functionsOf, resolveEnvironment } from '../../src/local/tools/samFunctions.ts';
import { tableSpecOf } from '../../src/local/tools/tableSpec.ts';
import { loadTemplate } from '../../src/local/tools/template.ts';
import { virtualPacingClock } from '../../src/local/tools/virtualTime.ts';
import { demoWorld, FAST_RETRIES, ROOT } from './replayHelpers.ts';

const ACCOUNT = '111122223333';
const SCHEDULED = '2026-03-01T12:15:00.000Z';
const DAY_MS = 86_400_000;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

let local: LocalAws;
let handler: Handler;
let ledger: ReturnType<typeof createDynamoLedger>;
let watermarks: ReturnType<typeof createDynamoWatermarks>;
let records: { eventID: string; eventTime: string }[];
let missed: Set<string>;
let tableName: string;
const saved = { ...process.env };

const context = (): Context =>
  ({
    functionName: 'SweepFunction',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:stack-Sweep`,
    awsRequestId: 'sweep-test',
    getRemainingTimeInMillis: () => 900_000,
  }) as unknown as Context;

beforeAll(async () => {
  const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  const table = tableSpecOf(template, 'StateTable');
  tableName = table.TableName;
  const world = await demoWorld();
  const clock = new ManualClock(Date.parse(world.now));
  local = await startLocalAws(world, { clock, dynamo: { tables: [table] } });
  Object.assign(process.env, local.endpointEnv(), localCredentials, { AWS_EC2_METADATA_DISABLED: 'true' });
  delete process.env.AWS_PROFILE;

  // An old posture run left oscar's principal finding, not updated for 40 days: the refresh's to do.
  const old = Date.parse(world.now) - 40 * DAY_MS;
  await runAudit({
    target: { kind: 'world', accountId: ACCOUNT, caller: 'tester', clock: old, clientOptions: FAST_RETRIES },
    regions: ['us-east-1'],
    trailRegions: [],
    window: { from: new Date(old - 60_000).toISOString(), to: new Date(old).toISOString(), notes: [] },
    trailLogs: [],
    posture: true,
    import: true,
  });

  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const now = () => Date.parse(SCHEDULED);
  ledger = createDynamoLedger(doc, { tableName, now });
  watermarks = createDynamoWatermarks(doc, { tableName, now });
  // The event path audited every us-east-1 session of the last day but four.
  records = (world.regions['us-east-1']?.cloudTrail ?? [])
    .filter((r) => r.eventName === 'StartSession')
    .map((r) => ({ eventID: String(r.eventID), eventTime: r.eventTime }));
  const lastDay = records.filter((r) => Date.parse(r.eventTime) >= Date.parse('2026-02-28T12:00:00Z'));
  missed = new Set(lastDay.filter((_, i) => i % 5 === 0).map((r) => r.eventID));
  for (const r of lastDay.filter((r) => !missed.has(r.eventID))) {
    await ledger.mark({
      accountId: ACCOUNT,
      region: 'us-east-1',
      eventId: r.eventID,
      eventTime: r.eventTime,
      sessionId: null,
      auditedBy: 'event',
    });
  }

  const fn = functionsOf(template).find((f) => f.logicalId === 'SweepFunction');
  if (fn === undefined) throw new Error('template.yaml has no SweepFunction');
  const env = {
    ...resolveEnvironment(template, fn),
    ...local.endpointEnv(),
    AWS_REGION: 'us-east-1',
    STATE_TABLE_NAME: tableName,
  };
  // The module builds Lambda's handler at import, from process.env: give it the table too.
  process.env.STATE_TABLE_NAME = tableName;
  const module = (await import('../../handlers/sweep.ts')) as {
    createHandler: (env: Record<string, string>, options: object) => Handler;
  };
  handler = module.createHandler(env, {
    ...FAST_RETRIES,
    pacingClock: virtualPacingClock(clock),
    stateNow: now,
  });
}, 60_000);

afterAll(async () => {
  await local?.close();
  process.env = saved;
});

describe('the sweep', () => {
  it('audits the sessions no function audited, marks them, and moves its watermark to a quarter hour ago', async () => {
    // Prepare
    const before = local.calls.snapshot();

    // Act
    const result = (await handler({ scheduledTime: SCHEDULED }, context())) as {
      sessions: { slices: { records: number; alreadyAudited: number; audited: number }[]; watermark: string };
    };

    // Assess
    const swept = result.sessions.slices.reduce((n, s) => n + s.audited, 0);
    expect(missed.size).toBeGreaterThan(3);
    expect(swept).toBe(missed.size);
    for (const id of missed) {
      expect(await ledger.has({ accountId: ACCOUNT, region: 'us-east-1', eventId: id }), id).toBe(true);
    }
    expect(result.sessions.watermark).toBe('2026-03-01T12:00:00.000Z');
    expect(await watermarks.get(ACCOUNT, 'us-east-1')).toBe('2026-03-01T12:00:00.000Z');
    const calls = local.calls.snapshot();
    // One LookupEvents call per hour of the day (each under 50 records), and the session-tag look-ups.
    expect(
      (calls['cloudtrail:LookupEvents'] ?? 0) - (before['cloudtrail:LookupEvents'] ?? 0),
    ).toBeGreaterThanOrEqual(24);
    // One ledger read per hour that had sessions (100 keys a call).
    expect(calls['dynamodb:BatchGetItem']).toBe(result.sessions.slices.filter((s) => s.records > 0).length);
    expect(result.sessions.slices).toHaveLength(24);
  });

  it('refreshes, at its scheduled time, the posture finding Security Hub would let expire', async () => {
    // Prepare
    const id = `${ACCOUNT}/us-east-1/ssm-runas/principal/arn:aws:iam::${ACCOUNT}:user/oscar`;

    // Act
    const oscar = local.findings('us-east-1').find((f) => f.Id === id);

    // Assess
    expect(oscar).toMatchObject({ UpdatedAt: SCHEDULED, RecordState: 'ACTIVE' });
    expect(oscar?.ProductFields).toMatchObject({
      'RunAs/ChangeEvent': 'SweepRefresh',
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
    });
    expect(Date.parse(String(oscar?.CreatedAt))).toBeLessThan(Date.parse(SCHEDULED) - 30 * DAY_MS);
  });

  it('finds nothing to do an hour later: one look-up of the new hour, nothing audited, nothing refreshed', async () => {
    // Prepare
    const before = local.calls.snapshot();

    // Act
    const result = (await handler({ scheduledTime: '2026-03-01T13:15:00.000Z' }, context())) as {
      sessions: { slices: { audited: number }[] };
      refresh: { stale: number };
    };

    // Assess
    const after = local.calls.snapshot();
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    expect(result.sessions.slices.map((s) => s.audited)).toEqual([0, 0]);
    expect(result.refresh.stale).toBe(0);
    expect(delta('securityhub:BatchImportFindings')).toBe(0);
    expect(delta('cloudtrail:LookupEvents')).toBe(2);
  });

  it('refuses an event without the time the schedule fired', async () => {
    // Act
    const error = await handler({ scheduledTime: '<aws.scheduler.scheduled-time>' }, context()).catch(
      (e: unknown) => e,
    );

    // Assess
    expect((error as Error).name).toBe('MalformedEventError');
  });
});
