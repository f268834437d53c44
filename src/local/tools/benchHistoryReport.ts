/** The history benches' figures, targets and lines of the bench report. */

import type { AuditThroughput, TrailParsing } from './benchHistory.ts';
import type { Target } from './benchStats.ts';
import type { SweepFigures } from './benchSweep.ts';

export interface HistoryFigures {
  /** `audit` over IAM users' sessions: LookupEvents is the only limit. */
  readonly audit?: AuditThroughput;
  /** `audit` over users and role sessions: each role session's tags cost a LookupEvents call too. */
  readonly auditMixed?: AuditThroughput;
  readonly trail?: TrailParsing;
  readonly sweep?: SweepFigures;
}

export const HISTORY_LIMITS = {
  /** Of the 100 events/s LookupEvents can give a Region. */
  auditEventsPerSecondPerRegion: 90,
  /** Of LookupEvents' 2 calls/s per Region. */
  lookupEventsCallsPerSecond: 1.8,
  trailRecordsPerSecond: 50_000,
  sweepMissedAfter: 0,
  sweepLookupEventsOverLeast: 1.1,
  /** BatchGetItem reads 100 keys: one call per 100 records, a few more for partial hour slices. */
  sweepLedgerReadsPerRecord: 0.02,
} as const;

const callsPerSecond = (a: AuditThroughput): number => a.lookupEventsCalls / a.regions.length / a.wallSeconds;

const atLeast = (name: string, value: number, limit: number): Target => ({
  name,
  value,
  limit,
  ok: value >= limit,
});
const atMost = (name: string, value: number, limit: number): Target => ({
  name,
  value,
  limit,
  ok: value <= limit,
});

export const historyTargets = (figures: HistoryFigures): Target[] => [
  ...(figures.audit === undefined
    ? []
    : [
        atLeast(
          'audit: events/s per Region, IAM users, LookupEvents quota enforced (ceiling 100) >= limit',
          figures.audit.eventsPerSecondPerRegion,
          HISTORY_LIMITS.auditEventsPerSecondPerRegion,
        ),
      ]),
  ...(figures.auditMixed === undefined
    ? []
    : [
        atLeast(
          'audit: LookupEvents calls/s per Region with role sessions (quota 2) >= limit',
          callsPerSecond(figures.auditMixed),
          HISTORY_LIMITS.lookupEventsCallsPerSecond,
        ),
      ]),
  ...(figures.trail === undefined
    ? []
    : [
        atLeast(
          'trail logs: records read and parsed per second >= limit',
          figures.trail.recordsPerSecond,
          HISTORY_LIMITS.trailRecordsPerSecond,
        ),
      ]),
  ...(figures.sweep === undefined
    ? []
    : [
        atMost(
          'sweep: sessions without a ledger entry after the sweep <= limit',
          figures.sweep.missedAfter,
          HISTORY_LIMITS.sweepMissedAfter,
        ),
        atMost(
          'sweep: LookupEvents calls / the fewest possible <= limit',
          (figures.sweep.calls['cloudtrail:LookupEvents'] ?? 0) /
            Math.max(1, figures.sweep.leastLookupEvents),
          HISTORY_LIMITS.sweepLookupEventsOverLeast,
        ),
        // What the sweep adds to find the missed sessions; the audits of those use the table as the
        // session function does (session tags, tag history, their ledger mark).
        atMost(
          'sweep: ledger BatchGetItem calls per StartSession read <= limit',
          (figures.sweep.calls['dynamodb:BatchGetItem'] ?? 0) / Math.max(1, figures.sweep.read),
          HISTORY_LIMITS.sweepLedgerReadsPerRecord,
        ),
      ]),
];

const auditLine = (label: string, a: AuditThroughput): string =>
  `  ${label}: ${a.eventsPerRegion} StartSessions in each of ${a.regions.join(', ')}, ${a.latencyMsPerCall} ms per call: ` +
  `${a.wallSeconds.toFixed(1)} s, ${a.eventsPerSecondPerRegion.toFixed(1)} events/s per Region (ceiling ${a.ceilingPerRegion}); ` +
  `LookupEvents ${a.lookupEventsCalls} calls (${a.historyPages} pages of history), ${callsPerSecond(a).toFixed(2)}/s per Region; ` +
  `throttled ${JSON.stringify(a.throttled)}; failed ${a.failed}`;

const calls = (c: Readonly<Record<string, number>>): string =>
  Object.entries(c)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');

export const historyLines = (figures: HistoryFigures | undefined): string[] => {
  if (figures === undefined) return [];
  const { audit, auditMixed, trail, sweep } = figures;
  return [
    '',
    "History (runas-audit audit, real time, the local endpoint's quotas enforced; the sweep in event time)",
    ...(audit === undefined ? [] : [auditLine('audit, IAM users', audit)]),
    ...(auditMixed === undefined ? [] : [auditLine('audit, users and role sessions', auditMixed)]),
    ...(trail === undefined
      ? []
      : [
          `  trail logs: ${trail.records} records in ${trail.files} gzipped files (${(trail.gzippedBytes / 1e6).toFixed(1)} MB), ` +
            `${trail.startSessions} StartSessions: ${trail.seconds.toFixed(2)} s, ${Math.round(trail.recordsPerSecond)} records/s`,
        ]),
    ...(sweep === undefined
      ? []
      : [
          `  sweep of an hour: ${sweep.sessions} StartSessions, ${sweep.read} in its window, ${sweep.missedBefore} never delivered; ` +
            `audited ${sweep.audited}, left without a ledger entry ${sweep.missedAfter}; findings imported ${sweep.findingsImported}`,
          `    calls: ${calls(sweep.calls)} (LookupEvents at least ${sweep.leastLookupEvents})`,
          `    an hour later, nothing new: ${calls(sweep.idleCalls)}`,
        ]),
  ];
};
