/**
 * Use case: the posture of an account, as the change functions would write it had every mapping
 * just changed: each Region's preferences (SSM-SessionManagerRunShell), then every IAM user and
 * role with an SSMSessionRunAs tag (any case; or whose tags cannot be read), each through the
 * change use cases, into the given batch. Principals without the tag follow the preferences,
 * which their Region's preferences finding covers.
 */
import type { Principal } from '../domain/facts.ts';
import { PREFERENCES_DOCUMENT, RUN_AS_TAG } from '../domain/sessionManager.ts';
import { type DocumentChangeEvaluation, documentChange } from './documentChange.ts';
import { changePortsIn, type FindingBatch } from './findingBatch.ts';
import type { PrincipalLister } from './historyPorts.ts';
import type { ChangeReadPorts } from './ports.ts';
import type { ChangeSettings } from './postureResult.ts';
import { documentReview, principalReview, type Review } from './postureReviews.ts';
import { type PrincipalChangeEvaluation, principalChange } from './principalChange.ts';
import { type RunFailure, runFailureOf } from './runFailure.ts';

export interface PostureRun {
  readonly logicalId: 'DocumentChangeFunction' | 'PrincipalChangeFunction';
  readonly result?: DocumentChangeEvaluation | PrincipalChangeEvaluation;
  readonly error?: RunFailure;
}

export interface PostureEvaluation {
  readonly event: string;
  readonly eventTime: string;
  readonly runs: readonly PostureRun[];
}

export interface PostureAuditOptions {
  readonly review: Review;
  readonly reads: ChangeReadPorts;
  readonly lister: PrincipalLister;
  readonly batch: FindingBatch;
  /** auditedRegions: the Regions whose preferences and principal findings are reviewed. */
  readonly settings: ChangeSettings;
  /** Principals reviewed at once (each reads its tags, preferences and open sessions). */
  readonly parallelism: number;
  readonly onProgress?: (reviewed: number, total: number) => void;
}

export interface PostureAudit {
  readonly evaluations: readonly PostureEvaluation[];
  /** Users and roles IAM listed, and those with a mapping (reviewed). */
  readonly principalsListed: number;
  readonly principalsReviewed: number;
}

const RUN_AS_KEY = RUN_AS_TAG.toLowerCase();

type IamPrincipal = Principal & { readonly kind: 'user' | 'role' };
const isIamPrincipal = (p: Principal): p is IamPrincipal => p.kind === 'user' || p.kind === 'role';

const runOf = async (
  logicalId: PostureRun['logicalId'],
  work: () => Promise<NonNullable<PostureRun['result']>>,
): Promise<PostureRun> => {
  try {
    return { logicalId, result: await work() };
  } catch (error) {
    return { logicalId, error: runFailureOf(error) };
  }
};

export const auditPosture = async (options: PostureAuditOptions): Promise<PostureAudit> => {
  const { review, reads, batch, settings } = options;
  const portsFor = (id: string) => changePortsIn(reads, batch.forRecord(id), review.accountId);
  const evaluations: PostureEvaluation[] = [];
  const add = (event: string, run: PostureRun): void => {
    evaluations.push({ event, eventTime: review.eventTime, runs: [run] });
  };

  for (const region of settings.auditedRegions) {
    const id = `posture/${region}/${PREFERENCES_DOCUMENT}`;
    const command = documentReview(review, region, PREFERENCES_DOCUMENT);
    add(id, await runOf('DocumentChangeFunction', () => documentChange(command, portsFor(id), settings)));
  }

  const listed = await options.lister.listPrincipals();
  if (!listed.known) {
    add('posture/principals', {
      logicalId: 'PrincipalChangeFunction',
      error: { errorType: 'PrincipalsUnreadable', errorMessage: listed.reason },
    });
    return { evaluations, principalsListed: 0, principalsReviewed: 0 };
  }
  const principals = listed.value.filter(isIamPrincipal);
  let next = 0;
  let done = 0;
  let reviewed = 0;
  const worker = async (): Promise<void> => {
    for (let principal = principals[next++]; principal !== undefined; principal = principals[next++]) {
      const tags = await reads.principalTags.tagsOf(principal);
      if (!tags.known || Object.keys(tags.value).some((key) => key.toLowerCase() === RUN_AS_KEY)) {
        reviewed++;
        const id = `posture/${principal.kind}${principal.path}${principal.name}`;
        const command = principalReview(review, principal);
        add(
          id,
          await runOf('PrincipalChangeFunction', () => principalChange(command, portsFor(id), settings)),
        );
      }
      options.onProgress?.(++done, principals.length);
    }
  };
  const workers = Math.max(1, Math.min(options.parallelism, principals.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { evaluations, principalsListed: principals.length, principalsReviewed: reviewed };
};
