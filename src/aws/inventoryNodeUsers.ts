/**
 * NodeUsers from a custom SSM Inventory type (default Custom:OSUsers) that lists each node's OS
 * users with their uid and primary gid. A value is found as `id` finds it: by name, else (digits)
 * by uid. A user is reported "missing" only when a fresh, non-empty inventory does not list it:
 * a stale or absent inventory proves nothing.
 */
import { InvalidTypeNameException, ListInventoryEntriesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { NodeUsers } from '../app/ports.ts';
import type { NameMatch, NodeAccount, UserPresence } from '../domain/facts.ts';
import { isUid, sameUser } from '../domain/userName.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface InventoryNodeUsersOptions {
  /** Custom inventory type listing OS users, e.g. `Custom:OSUsers`. */
  readonly typeName: string;
  /** Inventory captured longer ago than this is too old to say a user is missing. */
  readonly maxAgeMs: number;
  readonly now: () => number;
  readonly ttlMs: number;
}

type Snapshot =
  | {
      readonly read: true;
      readonly users: readonly NodeAccount[];
      readonly captureTime: string;
      readonly capturedAt: number;
    }
  | { readonly read: false; readonly reason: string };

/**
 * Inventory pages hold up to 50 entries; this bounds a runaway listing to 5,000 users. The SDK has
 * no paginator for ListInventoryEntries (its model does not mark it paginated), hence the loop.
 */
const MAX_PAGES = 100;
const CAPTURE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const idOf = (text: string | undefined): number | undefined =>
  typeof text === 'string' && /^\d{1,10}$/.test(text) ? Number(text) : undefined;

/** An entry {Name, Uid, Gid}; inventories written before uid and gid were recorded list only names. */
const accountOf = (entry: Readonly<Record<string, string>>): NodeAccount | undefined => {
  const name = entry.Name ?? entry.UserName;
  if (typeof name !== 'string' || name === '') return undefined;
  const uid = idOf(entry.Uid);
  const gid = idOf(entry.Gid);
  return { name, ...(uid === undefined ? {} : { uid }), ...(gid === undefined ? {} : { gid }) };
};

/** The account `id <value>` finds: an account of that name, else (a value of digits) the owner of that uid. */
export const findAccount = (
  users: readonly NodeAccount[],
  value: string,
  match: NameMatch,
): NodeAccount | undefined =>
  users.find((account) => sameUser(account.name, value, match)) ??
  (isUid(value) ? users.find((account) => account.uid === Number(value)) : undefined);

const hours = (ms: number): string => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

export const createInventoryNodeUsers = (ssm: SSMClient, options: InventoryNodeUsersOptions): NodeUsers => {
  const { typeName, maxAgeMs, now } = options;
  const cache = createTtlCache<Snapshot>({ ttlMs: options.ttlMs, now });

  const read = async (nodeId: string): Promise<Snapshot> => {
    const users: NodeAccount[] = [];
    let captureTime: string | undefined;
    let entries = 0;
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const response = await ssm.send(
          new ListInventoryEntriesCommand({
            InstanceId: nodeId,
            TypeName: typeName,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
        captureTime ??= response.CaptureTime || undefined;
        for (const entry of response.Entries ?? []) {
          entries++;
          const account = accountOf(entry);
          if (account !== undefined) users.push(account);
        }
        nextToken = response.NextToken || undefined;
        if (nextToken === undefined) break;
      }
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.ssmInstance)) {
        case 'access-denied':
          return {
            read: false,
            reason: `the auditor is not allowed ssm:ListInventoryEntries (${sdkErrorName(err)})`,
          };
        case 'not-found':
          return { read: false, reason: `node ${nodeId} has no SSM inventory` };
        default:
          if (err instanceof InvalidTypeNameException) {
            return {
              read: false,
              reason: `inventory type ${typeName} is not defined in this account and Region`,
            };
          }
          throw toAwsCallError('ssm:ListInventoryEntries', err);
      }
    }
    if (nextToken !== undefined) {
      return {
        read: false,
        reason: `inventory ${typeName} of node ${nodeId} has more than ${MAX_PAGES} pages`,
      };
    }
    if (entries === 0 || users.length === 0) {
      return { read: false, reason: `inventory ${typeName} lists no users for node ${nodeId}` };
    }
    if (captureTime === undefined) {
      return { read: false, reason: `inventory ${typeName} of node ${nodeId} has no capture time` };
    }
    const capturedAt = CAPTURE_TIME.test(captureTime) ? Date.parse(captureTime) : Number.NaN;
    if (!Number.isFinite(capturedAt)) {
      return {
        read: false,
        reason: `inventory ${typeName} of node ${nodeId} has an unreadable capture time ${JSON.stringify(captureTime)}`,
      };
    }
    return { read: true, users, captureTime, capturedAt };
  };

  return {
    presenceOf: async (nodeId, user, { asOf, match }): Promise<UserPresence> => {
      const snapshot = await cache.get(nodeId, () => read(nodeId));
      if (!snapshot.read) return { status: 'unknown', reason: snapshot.reason };
      const source = `inventory ${typeName} captured ${snapshot.captureTime}`;
      // A listed user existed at capture time; only absence needs a fresh inventory to mean anything.
      const account = findAccount(snapshot.users, user, match);
      if (account !== undefined) return { status: 'present', source, account };
      // Freshness is judged against the moment in question (the session's event time), not the
      // clock: an inventory far from it, before or after, says nothing about the node then.
      if (Math.abs(Date.parse(asOf) - snapshot.capturedAt) > maxAgeMs) {
        return {
          status: 'unknown',
          reason: `inventory ${typeName} captured ${snapshot.captureTime} is more than ${hours(maxAgeMs)} from ${asOf}`,
        };
      }
      return { status: 'missing', source };
    },
  };
};

/** USER_DIRECTORY=none: node users are never known, so existence is never checked. */
export const createNoNodeUsers = (): NodeUsers => ({
  presenceOf: async () => ({ status: 'unknown', reason: 'USER_DIRECTORY is none' }),
});
