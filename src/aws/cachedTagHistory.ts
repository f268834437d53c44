/**
 * A warm-container view of the tag history: most principals never change their SSMSessionRunAs
 * between a session and its audit, and one read says so for every later session of the container.
 * When the table holds no change at or after a time, that stays true for later times until a
 * change is recorded, so an empty answer is kept (for the cache TTL) from that time on; any other
 * answer is read each time. A change this container records forgets the principal.
 */
import type { PrincipalRef, TagHistory } from '../app/statePorts.ts';

export interface CachedTagHistoryOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
  readonly maxEntries?: number;
}

interface Quiet {
  /** No change is recorded at or after this time (epoch ms)… */
  readonly from: number;
  /** …as read before this moment. */
  readonly until: number;
}

const keyOf = (p: PrincipalRef): string => `${p.accountId}\u0000${p.kind}\u0000${p.name.toLowerCase()}`;

export const createCachedTagHistory = (history: TagHistory, options: CachedTagHistoryOptions): TagHistory => {
  const { ttlMs, now = Date.now, maxEntries = 1000 } = options;
  const quiet = new Map<string, Quiet>();
  return {
    record: async (change) => {
      quiet.delete(keyOf(change.principal));
      return history.record(change);
    },
    valueAt: async (principal, at) => {
      const key = keyOf(principal);
      const time = Date.parse(at);
      const known = quiet.get(key);
      if (known !== undefined && known.until > now() && time >= known.from) return {};
      const value = await history.valueAt(principal, at);
      if (ttlMs > 0 && value.changedAt === undefined && value.before === undefined) {
        quiet.delete(key);
        quiet.set(key, { from: time, until: now() + ttlMs });
        for (const oldest of quiet.keys()) {
          if (quiet.size <= maxEntries) break;
          quiet.delete(oldest);
        }
      }
      return value;
    },
  };
};
