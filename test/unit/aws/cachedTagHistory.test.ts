import { describe, expect, it } from 'vitest';
import type { TagHistory, TagValueAt } from '../../../src/app/statePorts.ts';
import { createCachedTagHistory } from '../../../src/aws/cachedTagHistory.ts';

const OPERATORS = { accountId: '111122223333', kind: 'role' as const, name: 'Operators' };

const counting = (answer: TagValueAt) => {
  const asked: string[] = [];
  const history: TagHistory = {
    record: async () => 'recorded',
    valueAt: async (_principal, at) => {
      asked.push(at);
      return answer;
    },
  };
  return { history, asked };
};

describe('the warm-container tag history', () => {
  it('answers later sessions of a principal without a change from one read, for the TTL', async () => {
    // Prepare
    let clock = 0;
    const { history, asked } = counting({});
    const cached = createCachedTagHistory(history, { ttlMs: 1000, now: () => clock });

    // Act
    await cached.valueAt(OPERATORS, '2026-03-01T10:00:00Z');
    await cached.valueAt({ ...OPERATORS, name: 'operators' }, '2026-03-01T10:05:00Z');
    await cached.valueAt(OPERATORS, '2026-03-01T09:00:00Z');
    clock = 1001;
    await cached.valueAt(OPERATORS, '2026-03-01T10:06:00Z');

    // Assess: an earlier time, and the TTL's end, read again.
    expect(asked).toEqual(['2026-03-01T10:00:00Z', '2026-03-01T09:00:00Z', '2026-03-01T10:06:00Z']);
  });

  it('never keeps an answer that names a change, nor anything with TTL 0', async () => {
    // Prepare
    const changed = counting({ changedAt: '2026-03-01T11:00:00.000Z' });
    const quiet = counting({});
    const a = createCachedTagHistory(changed.history, { ttlMs: 1000, now: () => 0 });
    const b = createCachedTagHistory(quiet.history, { ttlMs: 0, now: () => 0 });

    // Act
    for (const cache of [a, b]) {
      await cache.valueAt(OPERATORS, '2026-03-01T10:00:00Z');
      await cache.valueAt(OPERATORS, '2026-03-01T10:00:00Z');
    }

    // Assess
    expect(changed.asked).toHaveLength(2);
    expect(quiet.asked).toHaveLength(2);
  });

  it('forgets a principal when it records a change of it', async () => {
    // Prepare
    const { history, asked } = counting({});
    const cached = createCachedTagHistory(history, { ttlMs: 1000, now: () => 0 });
    await cached.valueAt(OPERATORS, '2026-03-01T10:00:00Z');

    // Act
    await cached.record({
      principal: OPERATORS,
      eventTime: '2026-03-01T10:01:00Z',
      eventId: 'e',
      value: 'root',
    });
    await cached.valueAt(OPERATORS, '2026-03-01T10:02:00Z');

    // Assess
    expect(asked).toHaveLength(2);
  });
});
