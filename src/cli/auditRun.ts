/**
 * One run of `runas-audit audit`: the StartSession records of a window (LookupEvents per Region in
 * parallel, or trail log files), each audited by the session function's use case; with `posture`,
 * each Region's preferences and every mapped principal through the change functions' use cases;
 * with `import`, the findings the configuration reports imported, at most 100 per call. The report
 * holds every session's finding (compliant and not applicable ones too); the import holds what the
 * deployed functions would write.
 */
import { auditHistory, type HistoryEvaluation } from '../app/auditHistory.ts';
import { auditPosture, type PostureEvaluation } from '../app/auditPosture.ts';
import type { SessionAuditSettings } from '../app/auditSession.ts';
import { createFindingBatch } from '../app/findingBatch.ts';
import type { HistoryRecord } from '../app/historyPorts.ts';
import type { FailedFinding } from '../app/ports.ts';
import { createAuditCommandWiring } from '../composition/auditCommand.ts';
import type { ClientOptions } from '../composition/clients.ts';
import { type Config, loadConfig } from '../config.ts';
import { partitionOf } from '../domain/identifiers.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { readFields } from '../findings/productFields.ts';
import type { SamEnvVars } from '../local/tools/template.ts';
import type { AuditWindow } from './auditWindow.ts';
import type { ProgressLine } from './progress.ts';
import { trailLogFiles, trailLogPages } from './trailLogs.ts';

/** Where the audit reads AWS from: a local endpoint serving a world, or the caller's account. */
export interface AuditTarget {
  readonly kind: 'world' | 'aws';
  readonly accountId: string;
  /** Who the posture review is by (the caller's ARN). */
  readonly caller: string;
  /** The audit's clock (epoch ms): the world's `now`, or the machine's. */
  readonly clock: number;
  readonly clientOptions: ClientOptions;
}

export interface AuditRunOptions {
  readonly target: AuditTarget;
  /** The Regions audited (LookupEvents) and reviewed (posture). */
  readonly regions: readonly string[];
  /** Regions trail log records are kept from: the ones asked for with --region; every Region when empty. */
  readonly trailRegions: readonly string[];
  readonly window: AuditWindow;
  readonly trailLogs: readonly string[];
  readonly posture: boolean;
  readonly import: boolean;
  readonly envVars?: SamEnvVars;
  readonly progress?: ProgressLine;
}

export interface ImportSummary {
  readonly findings: number;
  readonly calls: readonly number[];
  readonly failed: readonly FailedFinding[];
}

export interface AuditResult {
  readonly source: 'LookupEvents' | 'trail logs';
  /** The Regions read (LookupEvents) or kept (trail logs; empty: every Region). */
  readonly regions: readonly string[];
  readonly window: AuditWindow;
  readonly clock: string;
  readonly evaluations: readonly (HistoryEvaluation | PostureEvaluation)[];
  readonly findings: readonly AsffFinding[];
  readonly records: number;
  readonly duplicates: number;
  readonly imported?: ImportSummary;
  /** Settings the command changed so that it writes nothing (USER_DIRECTORY=command, ...). */
  readonly notes: readonly string[];
}

/** Variables a function of the template reads, from SAM's `--env-vars` file (Parameters, then the session function's). */
const envOf = (envVars: SamEnvVars | undefined): Record<string, string> => {
  const merged = { ...envVars?.Parameters, ...envVars?.AuditSessionFunction };
  return Object.fromEntries(Object.entries(merged).map(([key, value]) => [key, String(value)]));
};

/** The configuration the use cases run with: the file's settings, never what would write to AWS. */
export const auditConfig = (
  regions: readonly string[],
  envVars: SamEnvVars | undefined,
): { config: Config; notes: string[] } => {
  const env = envOf(envVars);
  const notes: string[] = [];
  if (env.USER_DIRECTORY === 'command') {
    notes.push(
      'USER_DIRECTORY=command would run commands on nodes: the audit reads the OS users inventory instead',
    );
    env.USER_DIRECTORY = 'inventory';
  }
  const config = loadConfig({
    ...env,
    AWS_REGION: regions[0],
    AUDITED_REGIONS: regions.join(','),
    // One caller: the whole quota; a run's reads are one snapshot, cached for its length.
    MAXIMUM_CONCURRENCY: '1',
    CACHE_TTL_SECONDS: '86400',
    TERMINATE_STALE_SESSIONS: 'false',
    STATE_TABLE_NAME: '',
  });
  return { config, notes };
};

/** Whether the deployed functions would import this finding (REPORT_COMPLIANT_SESSIONS, REPORT_NOT_APPLICABLE). */
const reportedByConfig = (finding: AsffFinding, config: Config): boolean => {
  const { check, outcome } = readFields(finding.ProductFields);
  if (check !== 'session') return true;
  if (outcome === 'COMPLIANT') return config.reportCompliantSessions;
  if (outcome === 'NOT_APPLICABLE') return config.reportNotApplicable;
  return true;
};

