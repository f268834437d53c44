/** Runs the history benches the options ask for (each skipped at 0), logs and silences the handlers as the passes do. */
import { patchEnv } from './benchEnv.ts';
import { measureAuditThroughput, measureTrailParsing } from './benchHistory.ts';
import { type HistoryFigures, historyTargets } from './benchHistoryReport.ts';
import type { BenchOptions } from './benchOptions.ts';
import type { Target } from './benchStats.ts';
import { runSweepBench } from './benchSweep.ts';

const RECORDS_PER_FILE = 1000;

export const runHistoryBenches = async (
  options: BenchOptions,
): Promise<{ readonly figures: HistoryFigures; readonly targets: readonly Target[] }> => {
  const restore = patchEnv({ POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    const scenario = { principals: options.principals, nodes: options.nodes, documents: options.documents };
    const run = { ...scenario, eventsPerRegion: options.auditEvents, latencyMs: options.latencyMs };
    let figures: HistoryFigures = {};
    if (options.auditEvents > 0) {
      console.error(
        `bench: audit of ${options.auditEvents} StartSessions per Region from LookupEvents (IAM users)…`,
      );
      figures = { ...figures, audit: await measureAuditThroughput({ ...run, usersOnly: true }) };
      console.error('bench: the same with role sessions…');
      figures = { ...figures, auditMixed: await measureAuditThroughput({ ...run, usersOnly: false }) };
    }
    if (options.trailRecords > 0) {
      console.error(`bench: parsing ${options.trailRecords} trail log records…`);
      const files = Math.max(1, Math.round(options.trailRecords / RECORDS_PER_FILE));
      figures = {
        ...figures,
        trail: await measureTrailParsing({ files, recordsPerFile: Math.ceil(options.trailRecords / files) }),
      };
    }
    if (options.sweepSessions > 0) {
      console.error(`bench: the sweep of an hour of ${options.sweepSessions} StartSessions…`);
      figures = {
        ...figures,
        sweep: await runSweepBench({ ...scenario, sessions: options.sweepSessions, missedShare: 0.05 }),
      };
    }
    return { figures, targets: historyTargets(figures) };
  } finally {
    restore();
  }
};
