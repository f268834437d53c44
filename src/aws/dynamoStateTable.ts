/**
 * The state table in DynamoDB: one table, string keys `pk` and `sk`, no index, so every read is
 * a strongly consistent read of the base table (the pending hand-over needs it; an index cannot
 * give it). Items expire by TTL on `expiresAt` (epoch seconds); DynamoDB deletes expired items
 * only eventually, so every read also compares `expiresAt` with the clock.
 *
 *   pk                               sk                            item                 kept until
 *   key#<accessKeyId>                identity                      identity record      credentials expire + 14 d
 *   session#<sessionArn>             identity#<issuedAt>#<eventId> the same record      credentials expire + 14 d
 *   session#<sessionArn>             pending#<creationDate>#<evt>  pending session (*)  filed + 1 d
 *   key#<accessKeyId>                pending#<evt>                 pending (no date)    filed + 1 d
 *   tags#<account>#<kind>#<name>     <eventTime>                   SSMSessionRunAs then change + 90 d
 *   ledger#<account>#<region>#<evt>  ledger                        audited StartSession event + 90 d  (*2)
 *   watermark#<account>#<region>     mark                          sweep read through   through + 90 d (*2)
 *
 * 14 days: a StartSession can come back that late (a failure queue keeps events 14 days), and
 * must then still find its record. 1 day: EventBridge gives up delivering an STS record after
 * 24 hours. 90 days: LookupEvents reaches back 90 days, so the sweep and a late audit can meet
 * any StartSession of that window. IAM names are case-insensitive: lower-cased in the key.
 * (*2) written and read by dynamoLedger.ts: a function that only marks the ledger or sweeps is
 * granted just the calls those items need.
 * (*) `claimedUntil`: a lease taken by the function re-auditing it, so a retry can take it again.
 * Records and pending sessions are JSON text: exact round trips, and a `__proto__` tag key
 * stays a key (the document client reads maps into plain objects).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { PendingSession, PrincipalRef, StatePorts } from '../app/statePorts.ts';
import { type IdentityRecord, ISSUE_TIME_SLACK_MS, MAX_CREDENTIAL_LIFETIME_MS } from '../domain/identity.ts';
import { sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface DynamoStateTableOptions {
  readonly tableName: string;
  /** Epoch milliseconds; the world's clock in local runs. */
  readonly now?: () => number;
}

