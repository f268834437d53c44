import { describe, expect, it } from 'vitest';
import { type SweepPorts, slicesOf, sweepSessions, sweepWindow } from '../../../src/app/sweepSessions.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { sessionSettings } from '../findings/builders.ts';
import {
  ACCOUNT,
  historyOf,
  keepingImporter,
  memoryState,
  sessionReads,
  startSessionRecord,
} from './historyFakes.ts';

const settings = sessionSettings();
const SCHEDULED = '2026-03-01T12:00:00.000Z';
const input = (overrides: Partial<Parameters<typeof sweepSessions>[0]> = {}) => ({
  accountId: ACCOUNT,
  region: 'us-east-1',
  scheduledTime: SCHEDULED,
  now: Date.parse(SCHEDULED),
  remainingTimeMs: () => 900_000,
  ...overrides,
});

/** `n` sessions, one every `everyMinutes` minutes back from 11:40, half of them by oscar (tagged root). */
const sessions = (n: number, everyMinutes: number) =>
  Array.from({ length: n }, (_, i) =>
    startSessionRecord(
      i,
      new Date(Date.parse('2026-03-01T11:40:00Z') - i * everyMinutes * 60_000).toISOString(),
      { user: i % 2 === 0 ? 'oscar' : 'alice' },
    ),
  );

const setup = (records: readonly Record<string, unknown>[]) => {
  const { history, windows } = historyOf(records);
  const state = memoryState();
  const { importer, imported } = keepingImporter();
  const { reads } = sessionReads({ oscar: { SSMSessionRunAs: 'root' } });
  const ports: SweepPorts = {
    history,
    reads,
    importerFor: () => importer,
    ledger: state.ledger,
    watermarks: state.watermarks,
  };
  return { ports, state, imported, windows };
};

describe('the sweep window', () => {
  it.each([
    ['no watermark: the last day, to a quarter hour ago', undefined, '2026-02-28T11:45:00.000Z'],
    ['a watermark: from a quarter hour before it', '2026-03-01T10:45:00.000Z', '2026-03-01T10:30:00.000Z'],
    [
      'a watermark 200 days old: LookupEvents’ 90 days, less an hour',
      '2025-08-01T00:00:00Z',
      '2025-12-01T13:00:00.000Z',
    ],
  ])('%s', (_name, watermark, from) => {
    // Act
    const window = sweepWindow(SCHEDULED, watermark);

    // Assess
    expect(window).toEqual({ from, to: '2026-03-01T11:45:00.000Z' });
  });

  it('is empty when the watermark is already at its end, and is read an hour at a time', () => {
    // Act
    const none = sweepWindow(SCHEDULED, '2026-03-01T12:00:00Z');
    const slices = slicesOf({ from: '2026-03-01T09:30:00.000Z', to: '2026-03-01T11:45:00.000Z' });

    // Assess
    expect(none).toBeNull();
    expect(slices).toEqual([
      { from: '2026-03-01T09:30:00.000Z', to: '2026-03-01T10:30:00.000Z' },
      { from: '2026-03-01T10:30:00.000Z', to: '2026-03-01T11:30:00.000Z' },
      { from: '2026-03-01T11:30:00.000Z', to: '2026-03-01T11:45:00.000Z' },
    ]);
  });
});

