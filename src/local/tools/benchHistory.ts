/**
 * The bench of auditing history: `runas-audit audit` over a world whose Regions hold a StartSession
 * history, against the local endpoint with its quotas enforced (LookupEvents 2 calls/s, 50 events a
 * call: 100 events/s per Region at most), in real time; and the parsing of trail log files, in
 * records per second on this machine.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { HistoryRecord } from '../../app/historyPorts.ts';
import { runAudit } from '../../cli/auditRun.ts';
import { trailLogFiles, trailLogPages } from '../../cli/trailLogs.ts';
import { wrapCloudTrailRecord } from '../../events/cloudTrailRecord.ts';
import { parseStartSessionEvent } from '../../events/startSession.ts';
import { startLocalAws } from '../services/server.ts';
import { parseWorld, type World, worldFileOf } from '../world/world.ts';
import { patchEnv, SDK_ENV } from './benchEnv.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from './benchRecords.ts';
import { generateScenario } from './benchScenario.ts';

/** LookupEvents: 2 calls a second per account and Region, 50 events a call. */
export const LOOKUP_EVENTS_CEILING = 2 * 50;
export const HISTORY_REGIONS = [BENCH_REGION, 'eu-west-1'] as const;

export interface HistoryScenario {
  readonly eventsPerRegion: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  /** Only IAM users: no StartSession needs a session-tag look-up, which spends the same quota. */
  readonly usersOnly: boolean;
}

type Json = Record<string, unknown>;

/**
 * The bench scenario's account with its StartSessions as history: every Region of HISTORY_REGIONS
 * holds them (and the roles' AssumeRole records) in `cloudTrail`; the world's `now` is a minute
 * after the last one, and its quotas are enforced.
 */
export const historyWorld = (options: HistoryScenario): { world: World; from: string } => {
  const scenario = generateScenario({
    events: options.usersOnly ? options.eventsPerRegion * 3 : options.eventsPerRegion,
    principals: options.principals,
    nodes: options.nodes,
    documents: options.documents,
  });
  const events = scenario.events
    .filter((e) => !options.usersOnly || scenario.principals[e.principal]?.kind === 'user')
    .slice(0, options.eventsPerRegion)
    .map((e) => e.event.detail as Json);
  const json = worldFileOf(scenario.world) as unknown as Json & { regions: Record<string, Json> };
  const base = json.regions[BENCH_REGION] as Json & { cloudTrail: Json[] };
  const inRegion = (record: Json, region: string, index: number): Json => ({
    ...record,
    awsRegion: region,
    eventID: `${String(record.eventID).slice(0, 24)}${String(index).padStart(12, '0')}`,
  });
  json.regions = Object.fromEntries(
    HISTORY_REGIONS.map((region, r) => [
      region,
      {
        ...base,
        cloudTrail: [...base.cloudTrail, ...events].map((record, i) => inRegion(record, region, r * 1e6 + i)),
      },
    ]),
  );
  const times = events.map((e) => Date.parse(String(e.eventTime)));
  json.now = new Date(Math.max(...times) + 60_000).toISOString();
  json.quotas = { enforce: true };
  return { world: parseWorld(json), from: new Date(Math.min(...times) - 1000).toISOString() };
};

export interface AuditThroughput {
  readonly principals: 'IAM users' | 'IAM users and role sessions';
  readonly regions: readonly string[];
  readonly eventsPerRegion: number;
  readonly latencyMsPerCall: number;
  readonly wallSeconds: number;
  /** Sessions audited a second in each Region (the Regions are read at once). */
  readonly eventsPerSecondPerRegion: number;
  readonly ceilingPerRegion: number;
  /** LookupEvents calls: the pages of history, and the rest (session-tag look-ups of role sessions). */
  readonly lookupEventsCalls: number;
  readonly historyPages: number;
  readonly throttled: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failed: number;
}

