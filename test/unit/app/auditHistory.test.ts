import { describe, expect, it } from 'vitest';
import { auditHistory } from '../../../src/app/auditHistory.ts';
import type { HistoryRecord } from '../../../src/app/historyPorts.ts';
import { sessionSettings } from '../findings/builders.ts';
import { historyRecord, pagesOf, sessionReads, startSessionRecord } from './historyFakes.ts';

const settings = sessionSettings({ reportCompliantSessions: true, reportNotApplicable: true });
const NOW = Date.parse('2026-03-01T12:00:00Z');

const outcomesOf = (evaluations: readonly { runs: readonly { result?: { outcome: string } }[] }[]) =>
  evaluations.map((e) => e.runs[0]?.result?.outcome).sort();

describe('auditHistory', () => {
  it('audits every StartSession of every source with the session use case, into one batch', async () => {
    // Prepare
    const { reads } = sessionReads({ oscar: { SSMSessionRunAs: 'root' } });
    const east = [
      [historyRecord(startSessionRecord(1, '2026-03-01T10:00:00Z'))],
      [historyRecord(startSessionRecord(2, '2026-03-01T09:00:00Z', { user: 'oscar' }))],
    ];
    const west = [[historyRecord(startSessionRecord(3, '2026-03-01T08:00:00Z', { region: 'eu-west-1' }))]];
    const regions: string[] = [];

    // Act
    const audit = await auditHistory({
      sources: [pagesOf(...east), pagesOf(...west)],
      readsFor: (_account, region) => {
        regions.push(region);
        return reads;
      },
      settings,
      now: NOW,
      parallelism: 4,
    });

    // Assess
    expect(outcomesOf(audit.evaluations)).toEqual(['COMPLIANT', 'COMPLIANT', 'DISALLOWED_RUN_AS_USER']);
    expect(audit.read).toBe(3);
    expect(new Set(regions)).toEqual(new Set(['us-east-1', 'eu-west-1']));
    const groups = audit.batch.groups();
    expect(groups.map((g) => [g.region, g.findings.length]).sort()).toEqual([
      ['eu-west-1', 1],
      ['us-east-1', 2],
    ]);
    expect(audit.evaluations.every((e) => e.runs[0]?.logicalId === 'AuditSessionFunction')).toBe(true);
  });

  it('audits a record seen twice once, and skips other calls a log file holds', async () => {
    // Prepare
    const { reads } = sessionReads();
    const record = startSessionRecord(1, '2026-03-01T10:00:00Z');
    const other = { ...startSessionRecord(2, '2026-03-01T10:00:00Z'), eventName: 'TerminateSession' };

    // Act
    const audit = await auditHistory({
      sources: [
        pagesOf(
          [historyRecord(record, 'a.json.gz[0]'), historyRecord(other, 'a.json.gz[1]')],
          [historyRecord(record, 'b.json.gz[4]')],
        ),
      ],
      readsFor: () => reads,
      settings,
      now: NOW,
      parallelism: 2,
    });

    // Assess
    expect(audit.evaluations.map((e) => e.event)).toEqual(['a.json.gz[0]']);
    expect(audit.duplicates).toBe(1);
    expect(audit.read).toBe(3);
  });

  it('reports what it cannot audit, with the reason, and audits the rest', async () => {
    // Prepare
    const { reads } = sessionReads();
    const items: HistoryRecord[] = [
      { name: 'LookupEvents us-east-1 e-1', record: undefined, problem: 'its CloudTrailEvent is not JSON' },
      historyRecord(
        { ...startSessionRecord(2, '2026-03-01T10:00:00Z'), requestParameters: { target: 'i-$(x)' } },
        'bad',
      ),
      historyRecord(startSessionRecord(3, '2026-03-01T13:00:00Z'), 'future'),
      historyRecord(startSessionRecord(4, '2026-03-01T10:00:00Z'), 'good'),
    ];
    const progress: number[] = [];

    // Act
    const audit = await auditHistory({
      sources: [pagesOf(items)],
      readsFor: () => reads,
      settings,
      now: NOW,
      parallelism: 1,
      onProgress: (p) => progress.push(p.failed),
    });

    // Assess
    const byName = new Map(audit.evaluations.map((e) => [e.event, e.runs[0]]));
    expect(byName.get('LookupEvents us-east-1 e-1')?.error).toEqual({
      errorType: 'UnreadableRecord',
      errorMessage: 'its CloudTrailEvent is not JSON',
    });
    expect(byName.get('bad')?.error?.errorType).toBe('MalformedEventError');
    expect(byName.get('future')?.error?.errorMessage).toMatch(/more than 15 minutes after the clock/);
    expect(byName.get('good')?.result?.outcome).toBe('COMPLIANT');
    expect(Math.max(...progress)).toBe(3);
  });

  it('keeps at most `parallelism` audits running at once', async () => {
    // Prepare
    const { reads } = sessionReads();
    let running = 0;
    let most = 0;
    const slow = {
      ...reads,
      platforms: {
        platformOf: async (node: string) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return reads.platforms.platformOf(node);
        },
      },
    };
    const records = Array.from({ length: 12 }, (_, i) =>
      historyRecord(startSessionRecord(i, '2026-03-01T10:00:00Z', { target: `i-0a1b2c3d4e5f6000${i % 10}` })),
    );

    // Act
    const audit = await auditHistory({
      sources: [pagesOf(records.slice(0, 6), records.slice(6))],
      readsFor: () => slow,
      settings,
      now: NOW,
      parallelism: 3,
    });

    // Assess
    expect(audit.evaluations).toHaveLength(12);
    expect(most).toBe(3);
  });
});
