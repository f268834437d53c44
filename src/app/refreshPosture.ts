/**
 * Use case: keep live posture findings from expiring. Security Hub deletes an active finding that
 * has not been updated for 90 days, and a principal or preferences finding whose state still holds
 * is never written again by a change: a broken mapping nobody touches would vanish from view.
 * The sweep reviews every ACTIVE principal and preferences finding of the audited Regions last
 * updated more than 30 days before its scheduled time, through the change use cases: a state that
 * still holds is written again, a fixed one resolved, a gone one archived. The review's event time
 * is the sweep's scheduled time, the time the schedule fired: it becomes UpdatedAt (never the
 * clock), and a retry of the same invocation carries the same one, so it writes the same findings.
 */
import { readFields } from '../findings/productFields.ts';
import { type DocumentChangeEvaluation, documentChange } from './documentChange.ts';
import { changePortsIn, type Placement } from './findingBatch.ts';
import type { ChangeReadPorts, FindingImporter, StoredFinding } from './ports.ts';
import { type ChangeSettings, PRINCIPAL_GENERATOR } from './postureResult.ts';
import { documentReview, principalReview, type Review } from './postureReviews.ts';
import { type PrincipalChangeEvaluation, principalChange } from './principalChange.ts';
import { principalFromArn } from './principalFromArn.ts';
import { runBatch } from './recordBatch.ts';
import { type SweepFailure, sweepFailureOf } from './sweepSessions.ts';

/** Refreshed well before Security Hub's 90 days, so that a sweep failing for weeks still makes it. */
export const REFRESH_AFTER_MS = 30 * 24 * 60 * 60 * 1000;
const PREFERENCES_GENERATOR = 'ssm-runas-auditor/preferences';

export interface RefreshPorts {
  readonly reads: ChangeReadPorts;
  readonly importerFor: (placement: Placement) => FindingImporter;
  readonly remainingTimeMs: () => number;
}

export interface RefreshResult {
  /** Stale findings found (principal and preferences, every audited Region). */
  readonly stale: number;
  /** Reviews run: one per principal (covering every audited Region), one per Region's document. */
  readonly reviews: readonly (PrincipalChangeEvaluation | DocumentChangeEvaluation)[];
  readonly findingsImported: number;
  readonly failed: readonly SweepFailure[];
}

type Job =
  | { readonly kind: 'principal'; readonly command: ReturnType<typeof principalReview> }
  | { readonly kind: 'document'; readonly command: ReturnType<typeof documentReview> };

const jobsOf = (review: Review, stale: readonly (StoredFinding & { readonly region: string })[]): Job[] => {
  const jobs = new Map<string, Job>();
  for (const finding of stale) {
    const fields = readFields(finding.ProductFields);
    if (finding.GeneratorId === PRINCIPAL_GENERATOR && fields.principal !== undefined) {
      const principal = principalFromArn(fields.principal, review.accountId);
      if (principal.kind !== 'user' && principal.kind !== 'role') continue;
      // One review per principal: a principal change covers every audited Region.
      jobs.set(`principal ${principal.arn}`, {
        kind: 'principal',
        command: principalReview(review, { ...principal, kind: principal.kind }),
      });
    } else if (finding.GeneratorId === PREFERENCES_GENERATOR && fields.document !== undefined) {
      jobs.set(`document ${finding.region} ${fields.document}`, {
        kind: 'document',
        command: documentReview(review, finding.region, fields.document),
      });
    }
  }
  return [...jobs.values()];
};

export const refreshPosture = async (
  review: Review,
  ports: RefreshPorts,
  settings: ChangeSettings,
): Promise<RefreshResult> => {
  const updatedBefore = new Date(Date.parse(review.eventTime) - REFRESH_AFTER_MS).toISOString();
  const stale: (StoredFinding & { readonly region: string })[] = [];
  for (const region of settings.auditedRegions) {
    const reader = ports.reads.inRegion(region).findingReader;
    for (const generatorId of [PRINCIPAL_GENERATOR, PREFERENCES_GENERATOR]) {
      for (const finding of await reader.activeFindings({ generatorId, updatedBefore })) {
        stale.push({ ...finding, region });
      }
    }
  }
  const jobs = jobsOf(review, stale);
  const byId = new Map(jobs.map((job, index) => [String(index), job]));
  type Evaluation = PrincipalChangeEvaluation | DocumentChangeEvaluation;
  const result = await runBatch<Job, Evaluation>(
    [...byId.keys()].map((id) => ({ id, event: id })),
    {
      parse: (event) => {
        const job = byId.get(String(event));
        return job === undefined
          ? { inScope: false, reason: 'no such review' }
          : { inScope: true, command: job };
      },
      // Changes read back what earlier ones wrote (a document review re-evaluates principal findings).
      sequentialBy: () => 0,
      parallelism: 1,
      run: async (job, findings) => {
        const changePorts = changePortsIn(ports.reads, findings, review.accountId);
        return job.kind === 'principal'
          ? principalChange(job.command, changePorts, settings)
          : documentChange(job.command, changePorts, settings);
      },
      importerFor: ports.importerFor,
      remainingTimeMs: ports.remainingTimeMs,
    },
  );
  const reviews: Evaluation[] = [];
  const failed: SweepFailure[] = [];
  for (const { id, outcome } of result.outcomes) {
    if (outcome.status === 'done') reviews.push(outcome.result);
    else if (outcome.status === 'failed') {
      failed.push(sweepFailureOf(byId.get(id)?.command.eventId ?? id, outcome.error));
    }
  }
  return { stale: stale.length, reviews, findingsImported: result.imported.length, failed };
};
