/** The history benches on a small scale: what they count, and how the targets judge it. */
import { describe, expect, it } from 'vitest';
import { historyWorld } from '../../../src/local/tools/benchHistory.ts';
import {
  type HistoryFigures,
  historyLines,
  historyTargets,
} from '../../../src/local/tools/benchHistoryReport.ts';
import { runHistoryBenches } from '../../../src/local/tools/benchHistoryRun.ts';
import { benchOptions } from '../../../src/local/tools/benchOptions.ts';

describe('the history world', () => {
  it('holds the same StartSessions in each Region, before its now, with its quotas enforced', () => {
    // Act
    const { world, from } = historyWorld({
      eventsPerRegion: 40,
      principals: 10,
      nodes: 5,
      documents: 2,
      usersOnly: true,
    });

    // Assess
    const sessions = (region: string) =>
      (world.regions[region]?.cloudTrail ?? []).filter((r) => r.eventName === 'StartSession');
    expect(sessions('us-east-1')).toHaveLength(40);
    expect(sessions('eu-west-1').map((r) => r.awsRegion)).toEqual(Array(40).fill('eu-west-1'));
    expect(sessions('us-east-1').every((r) => (r.userIdentity as { type?: string }).type === 'IAMUser')).toBe(
      true,
    );
    expect(sessions('us-east-1').every((r) => r.eventTime > from && r.eventTime < world.now)).toBe(true);
    expect(world.quotas?.enforce).toBe(true);
  });
});

describe('the history benches, small', () => {
  it('audit 60 sessions per Region, parse trail logs, sweep an hour, and judge them', async () => {
    // Prepare
    const options = benchOptions({
      principals: '8',
      nodes: '6',
      documents: '2',
      'latency-ms': '0',
      'audit-events': '60',
      'trail-records': '1500',
      'sweep-sessions': '80',
    });

    // Act
    const { figures, targets } = await runHistoryBenches(options);

    // Assess
    expect(figures.audit).toMatchObject({ eventsPerRegion: 60, failed: 0, historyPages: 4 });
    expect(figures.audit?.lookupEventsCalls).toBeGreaterThanOrEqual(4);
    expect(figures.auditMixed?.lookupEventsCalls).toBeGreaterThan(figures.audit?.lookupEventsCalls ?? 0);
    expect(figures.trail).toMatchObject({ files: 2, records: 1500 });
    expect(figures.trail?.startSessions).toBe(376);
    expect(figures.sweep).toMatchObject({ sessions: 80, read: 80, missedAfter: 0 });
    expect(figures.sweep?.audited).toBe(figures.sweep?.missedBefore);
    expect(targets.map((t) => t.name)).toHaveLength(6);
    const missed = targets.find((t) => t.name.startsWith('sweep: sessions without a ledger entry'));
    expect(missed).toMatchObject({ value: 0, ok: true });
    expect(historyLines(figures).join('\n')).toMatch(/sweep of an hour: 80 StartSessions, 80 in its window/);
  }, 60_000);

  it('marks a run below the LookupEvents pace, or a sweep that missed a session, as MISSED', () => {
    // Prepare
    const figures: HistoryFigures = {
      audit: {
        principals: 'IAM users',
        regions: ['us-east-1'],
        eventsPerRegion: 1000,
        latencyMsPerCall: 20,
        wallSeconds: 20,
        eventsPerSecondPerRegion: 50,
        ceilingPerRegion: 100,
        lookupEventsCalls: 20,
        historyPages: 20,
        throttled: {},
        outcomes: {},
        failed: 0,
      },
      sweep: {
        sessions: 100,
        read: 100,
        missedBefore: 5,
        audited: 4,
        missedAfter: 1,
        calls: { 'cloudtrail:LookupEvents': 3 },
        leastLookupEvents: 3,
        findingsImported: 0,
        idleCalls: {},
      },
    };

    // Act
    const targets = historyTargets(figures);

    // Assess
    expect(targets.filter((t) => !t.ok).map((t) => t.name)).toEqual([
      'audit: events/s per Region, IAM users, LookupEvents quota enforced (ceiling 100) >= limit',
      'sweep: sessions without a ledger entry after the sweep <= limit',
    ]);
    expect(historyLines(undefined)).toEqual([]);
  });
});
