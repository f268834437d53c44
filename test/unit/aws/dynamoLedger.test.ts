/**
 * The ledger and the watermarks against a real DynamoDB (dynalite), in the table template.yaml
 * declares, through the real SDK clients.
 */
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/app/statePorts.ts';
import {
  createDynamoLedger,
  createDynamoWatermarks,
  type DynamoLedger,
} from '../../../src/aws/dynamoLedger.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { type LocalTables, startLocalTables } from './localTables.ts';

const ACCOUNT = '111122223333';
const TABLES = 8;

let local: LocalTables;
let doc: DynamoDBDocumentClient;
let clock = Date.parse('2026-03-01T10:30:00Z');
let table = 0;
let tableName: string;
let ledger: DynamoLedger;
let counts: Record<string, number>;

const entry = (eventId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  accountId: ACCOUNT,
  region: 'us-east-1',
  eventId,
  eventTime: '2026-03-01T10:00:00Z',
  sessionId: `dana-${eventId}`,
  auditedBy: 'event',
  ...overrides,
});

beforeAll(async () => {
  // One table per test: each starts empty, all in one local DynamoDB.
  local = await startLocalTables(TABLES);
  ({ doc, counts } = local);
});

afterAll(async () => {
  await local.close();
});

beforeEach(() => {
  clock = Date.parse('2026-03-01T10:30:00Z');
  if (table === TABLES) throw new Error(`more than ${TABLES} tests: raise TABLES`);
  tableName = local.nameOf(table++);
  ledger = createDynamoLedger(doc, { tableName, now: () => clock });
  for (const key of Object.keys(counts)) delete counts[key];
});

describe('the ledger', () => {
  it('writes an entry once, whichever audit path comes first, and forgets it 90 days after the event', async () => {
    // Prepare
    const ref = { accountId: ACCOUNT, region: 'us-east-1', eventId: 'evt-session' };

    // Act
    const before = await ledger.has(ref);
    const marks = await Promise.all([
      ledger.mark(entry('evt-session')),
      ledger.mark(entry('evt-session', { auditedBy: 'sweep' })),
    ]);
    const after = await ledger.has(ref);
    const otherRegion = await ledger.has({ ...ref, region: 'eu-west-1' });
    clock = Date.parse('2026-05-30T10:00:00Z');
    const expired = await ledger.has(ref);

    // Assess
    expect(before).toBe(false);
    expect(marks.sort()).toEqual(['already-marked', 'marked']);
    expect([after, otherRegion, expired]).toEqual([true, false, false]);
  });

  it('says which of many StartSessions are marked, 100 keys per BatchGetItem call', async () => {
    // Prepare
    const ids = Array.from({ length: 250 }, (_, i) => `evt-${String(i).padStart(3, '0')}`);
    for (const id of ids.filter((_, i) => i % 3 === 0)) await ledger.mark(entry(id));
    await ledger.mark(entry('evt-old', { eventTime: '2025-11-01T00:00:00Z' }));
    await ledger.mark(entry('evt-001', { region: 'eu-west-1' }));
    const refs = [...ids, 'evt-old'].map((eventId) => ({ accountId: ACCOUNT, region: 'us-east-1', eventId }));
    for (const key of Object.keys(counts)) delete counts[key];

    // Act
    const marked = await ledger.markedAmong([...refs, ...refs.slice(0, 5)]);

    // Assess: the expired entry and the other Region's do not count.
    expect([...marked].sort()).toEqual(ids.filter((_, i) => i % 3 === 0));
    expect(counts).toEqual({ 'dynamodb:BatchGetItem': 3 });
  });

  it('asks again for keys DynamoDB left unprocessed, and fails naming the call when they stay so', async () => {
    // Prepare
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(client);
    const key = { pk: `ledger#${ACCOUNT}#us-east-1#evt-1`, sk: 'ledger' };
    mock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { T: [] }, UnprocessedKeys: { T: { Keys: [key] } } })
      .resolvesOnce({ Responses: { T: [{ ...key, expiresAt: 4_000_000_000 }] } });
    const retried = createDynamoLedger(client, { tableName: 'T', retryDelayMs: 1 });
    const refs = [{ accountId: ACCOUNT, region: 'us-east-1', eventId: 'evt-1' }];

    // Act
    const marked = await retried.markedAmong(refs);
    mock.reset();
    mock.on(BatchGetCommand).resolves({ Responses: { T: [] }, UnprocessedKeys: { T: { Keys: [key] } } });
    const error = await retried.markedAmong(refs).catch((e: unknown) => e);

    // Assess
    expect([...marked]).toEqual(['evt-1']);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).operation).toBe('dynamodb:BatchGetItem');
    mock.restore();
  });

  it('is an AwsCallError once the SDK has retried a throttled read', async () => {
    // Prepare
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(client);
    mock.on(BatchGetCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'Throughput exceeds the current capacity',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
    );

    // Act
    const error = await createDynamoLedger(client, { tableName: 'T' })
      .markedAmong([{ accountId: ACCOUNT, region: 'us-east-1', eventId: 'e' }])
      .catch((e: unknown) => e);

    // Assess
    expect((error as AwsCallError).message).toBe(
      'dynamodb:BatchGetItem failed: ProvisionedThroughputExceededException: Throughput exceeds the current capacity (after 3 attempts)',
    );
    mock.restore();
  });
});

describe('the watermarks', () => {
  it('move forward only, per account and Region, and expire 90 days after the time they hold', async () => {
    // Prepare
    const watermarks = createDynamoWatermarks(doc, { tableName, now: () => clock });

    // Act
    const initial = await watermarks.get(ACCOUNT, 'us-east-1');
    const moves = [
      await watermarks.advance(ACCOUNT, 'us-east-1', '2026-03-01T10:00:00Z'),
      await watermarks.advance(ACCOUNT, 'us-east-1', '2026-03-01T09:00:00Z'),
      await watermarks.advance(ACCOUNT, 'us-east-1', '2026-03-01T10:00:00.000Z'),
    ];
    const raced = await Promise.all(
      ['2026-03-01T11:00:00Z', '2026-03-01T13:00:00Z', '2026-03-01T12:00:00Z'].map((to) =>
        watermarks.advance(ACCOUNT, 'us-east-1', to),
      ),
    );
    const [here, there] = await Promise.all([
      watermarks.get(ACCOUNT, 'us-east-1'),
      watermarks.get(ACCOUNT, 'eu-west-1'),
    ]);
    clock = Date.parse('2026-06-01T00:00:00Z');
    const expired = await watermarks.get(ACCOUNT, 'us-east-1');

    // Assess
    expect(initial).toBeUndefined();
    expect(moves).toEqual(['advanced', 'not-advanced', 'not-advanced']);
    expect(raced).toContain('advanced');
    expect(here).toBe('2026-03-01T13:00:00.000Z');
    expect([there, expired]).toEqual([undefined, undefined]);
  });

  it('fail naming the call when the table does not exist', async () => {
    // Prepare
    const missing = createDynamoWatermarks(doc, { tableName: 'NoSuchTable' });

    // Act
    const error = await missing
      .advance(ACCOUNT, 'us-east-1', '2026-03-01T10:00:00Z')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toMatch(/^dynamodb:PutItem failed: ResourceNotFoundException/);
  });
});
