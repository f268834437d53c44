/**
 * Warm-container cache for adapter look-ups. A Lambda container audits many sessions of
 * the same principals, documents and nodes; caching keeps us under API rate limits
 * (CloudTrail LookupEvents allows 2 calls/s). ttlMs 0 turns it off entirely (no sharing
 * of in-flight calls either) so a benchmark can measure uncached behaviour.
 */

export interface TtlCache<V> {
  /** The cached value for key, or the result of load() (shared by concurrent callers). */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** Forgets key, e.g. when a result must not be reused. */
  delete(key: string): void;
  readonly size: number;
}

export interface TtlCacheOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
  /** Bound on entries; the least recently used entry is dropped first. */
  readonly maxEntries?: number;
}

interface Entry<V> {
  readonly value: Promise<V>;
  /** Infinity while the load is in flight: the TTL counts from when the value arrived. */
  expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 1000;

const startLoad = <V>(load: () => Promise<V>): Promise<V> => {
  try {
    return load();
  } catch (error) {
    return Promise.reject(error);
  }
};

export const createTtlCache = <V>(options: TtlCacheOptions): TtlCache<V> => {
  const { ttlMs, now = Date.now, maxEntries = DEFAULT_MAX_ENTRIES } = options;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const entries = new Map<string, Entry<V>>();

  const get = (key: string, load: () => Promise<V>): Promise<V> => {
    if (ttlMs === 0) return startLoad(load);

    const existing = entries.get(key);
    if (existing !== undefined) {
      entries.delete(key);
      if (existing.expiresAt > now()) {
        // Re-insert so Map order stays least-recently-used first.
        entries.set(key, existing);
        return existing.value;
      }
    }

    const value = startLoad(load);
    const entry: Entry<V> = { value, expiresAt: Number.POSITIVE_INFINITY };
    entries.set(key, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    value.then(
      () => {
        entry.expiresAt = now() + ttlMs;
      },
      () => {
        // A failed look-up is never reused: the next caller tries again.
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return value;
  };

  return {
    get,
    delete: (key) => {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
};
