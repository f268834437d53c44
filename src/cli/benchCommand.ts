/** `bench`: AWS calls, latency and cold start of the audit function, against the local endpoint. */
import type { Command } from './replayCommands.ts';

export const benchCommand: Command = {
  spec: {
    name: 'bench',
    summary:
      'measure calls per event, latency, a burst under the quotas, cold starts, the audit of history and the sweep',
    usage: '[flags]',
    description: [
      'Replays synthetic StartSession events through the real AuditSessionFunction handler against the',
      'local endpoint with latency added to every call, with and without the warm-container caches; sends a',
      'burst through the queue path with quotas enforced; then bundles each function and times its import',
      "(and what Powertools Tracer would add); then the history: `audit` against LookupEvents' quota, trail log",
      "parsing, and the sweep's calls for an hour. Prints a table with the targets; writes the figures as JSON.",
    ],
    flags: [
      { name: 'events', value: 'N', help: 'StartSession events in the cached pass', default: '2000' },
      { name: 'principals', value: 'N', help: 'IAM users and role sessions', default: '50' },
      { name: 'nodes', value: 'N', help: 'Linux managed nodes', default: '200' },
      { name: 'documents', value: 'N', help: 'session documents', default: '3' },
      { name: 'latency-ms', value: 'N', help: 'milliseconds added to every AWS call', default: '20' },
      {
        name: 'burst-events',
        value: 'N',
        help: 'StartSessions of the burst through the queue path (0: no burst)',
        default: '2000',
      },
      {
        name: 'burst-seconds',
        value: 'N',
        help: 'seconds of event time the burst arrives within',
        default: '10',
      },
      {
        name: 'audit-events',
        value: 'N',
        help: 'StartSessions per Region the audit command reads from LookupEvents (0: skip)',
        default: '3000',
      },
      { name: 'trail-records', value: 'N', help: 'trail log records parsed (0: skip)', default: '100000' },
      {
        name: 'sweep-sessions',
        value: 'N',
        help: 'StartSessions of the hour the sweep sweeps (0: skip)',
        default: '600',
      },
      {
        name: 'out',
        value: 'FILE',
        help: 'where to write the figures (default: bench-results.json in the repository)',
      },
    ],
  },
  run: async (args) => {
    // Powertools reads these when its logger and metrics are built, at the first import of the
    // handlers' modules: set before any is loaded, so no pass prints a log line or a metric.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const { benchOptions, runBenchmark } = await import('../local/tools/bench.ts');
    const flag = (name: string): string | undefined => {
      const value = args.values[name];
      return typeof value === 'string' ? value : undefined;
    };
    const options = benchOptions({
      events: flag('events'),
      principals: flag('principals'),
      nodes: flag('nodes'),
      documents: flag('documents'),
      'latency-ms': flag('latency-ms'),
      'burst-events': flag('burst-events'),
      'burst-seconds': flag('burst-seconds'),
      'audit-events': flag('audit-events'),
      'trail-records': flag('trail-records'),
      'sweep-sessions': flag('sweep-sessions'),
      out: flag('out'),
    });
    return runBenchmark(options);
  },
};
