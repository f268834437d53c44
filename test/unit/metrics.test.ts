import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AsffFinding } from '../../src/findings/asff.ts';
import { countThrottled, METRICS_NAMESPACE, recordBatch, SERVICE_NAME } from '../../src/metrics.ts';

const finding = (outcome: string, severity: string) =>
  ({ ProductFields: { 'RunAs/Outcome': outcome }, Severity: { Label: severity } }) as unknown as AsffFinding;

/** The EMF documents `work` writes to stdout, parsed. */
const emitted = (work: (metrics: Metrics) => void): Record<string, unknown>[] => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    work(metrics);
    metrics.publishStoredMetrics();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('recordBatch', () => {
  it('emits one namespace: batch size, audited, failed, findings per call, and findings by outcome and severity', () => {
    // Act
    const docs = emitted((metrics) =>
      recordBatch(
        {
          records: 5,
          audited: 3,
          failed: 1,
          imported: [
            finding('COMPLIANT', 'INFORMATIONAL'),
            finding('RAN_AS_SSM_USER', 'HIGH'),
            finding('RAN_AS_SSM_USER', 'HIGH'),
          ],
          importCalls: [100, 3],
        },
        metrics,
      ),
    );

    // Assess
    const namespaces = docs.flatMap((d) =>
      (d._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics.map((m) => m.Namespace),
    );
    expect(new Set(namespaces)).toEqual(new Set([METRICS_NAMESPACE]));
    expect(docs).toContainEqual(
      expect.objectContaining({
        service: SERVICE_NAME,
        BatchSize: 5,
        EventsAudited: 3,
        FailedRecords: 1,
        FindingsPerImportCall: [100, 3],
      }),
    );
    expect(docs).toContainEqual(
      expect.objectContaining({ Outcome: 'RAN_AS_SSM_USER', Severity: 'HIGH', Findings: 2 }),
    );
    expect(docs).toContainEqual(
      expect.objectContaining({ Outcome: 'COMPLIANT', Severity: 'INFORMATIONAL', Findings: 1 }),
    );
  });

  it('emits the throttled calls seen since the last batch, by operation, once', () => {
    // Prepare
    countThrottled('ssm:GetDocument');
    countThrottled('ssm:GetDocument');
    countThrottled('cloudtrail:LookupEvents');
    const figures = { records: 1, audited: 1, failed: 0, imported: [], importCalls: [] };

    // Act
    const first = emitted((metrics) => recordBatch(figures, metrics));
    const second = emitted((metrics) => recordBatch(figures, metrics));

    // Assess
    expect(first).toContainEqual(
      expect.objectContaining({ Operation: 'ssm:GetDocument', ThrottledCalls: 2 }),
    );
    expect(first).toContainEqual(
      expect.objectContaining({ Operation: 'cloudtrail:LookupEvents', ThrottledCalls: 1 }),
    );
    expect(second.filter((d) => 'ThrottledCalls' in d)).toEqual([]);
  });
});
