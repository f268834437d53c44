/**
 * The one Powertools Metrics (CloudWatch embedded metric format, one namespace): what operators
 * watch on the dashboard. Written to stdout at the end of each invocation by the handlers'
 * middleware; nothing is called, so no grant is needed.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AsffFinding } from './findings/asff.ts';

export const METRICS_NAMESPACE = 'SsmRunAsAuditor';
export const SERVICE_NAME = 'ssm-runas-auditor';

/** Metric names (the dashboard in template.yaml shows each). */
export const METRIC = {
  /** Records whose use case ran to the end (out-of-scope ones excluded). */
  eventsAudited: 'EventsAudited',
  /** Findings Security Hub accepted, by Outcome and Severity. */
  findings: 'Findings',
  /** Attempts a service throttled, by Operation (the SDK retried them). */
  throttledCalls: 'ThrottledCalls',
  /** Records reported as batch item failures: redelivered, then dead-lettered after maxReceiveCount. */
  failedRecords: 'FailedRecords',
  /** Records per invocation. */
  batchSize: 'BatchSize',
  /** Findings per BatchImportFindings call. */
  findingsPerImportCall: 'FindingsPerImportCall',
} as const;

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Throttled attempts seen by the pacing middleware since the last flush, by operation. */
const throttled = new Map<string, number>();

export const countThrottled = (operation: string): void => {
  throttled.set(operation, (throttled.get(operation) ?? 0) + 1);
};

/** What one invocation did, as the batch runner counts it. */
export interface BatchFigures {
  readonly records: number;
  readonly audited: number;
  readonly failed: number;
  readonly imported: readonly AsffFinding[];
  readonly importCalls: readonly number[];
}

const addDimensioned = (
  target: Metrics,
  name: string,
  counts: ReadonlyMap<string, { dimensions: Record<string, string>; value: number }>,
): void => {
  for (const { dimensions, value } of counts.values()) {
    const single = target.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, MetricUnit.Count, value);
  }
};

/** Adds one invocation's figures to `target` (published by the logMetrics middleware). */
export const recordBatch = (figures: BatchFigures, target: Metrics = metrics): void => {
  target.addMetric(METRIC.batchSize, MetricUnit.Count, figures.records);
  target.addMetric(METRIC.eventsAudited, MetricUnit.Count, figures.audited);
  target.addMetric(METRIC.failedRecords, MetricUnit.Count, figures.failed);
  for (const size of figures.importCalls)
    target.addMetric(METRIC.findingsPerImportCall, MetricUnit.Count, size);
  const byOutcome = new Map<string, { dimensions: Record<string, string>; value: number }>();
  for (const finding of figures.imported) {
    const Outcome = finding.ProductFields['RunAs/Outcome'] ?? 'NONE';
    const Severity = finding.Severity.Label;
    const key = `${Outcome}/${Severity}`;
    const entry = byOutcome.get(key) ?? { dimensions: { Outcome, Severity }, value: 0 };
    entry.value += 1;
    byOutcome.set(key, entry);
  }
  addDimensioned(target, METRIC.findings, byOutcome);
  const byOperation = new Map(
    [...throttled.entries()].map(([Operation, value]) => [Operation, { dimensions: { Operation }, value }]),
  );
  throttled.clear();
  addDimensioned(target, METRIC.throttledCalls, byOperation);
};