describe('sweepSessions', () => {
  it('audits only the sessions no audit path marked, marks them, imports their findings, advances the watermark', async () => {
    // Prepare: 60 sessions over 10 hours; the event path audited every one but 5.
    const records = sessions(60, 10);
    const { ports, state, imported } = setup(records);
    const missed = new Set([3, 17, 28, 40, 55].map((i) => String(records[i]?.eventID)));
    for (const record of records.filter((r) => !missed.has(String(r.eventID)))) {
      await state.ledger.mark({
        accountId: ACCOUNT,
        region: 'us-east-1',
        eventId: String(record.eventID),
        eventTime: String(record.eventTime),
        sessionId: null,
        auditedBy: 'event',
      });
    }

    // Act
    const result = await sweepSessions(input(), ports, settings);
    const again = await sweepSessions(input({ scheduledTime: '2026-03-01T13:00:00.000Z' }), ports, settings);

    // Assess: the first sweep has no watermark and reads the last day.
    expect(result.window).toEqual({ from: '2026-02-28T11:45:00.000Z', to: '2026-03-01T11:45:00.000Z' });
    expect(result.slices).toHaveLength(24);
    expect(result.slices.reduce((n, s) => n + s.records, 0)).toBe(60);
    expect(result.slices.reduce((n, s) => n + s.audited, 0)).toBe(5);
    expect(
      [...state.entries.values()]
        .filter((e) => e.auditedBy === 'sweep')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual([...missed].sort());
    // Oscar (tagged root) is every other one: 3, 17, 55 are alice (compliant, not reported); 28, 40 oscar.
    expect(imported.map((f) => f.ProductFields['RunAs/Outcome'])).toEqual([
      'DISALLOWED_RUN_AS_USER',
      'DISALLOWED_RUN_AS_USER',
    ]);
    expect(result).toMatchObject({
      watermark: '2026-03-01T11:45:00.000Z',
      complete: true,
      failed: [],
      malformed: [],
    });
    expect(again.window).toEqual({ from: '2026-03-01T11:30:00.000Z', to: '2026-03-01T12:45:00.000Z' });
    expect(again.slices.map((s) => [s.records, s.alreadyAudited, s.audited])).toEqual([
      [2, 2, 0],
      [0, 0, 0],
    ]);
  });

  it('holds the watermark before an hour whose session failed, audits the later hours, and reports it', async () => {
    // Prepare
    const records = sessions(6, 30);
    const { ports, state } = setup(records);
    let calls = 0;
    const reads = {
      ...ports.reads,
      platforms: {
        platformOf: async (node: string) => {
          if (calls++ === 0) throw new AwsCallError('ssm:DescribeInstanceInformation', 'ThrottlingException');
          return ports.reads.platforms.platformOf(node);
        },
      },
    };

    // Act
    const result = await sweepSessions(input(), { ...ports, reads }, settings);

    // Assess: the first audit is in the oldest hour with sessions (08:45 to 09:45), which holds the watermark.
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.errorType).toBe('AwsCallError');
    expect(result.complete).toBe(false);
    expect(result.watermark).toBe('2026-03-01T08:45:00.000Z');
    expect(state.entries.size).toBe(5);
  });

  it('reports a record that can never be audited without holding the watermark', async () => {
    // Prepare
    const records = [
      { ...startSessionRecord(1, '2026-03-01T11:00:00Z'), requestParameters: { target: 'i-;reboot' } },
      startSessionRecord(2, '2026-03-01T11:10:00Z'),
    ];
    const { ports, state } = setup(records);

    // Act
    const result = await sweepSessions(input(), ports, settings);

    // Assess
    expect(result.malformed.map((f) => [f.eventId, f.errorType])).toEqual([
      [String(records[0]?.eventID), 'MalformedEventError'],
    ]);
    expect(result.failed).toEqual([]);
    expect(result.watermark).toBe('2026-03-01T11:45:00.000Z');
    expect([...state.entries.values()].map((e) => e.eventId)).toEqual([String(records[1]?.eventID)]);
  });

  it('stops before a slice when the invocation has less than a minute left, and the next sweep goes on', async () => {
    // Prepare
    const records = sessions(4, 120);
    const { ports } = setup(records);
    let left = 180_000;

    // Act
    const first = await sweepSessions(input({ remainingTimeMs: () => (left -= 50_000) }), ports, settings);
    const second = await sweepSessions(input({ scheduledTime: '2026-03-01T12:10:00.000Z' }), ports, settings);

    // Assess
    expect(first.complete).toBe(false);
    expect(first.slices).toHaveLength(2);
    expect(first.watermark).toBe('2026-02-28T13:45:00.000Z');
    expect(second.window?.from).toBe('2026-02-28T13:30:00.000Z');
    expect(second.complete).toBe(true);
  });
});
