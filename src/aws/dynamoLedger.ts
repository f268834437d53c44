/**
 * The ledger and the sweep's watermarks in the state table (the table and its keys are described
 * in dynamoStateTable.ts): one item per audited StartSession, and one per account and Region saying
 * how far the sweep has read. Kept apart from the identity items, and each part in its own
 * function, so a function's bundle holds only the calls it makes and is granted only those: an
 * audit path that marks the ledger PutItem; the sweep GetItem, PutItem and BatchGetItem.
 *
 *   pk                               sk      item                  kept until
 *   ledger#<account>#<region>#<evt>  ledger  audited StartSession  event + 90 d
 *   watermark#<account>#<region>     mark    sweep read through    through + 90 d
 *
 * 90 days: LookupEvents reaches back 90 days, so a sweep (or a late audit) can meet any
 * StartSession of that window and must still find its entry. Reads compare `expiresAt` with the
 * clock: DynamoDB deletes expired items only eventually.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { LedgerRef, StatePorts } from '../app/statePorts.ts';
import { sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface DynamoLedgerOptions {
  readonly tableName: string;
  /** Epoch milliseconds; the world's clock in local runs. */
  readonly now?: () => number;
  /** First wait before asking again for unprocessed keys (doubling each round); tests shorten it. */
  readonly retryDelayMs?: number;
}

/** The ledger with the sweep's bulk read: which of these StartSessions an audit path has marked. */
export type DynamoLedger = StatePorts['ledger'] & {
  markedAmong(refs: readonly LedgerRef[]): Promise<ReadonlySet<string>>;
};

const KEPT_MS = 90 * 24 * 60 * 60 * 1000;
/** BatchGetItem reads at most 100 keys per call. */
const BATCH_KEYS = 100;
/** Unprocessed keys are asked for again this many times (DynamoDB's advice: with back-off). */
const BATCH_ROUNDS = 5;

type Item = Record<string, unknown>;

const iso = (value: string): string => {
  const millis = Date.parse(value);
  if (!Number.isFinite(millis)) throw new RangeError(`not a time: ${JSON.stringify(value)}`);
  return new Date(millis).toISOString();
};
const keptUntil = (value: string): number => Math.ceil((Date.parse(value) + KEPT_MS) / 1000);

const ledgerKey = (r: LedgerRef) => ({ pk: `ledger#${r.accountId}#${r.region}#${r.eventId}`, sk: 'ledger' });
const watermarkKey = (account: string, region: string) => ({
  pk: `watermark#${account}#${region}`,
  sk: 'mark',
});
const ABSENT = 'attribute_not_exists(#pk)';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Live = (item: Item | undefined) => item is Item;

/** Items whose expiresAt the clock has passed are gone, whether or not DynamoDB deleted them yet. */
const liveAt =
  (now: () => number): Live =>
  (item): item is Item =>
    item !== undefined && (typeof item.expiresAt !== 'number' || item.expiresAt * 1000 > now());

/** One strongly consistent read; undefined when absent or expired. */
const getItem = async (doc: DynamoDBDocumentClient, TableName: string, Key: Item, live: Live) => {
  try {
    const out = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
    return live(out.Item) ? out.Item : undefined;
  } catch (err) {
    throw toAwsCallError('dynamodb:GetItem', err);
  }
};

/** A conditional write: false when the condition failed (another writer came first). */
const putItem = async (
  doc: DynamoDBDocumentClient,
  TableName: string,
  Item: Item,
  condition: string,
  values?: Item,
): Promise<boolean> => {
  try {
    await doc.send(
      new PutCommand({
        TableName,
        Item,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#pk': 'pk' },
        ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
      }),
    );
    return true;
  } catch (err) {
    if (sdkErrorName(err) === 'ConditionalCheckFailedException') return false;
    throw toAwsCallError('dynamodb:PutItem', err);
  }
};

/** The ledger's write alone (PutItem): what every audit path needs. */
export const createDynamoLedgerMarks = (
  doc: DynamoDBDocumentClient,
  options: DynamoLedgerOptions,
): Pick<DynamoLedger, 'mark'> => ({
  mark: async (entry) => {
    const item = {
      ...ledgerKey(entry),
      eventTime: iso(entry.eventTime),
      sessionId: entry.sessionId,
      auditedBy: entry.auditedBy,
      expiresAt: keptUntil(entry.eventTime),
    };
    return (await putItem(doc, options.tableName, item, ABSENT)) ? 'marked' : 'already-marked';
  },
});

export const createDynamoLedger = (
  doc: DynamoDBDocumentClient,
  options: DynamoLedgerOptions,
): DynamoLedger => {
  const TableName = options.tableName;
  const live = liveAt(options.now ?? Date.now);
  const batchGet = async (keys: readonly Item[]): Promise<Item[]> => {
    const found: Item[] = [];
    let pending: Item[] = [...keys];
    for (let round = 0; pending.length > 0; round++) {
      if (round === BATCH_ROUNDS) {
        throw toAwsCallError(
          'dynamodb:BatchGetItem',
          new Error(`${pending.length} key(s) still unprocessed after ${BATCH_ROUNDS} rounds`),
        );
      }
      if (round > 0) await pause((options.retryDelayMs ?? 50) * 2 ** (round - 1));
      let out: BatchGetCommandOutput;
      try {
        out = await doc.send(
          new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
        );
      } catch (err) {
        throw toAwsCallError('dynamodb:BatchGetItem', err);
      }
      found.push(...(out.Responses?.[TableName] ?? []));
      pending = [...(out.UnprocessedKeys?.[TableName]?.Keys ?? [])];
    }
    return found;
  };
  return {
    ...createDynamoLedgerMarks(doc, options),
    has: async (ref) => (await getItem(doc, TableName, ledgerKey(ref), live)) !== undefined,
    markedAmong: async (refs) => {
      const byPk = new Map(refs.map((ref) => [ledgerKey(ref).pk, ref.eventId]));
      const keys = [...byPk.keys()].map((pk) => ({ pk, sk: 'ledger' }));
      const marked = new Set<string>();
      for (let i = 0; i < keys.length; i += BATCH_KEYS) {
        for (const item of await batchGet(keys.slice(i, i + BATCH_KEYS))) {
          const eventId = byPk.get(String(item.pk));
          if (eventId !== undefined && live(item)) marked.add(eventId);
        }
      }
      return marked;
    },
  };
};

export const createDynamoWatermarks = (
  doc: DynamoDBDocumentClient,
  options: DynamoLedgerOptions,
): StatePorts['watermarks'] => {
  const TableName = options.tableName;
  const live = liveAt(options.now ?? Date.now);
  return {
    get: async (accountId, region) => {
      const item = await getItem(doc, TableName, watermarkKey(accountId, region), live);
      if (item === undefined) return undefined;
      if (typeof item.through !== 'string')
        throw new RangeError(`state item ${String(item.pk)} has no through`);
      return item.through;
    },
    advance: async (accountId, region, through) => {
      const to = iso(through);
      const item = { ...watermarkKey(accountId, region), through: to, expiresAt: keptUntil(to) };
      return (await putItem(doc, TableName, item, `${ABSENT} OR through < :to`, { ':to': to }))
        ? 'advanced'
        : 'not-advanced';
    },
  };
};