/** An item of the state table that this code did not write as it is (corrupt, or another version's). */
export class StateItemError extends Error {
  override readonly name = 'StateItemError';
  readonly retryable = false;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const IDENTITY_KEPT_MS = 14 * DAY_MS;
const PENDING_KEPT_MS = DAY_MS;
const HISTORY_KEPT_MS = 90 * DAY_MS;

type Item = Record<string, unknown>;
type Key = { readonly pk: string; readonly sk: string };

/** The canonical form of a time (sort keys compare as text), `shiftMs` later. */
const iso = (value: string, shiftMs = 0): string => {
  const millis = Date.parse(value);
  if (!Number.isFinite(millis)) throw new RangeError(`not a time: ${JSON.stringify(value)}`);
  return new Date(millis + shiftMs).toISOString();
};
const ttl = (millis: number): number => Math.ceil(millis / 1000);
const keptUntil = (value: string, keptMs: number): number => ttl(Date.parse(value) + keptMs);

const text = (item: Item, name: string): string => {
  const value = item[name];
  if (typeof value !== 'string') throw new StateItemError(`state item ${String(item.pk)} has no ${name}`);
  return value;
};

const keys = {
  identityByKey: (accessKeyId: string): Key => ({ pk: `key#${accessKeyId}`, sk: 'identity' }),
  identityBySession: (r: IdentityRecord): Key => ({
    pk: `session#${r.sessionArn}`,
    sk: `identity#${iso(r.issuedAt)}#${r.eventId}`,
  }),
  pending: ({ waitsFor, eventId }: PendingSession): Key =>
    waitsFor.by === 'role-session'
      ? { pk: `session#${waitsFor.sessionArn}`, sk: `pending#${iso(waitsFor.creationDate)}#${eventId}` }
      : { pk: `key#${waitsFor.accessKeyId}`, sk: `pending#${eventId}` },
  tags: (p: PrincipalRef): string => `tags#${p.accountId}#${p.kind}#${p.name.toLowerCase()}`,
};

const parsed = (item: Item, name: string): Item => {
  try {
    const value: unknown = JSON.parse(text(item, name));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Item;
  } catch {
    // Reported below, with the item's key.
  }
  throw new StateItemError(`state item ${String(item.pk)} holds no readable ${name}`);
};

/** The string fields of an identity record (tags and transitiveTagKeys are checked apart). */
const RECORD_TEXT =
  'eventName eventId recordedIn accountId accessKeyId sessionArn issuerArn sessionName issuedAt expiresAt';

const identityOf = (item: Item): IdentityRecord => {
  const record = parsed(item, 'record');
  const { tags } = record;
  const valid =
    RECORD_TEXT.split(' ').every((name) => typeof record[name] === 'string') &&
    typeof tags === 'object' &&
    tags !== null &&
    Object.values(tags).every((value) => typeof value === 'string') &&
    Array.isArray(record.transitiveTagKeys);
  if (!valid) throw new StateItemError(`state item ${String(item.pk)} is not an identity record`);
  return record as unknown as IdentityRecord;
};

const NAMES = { '#pk': 'pk', '#sk': 'sk' } as const;
/** A write's condition on `#pk` (and `:values`), or none. */
const guard = (condition?: string, values?: Item) =>
  condition === undefined
    ? {}
    : {
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#pk': 'pk' },
        ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
      };
const ABSENT = 'attribute_not_exists(#pk)';
/** A pending session no one holds: never claimed, or the claim's lease has run out. */
const UNCLAIMED = 'attribute_exists(#pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)';
/** Longer than a function's 30-second timeout, shorter than Lambda's minute before it retries. */
const CLAIM_LEASE_MS = 45_000;

/** The identity and tag-history items; the ledger and watermarks are dynamoLedger.ts's. */
export type IdentityStatePorts = Pick<StatePorts, 'identities' | 'tagHistory'>;

export const createDynamoStateTable = (
  doc: DynamoDBDocumentClient,
  options: DynamoStateTableOptions,
): IdentityStatePorts => {
  const TableName = options.tableName;
  const now = options.now ?? Date.now;
  const live = (item: Item | undefined): item is Item =>
    item !== undefined && (typeof item.expiresAt !== 'number' || item.expiresAt * 1000 > now());

  /** One call: a failed condition (someone else won) is `false`, any other failure an AwsCallError. */
  const call = async <T>(operation: string, send: () => Promise<T>): Promise<T | false> => {
    try {
      return await send();
    } catch (err) {
      if (sdkErrorName(err) === 'ConditionalCheckFailedException') return false;
      throw toAwsCallError(`dynamodb:${operation}`, err);
    }
  };
  const get = async (Key: Key): Promise<Item | undefined> => {
    const out = await call('GetItem', () =>
      doc.send(new GetCommand({ TableName, Key, ConsistentRead: true })),
    );
    return out === false || !live(out.Item) ? undefined : out.Item;
  };
  /** Writes the item, under `guard(…)` when given: false when the condition failed. */
  const put = async (Item: Item, condition?: string, values?: Item): Promise<boolean> => {
    const input = { TableName, Item, ...guard(condition, values) };
    return (await call('PutItem', () => doc.send(new PutCommand(input)))) !== false;
  };
  /** Live items of one partition; `first` stops after the first page of that size. */
  const query = async (input: Omit<QueryCommandInput, 'TableName'>, first?: number): Promise<Item[]> => {
    const items: Item[] = [];
    try {
      const config = { client: doc, ...(first === undefined ? {} : { pageSize: first }) };
      for await (const page of paginateQuery(config, { TableName, ConsistentRead: true, ...input })) {
        items.push(...(page.Items ?? []));
        if (first !== undefined) break;
      }
    } catch (err) {
      throw toAwsCallError('dynamodb:Query', err);
    }
    return items.filter(live);
  };
  const keyCondition = (
    pk: string,
    condition: string,
    values: Item,
    more: Partial<QueryCommandInput> = {},
  ) => ({
    KeyConditionExpression: `#pk = :pk AND ${condition}`,
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: { ':pk': pk, ...values },
    ...more,
  });
  const between = (pk: string, from: string, to: string) =>
    query(keyCondition(pk, '#sk BETWEEN :from AND :to', { ':from': from, ':to': to }));
  /** Deletes the item, under `guard(…)` when given: false when the condition failed. */
  const remove = async (Key: Key, condition?: string, values?: Item): Promise<boolean> => {
    const input = { TableName, Key, ...guard(condition, values) };
    return (await call('DeleteItem', () => doc.send(new DeleteCommand(input)))) !== false;
  };

  const identities: StatePorts['identities'] = {
    put: async (record) => {
      const expiresAt = keptUntil(record.expiresAt, IDENTITY_KEPT_MS);
      const item = { record: JSON.stringify(record), expiresAt };
      await put({ ...keys.identityByKey(record.accessKeyId), ...item });
      await put({ ...keys.identityBySession(record), ...item });
    },
    byAccessKey: async (accessKeyId) => {
      const item = await get(keys.identityByKey(accessKeyId));
      return item === undefined ? undefined : identityOf(item);
    },
    byRoleSession: async (sessionArn, creationDate) => {
      const created = iso(creationDate);
      const from = `identity#${iso(created, -MAX_CREDENTIAL_LIFETIME_MS)}`;
      const to = `identity#${iso(created, ISSUE_TIME_SLACK_MS)}~`;
      return (await between(`session#${sessionArn}`, from, to)).map(identityOf);
    },
    addPending: async (session) => {
      const expiresAt = ttl(now() + PENDING_KEPT_MS);
      const item = { ...keys.pending(session), pending: JSON.stringify(session), expiresAt };
      return (await put(item, ABSENT)) ? 'added' : 'already-pending';
    },
    withdrawPending: async (session) =>
      (await remove(keys.pending(session), UNCLAIMED, { ':now': now() })) ? 'withdrawn' : 'taken',
    settlePending: async (session) => void (await remove(keys.pending(session))),
    claimPending: async (record) => {
      // The sessions whose creationDate this record may be the issue of (pickIdentityRecord's rules).
      const from = `pending#${iso(record.issuedAt, -ISSUE_TIME_SLACK_MS)}`;
      const to = `pending#${iso(record.expiresAt)}`;
      const bySession = await between(`session#${record.sessionArn}`, from, to);
      const byKey = await query(
        keyCondition(`key#${record.accessKeyId}`, 'begins_with(#sk, :pending)', { ':pending': 'pending#' }),
      );
      const claimed: PendingSession[] = [];
      for (const item of [...bySession, ...byKey]) {
        const won = await put({ ...item, claimedUntil: now() + CLAIM_LEASE_MS }, UNCLAIMED, {
          ':now': now(),
        });
        if (won) claimed.push(parsed(item, 'pending') as unknown as PendingSession);
      }
      return claimed;
    },
  };

  const tagHistory: StatePorts['tagHistory'] = {
    record: async (change) => {
      const key = { pk: keys.tags(change.principal), sk: iso(change.eventTime) };
      const expiresAt = keptUntil(change.eventTime, HISTORY_KEPT_MS);
      const entry = { ...key, eventId: change.eventId, value: change.value, ambiguous: false, expiresAt };
      if (await put(entry, ABSENT)) return 'recorded';
      const existing = await get(key);
      const same = existing?.eventId === change.eventId || existing?.value === change.value;
      if (existing !== undefined && existing.ambiguous !== true && same) return 'duplicate';
      // Two values in one second: which came last is unknown, and stays unknown.
      await put({ ...(existing ?? entry), ambiguous: true });
      return 'ambiguous';
    },
    valueAt: async (principal, at) => {
      const pk = keys.tags(principal);
      const values = { ':at': iso(at) };
      const [after] = await query(keyCondition(pk, '#sk >= :at', values), 1);
      // Without a later change the principal's tags now are its tags then: one read is enough.
      if (after === undefined) return {};
      const [before] = await query(keyCondition(pk, '#sk < :at', values, { ScanIndexForward: false }), 1);
      const value = before?.value ?? null;
      if (value !== null && typeof value !== 'string')
        throw new StateItemError(`state item ${pk} has no tag value`);
      return {
        ...(before === undefined
          ? {}
          : { before: { value, eventTime: text(before, 'sk'), ambiguous: before.ambiguous === true } }),
        changedAt: text(after, 'sk'),
      };
    },
  };

  return { identities, tagHistory };
};
