import { describe, expect, it } from 'vitest';
import { createTtlCache } from '../../../src/aws/cache.ts';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('createTtlCache', () => {
  it('reuses a loaded value until the TTL expires, then loads again', async () => {
    // Prepare
    let clock = 1_000;
    const cache = createTtlCache<number>({ ttlMs: 60_000, now: () => clock });
    let loads = 0;
    const load = async () => ++loads;

    // Act
    const first = await cache.get('k', load);
    clock += 59_999;
    const second = await cache.get('k', load);
    clock += 1;
    const third = await cache.get('k', load);

    // Assess
    expect([first, second, third]).toEqual([1, 1, 2]);
    expect(loads).toBe(2);
  });

  it('counts the TTL from when the value arrived, not from when the load started', async () => {
    // Prepare
    let clock = 0;
    const cache = createTtlCache<string>({ ttlMs: 100, now: () => clock });
    const slow = deferred<string>();
    const pending = cache.get('k', () => slow.promise);
    clock = 500;
    slow.resolve('v');
    await pending;
    let reloaded = false;

    // Act
    clock = 599;
    const value = await cache.get('k', async () => {
      reloaded = true;
      return 'other';
    });

    // Assess
    expect(value).toBe('v');
    expect(reloaded).toBe(false);
  });

  it('shares one in-flight load between concurrent identical look-ups', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });
    const gate = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return gate.promise;
    };

    // Act
    const all = Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    gate.resolve('v');

    // Assess
    expect(await all).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
  });

  it('keeps different keys apart', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });

    // Act
    const a = await cache.get('a', async () => 'A');
    const b = await cache.get('b', async () => 'B');

    // Assess
    expect([a, b]).toEqual(['A', 'B']);
  });

  it('does not cache a rejected load: the next look-up tries again', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });
    const failure = new Error('boom');

    // Act
    const first = cache.get('k', async () => {
      throw failure;
    });
    await expect(first).rejects.toBe(failure);
    const second = await cache.get('k', async () => 'recovered');

    // Assess
    expect(second).toBe('recovered');
  });

  it('shares a rejection with the concurrent callers of the failed load', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });
    const gate = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return gate.promise;
    };

    // Act
    const a = cache.get('k', load);
    const b = cache.get('k', load);
    gate.reject(new Error('down'));

    // Assess
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    expect(loads).toBe(1);
    expect(cache.size).toBe(0);
  });

  it('turns a synchronous throw of load into a rejection that is not cached', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });

    // Act
    const result = cache.get('k', () => {
      throw new Error('sync');
    });

    // Assess
    await expect(result).rejects.toThrow('sync');
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
  });

  it('with ttl 0 neither caches nor shares in-flight look-ups', async () => {
    // Prepare
    const cache = createTtlCache<number>({ ttlMs: 0 });
    let loads = 0;
    const load = async () => ++loads;

    // Act
    const concurrent = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    const later = await cache.get('k', load);

    // Assess
    expect(concurrent).toEqual([1, 2]);
    expect(later).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry beyond maxEntries', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000, maxEntries: 2 });
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');
    await cache.get('a', async () => 'a2'); // a is now the most recently used

    // Act
    await cache.get('c', async () => 'c1');
    const a = await cache.get('a', async () => 'a3');
    const b = await cache.get('b', async () => 'b3');

    // Assess
    expect(a).toBe('a1');
    expect(b).toBe('b3');
  });

  it('forgets a key on delete', async () => {
    // Prepare
    const cache = createTtlCache<string>({ ttlMs: 1_000 });
    await cache.get('k', async () => 'old');

    // Act
    cache.delete('k');
    const value = await cache.get('k', async () => 'new');

    // Assess
    expect(value).toBe('new');
  });

  it.each([
    { options: { ttlMs: -1 }, message: /ttlMs/ },
    { options: { ttlMs: Number.NaN }, message: /ttlMs/ },
    { options: { ttlMs: 10, maxEntries: 0 }, message: /maxEntries/ },
  ])('rejects bad options $options', ({ options, message }) => {
    // Act / Assess
    expect(() => createTtlCache(options)).toThrow(message);
  });
});