/** One `audit` run over the history, in real time, the endpoint's quotas enforced. */
export const measureAuditThroughput = async (
  options: HistoryScenario & { readonly latencyMs: number },
): Promise<AuditThroughput> => {
  const { world, from } = historyWorld(options);
  const local = await startLocalAws(world);
  local.faults.latencyMs = options.latencyMs;
  const restore = patchEnv({ ...SDK_ENV, ...local.endpointEnv() });
  try {
    const clock = Date.parse(world.now);
    const started = performance.now();
    const result = await runAudit({
      target: { kind: 'world', accountId: BENCH_ACCOUNT, caller: 'bench', clock, clientOptions: {} },
      regions: HISTORY_REGIONS,
      trailRegions: [],
      window: { from, to: world.now, notes: [] },
      trailLogs: [],
      posture: false,
      import: false,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const outcomes: Record<string, number> = {};
    let failed = 0;
    for (const evaluation of result.evaluations) {
      for (const run of evaluation.runs) {
        if (run.error !== undefined) failed++;
        const outcome = (run.result as { outcome?: string } | undefined)?.outcome ?? 'error';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }
    const calls = local.calls.snapshot();
    return {
      principals: options.usersOnly ? 'IAM users' : 'IAM users and role sessions',
      regions: HISTORY_REGIONS,
      eventsPerRegion: options.eventsPerRegion,
      latencyMsPerCall: options.latencyMs,
      wallSeconds,
      eventsPerSecondPerRegion: options.eventsPerRegion / wallSeconds,
      ceilingPerRegion: LOOKUP_EVENTS_CEILING,
      lookupEventsCalls: calls['cloudtrail:LookupEvents'] ?? 0,
      historyPages: HISTORY_REGIONS.length * Math.ceil(options.eventsPerRegion / 50),
      throttled: local.quotas.throttled(),
      outcomes,
      failed,
    };
  } finally {
    restore();
    await local.close();
  }
};

export interface TrailParsing {
  readonly files: number;
  readonly records: number;
  readonly startSessions: number;
  readonly gzippedBytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

/** A record of another call, as most of a trail is (a describe call of the same principal). */
const otherCall = (record: Json, n: number): Json => ({
  ...record,
  eventName: 'DescribeInstanceInformation',
  eventID: `${String(record.eventID).slice(0, 24)}${String(n).padStart(12, '0')}`,
  requestParameters: { maxResults: 50 },
  responseElements: null,
  readOnly: true,
});

/**
 * Log files in the S3 layout, one StartSession in four records, gzipped, in a temporary folder;
 * then the audit command's reading of them (find, gunzip, JSON, pick the StartSessions of the
 * window) and the parse of each StartSession, timed.
 */
export const measureTrailParsing = async (options: {
  readonly files: number;
  readonly recordsPerFile: number;
}): Promise<TrailParsing> => {
  const { world, from } = historyWorld({
    eventsPerRegion: 250,
    principals: 50,
    nodes: 50,
    documents: 3,
    usersOnly: false,
  });
  const sessions = (world.regions[BENCH_REGION]?.cloudTrail ?? []).filter(
    (r) => r.eventName === 'StartSession',
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'runas-audit-bench-trail-'));
  try {
    let gzippedBytes = 0;
    for (let f = 0; f < options.files; f++) {
      const records = Array.from({ length: options.recordsPerFile }, (_, i) => {
        const session = sessions[(f * options.recordsPerFile + i) % sessions.length] as Json;
        return i % 4 === 0 ? session : otherCall(session, f * options.recordsPerFile + i);
      });
      const folder = path.join(dir, 'AWSLogs', BENCH_ACCOUNT, 'CloudTrail', BENCH_REGION, '2026', '03', '01');
      await mkdir(folder, { recursive: true });
      const bytes = gzipSync(JSON.stringify({ Records: records }));
      gzippedBytes += bytes.length;
      await writeFile(
        path.join(
          folder,
          `${BENCH_ACCOUNT}_CloudTrail_${BENCH_REGION}_20260301T${String(f).padStart(4, '0')}Z.json.gz`,
        ),
        bytes,
      );
    }
    const filter = { window: { from, to: world.now }, regions: [] };
    const now = Date.parse(world.now);
    const started = performance.now();
    let startSessions = 0;
    const pages: AsyncIterable<readonly HistoryRecord[]> = trailLogPages(
      await trailLogFiles([dir], filter),
      filter,
    );
    for await (const page of pages) {
      for (const item of page) {
        if (parseStartSessionEvent(wrapCloudTrailRecord(item.record as Json), now).inScope) startSessions++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const records = options.files * options.recordsPerFile;
    return {
      files: options.files,
      records,
      startSessions,
      gzippedBytes,
      seconds,
      recordsPerSecond: records / seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