/** Tracks how much of each source has been read, for the progress line's ETA. */
const tracked = (
  pages: AsyncIterable<readonly HistoryRecord[]>,
  fractionOf: (page: readonly HistoryRecord[]) => number | undefined,
  onFraction: (fraction: number) => void,
): AsyncIterable<readonly HistoryRecord[]> => ({
  [Symbol.asyncIterator]: async function* () {
    for await (const page of pages) {
      const fraction = fractionOf(page);
      if (fraction !== undefined) onFraction(fraction);
      yield page;
    }
    onFraction(1);
  },
});

export const runAudit = async (options: AuditRunOptions): Promise<AuditResult> => {
  const { target, window, regions } = options;
  const { config, notes } = auditConfig(regions, options.envVars);
  const wiring = createAuditCommandWiring(config, target.clientOptions);
  const from = Date.parse(window.from);
  const span = Math.max(1, Date.parse(window.to) - from);
  const fractions = new Map<number, number>();
  const covered = (): number =>
    [...fractions.values()].reduce((a, b) => a + b, 0) / Math.max(1, fractions.size);
  const source = (
    index: number,
    pages: AsyncIterable<readonly HistoryRecord[]>,
    by: typeof fractionByTime,
  ) => {
    fractions.set(index, 0);
    return tracked(pages, by, (fraction) => fractions.set(index, fraction));
  };
  // LookupEvents reads newest first: how far back the last record is, is how much has been read.
  const fractionByTime = (page: readonly HistoryRecord[]): number | undefined => {
    const times = page.flatMap((item) => {
      const time = Date.parse(String((item.record as { eventTime?: unknown } | undefined)?.eventTime));
      return Number.isNaN(time) ? [] : [time];
    });
    return times.length === 0 ? undefined : Math.min(1, (Date.parse(window.to) - Math.min(...times)) / span);
  };
  let sources: AsyncIterable<readonly HistoryRecord[]>[];
  if (options.trailLogs.length > 0) {
    const filter = { window, regions: options.trailRegions };
    const files = await trailLogFiles(options.trailLogs, filter);
    let done = 0;
    sources = [
      source(
        0,
        trailLogPages(files, filter, (n) => (done = n)),
        () => done / Math.max(1, files.length),
      ),
    ];
  } else {
    sources = regions.map((region, i) =>
      source(i, wiring.historyOf(target.accountId, region, window), fractionByTime),
    );
  }
  const batch = createFindingBatch();
  // Every session's finding is written for the report, whatever the configuration reports.
  const settings: SessionAuditSettings = {
    ...config,
    reportCompliantSessions: true,
    reportNotApplicable: true,
  };
  const history = await auditHistory({
    sources,
    readsFor: wiring.readsFor,
    settings,
    now: target.clock,
    // Enough that reading goes on at LookupEvents' pace while the first sight of each node waits
    // for its SSM reads (10 calls/s); later sessions find everything cached.
    parallelism: 1000,
    batch,
    onProgress: (p) => options.progress?.update({ ...p, fraction: covered() }),
  });
  const evaluations: (HistoryEvaluation | PostureEvaluation)[] = [...history.evaluations];
  if (options.posture) {
    const at = new Date(Math.floor(target.clock / 1000) * 1000).toISOString();
    const posture = await auditPosture({
      review: {
        eventName: 'PostureAudit',
        eventTime: at,
        accountId: target.accountId,
        partition: partitionOf(config.region),
        by: target.caller,
      },
      reads: wiring.changeReadsFor(target.accountId, options.import),
      lister: wiring.listerFor(target.accountId),
      batch,
      settings: config,
      parallelism: 4,
      onProgress: (done, total) =>
        options.progress?.update({
          read: history.read,
          audited: history.evaluations.length,
          failed: 0,
          posture: { done, total },
        }),
    });
    evaluations.push(...posture.evaluations);
  }
  options.progress?.done();
  const groups = batch.groups();
  const findings = groups.flatMap((group) => group.findings);
  let imported: ImportSummary | undefined;
  if (options.import) {
    const calls: number[] = [];
    const failed: FailedFinding[] = [];
    let count = 0;
    for (const group of groups) {
      const chosen = group.findings.filter((finding) => reportedByConfig(finding, config));
      if (chosen.length === 0) continue;
      const answer = await wiring.importerFor(group).importFindings(chosen);
      calls.push(...answer.calls);
      failed.push(...answer.failed);
      count += chosen.length - answer.failed.length;
    }
    imported = { findings: count, calls, failed };
  }
  return {
    source: options.trailLogs.length > 0 ? 'trail logs' : 'LookupEvents',
    regions: options.trailLogs.length > 0 ? options.trailRegions : regions,
    window,
    clock: new Date(target.clock).toISOString(),
    evaluations,
    findings,
    records: history.read,
    duplicates: history.duplicates,
    ...(imported === undefined ? {} : { imported }),
    notes,
  };
};
