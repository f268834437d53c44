/**
 * What a change does with a posture finding, shared by the principal and document use cases:
 * flagged outcomes are written; a compliant one only resolves a finding that exists; CreatedAt is
 * kept from the finding already in Security Hub; a finding updated at or after the change is left
 * alone (Security Hub drops an update whose UpdatedAt is not newer).
 */
import type { Decision, VersionLabel } from '../domain/decision.ts';
import { type Outcome, ratingOf } from '../domain/outcome.ts';
import type { StoredFinding } from './ports.ts';

export const PRINCIPAL_GENERATOR = 'ssm-runas-auditor/principal';

export interface ChangeSettings {
  readonly deniedRunAsUsers: ReadonlySet<string>;
  /** Regions whose preferences and findings a principal change touches (AUDITED_REGIONS). */
  readonly auditedRegions: readonly string[];
  readonly terminateStaleSessions: boolean;
  /** The version sessions are judged by (SESSION_DOCUMENT_VERSION). */
  readonly sessionDocumentVersion: VersionLabel;
}

/**
 * What happened to a posture finding: `written` (FAILED, WARNING or NOT_AVAILABLE), `resolved`
 * (compliant now: an existing finding re-imported as PASSED), `archived` (its subject is gone),
 * `not-written` (compliant and never flagged), `skipped` (the change cannot affect it, or a newer
 * finding exists).
 */
export type PostureAction = 'written' | 'resolved' | 'archived' | 'not-written' | 'skipped';

export interface PostureResult {
  readonly action: PostureAction;
  /** Why, in words (chiefly for not-written and skipped). */
  readonly reason: string;
  readonly outcome: Outcome | null;
  readonly severity: string | null;
  readonly expectedUser: string;
  /** Findings imported for the subject (more than one only when archiving several). */
  readonly findingIds: readonly string[];
}

/** Outcomes that are written even when no finding exists yet. */
export const isFlagged = (outcome: Outcome): boolean =>
  outcome !== 'COMPLIANT' && outcome !== 'NOT_APPLICABLE';

/** A finding that is still in play: an archived one is history, not "an open finding". */
export const liveFinding = (finding: StoredFinding | undefined): StoredFinding | undefined =>
  finding?.RecordState === 'ACTIVE' ? finding : undefined;

/** A stored finding (any record state) already updated at or after this event time. */
export const isNewerThan = (finding: StoredFinding | undefined, eventTime: string): boolean =>
  finding !== undefined && Date.parse(finding.UpdatedAt) >= Date.parse(eventTime);

export const NEWER_FINDING =
  'a finding updated at or after this event exists: Security Hub would drop the update';

export const createdAtOf = (finding: StoredFinding | undefined): { createdAt?: string } =>
  finding === undefined || finding.CreatedAt === '' ? {} : { createdAt: finding.CreatedAt };

/** Writes a posture decision as the change rules say, given whether a live finding exists. */
export const postureAction = (
  decision: Decision,
  existing: StoredFinding | undefined,
): { write: boolean; action: PostureAction; reason: string } => {
  if (isFlagged(decision.outcome)) return { write: true, action: 'written', reason: decision.outcome };
  if (existing !== undefined)
    return { write: true, action: 'resolved', reason: `${decision.outcome}: the finding is resolved` };
  return { write: false, action: 'not-written', reason: `${decision.outcome} and never flagged: no finding` };
};

export const decisionResult = (
  decision: Decision,
  action: PostureAction,
  reason: string,
  findingIds: readonly string[],
): PostureResult => ({
  action,
  reason,
  outcome: decision.outcome,
  severity: ratingOf(decision.outcome).severity,
  expectedUser: decision.expectedUser,
  findingIds,
});

export const skippedResult = (reason: string): PostureResult => ({
  action: 'skipped',
  reason,
  outcome: null,
  severity: null,
  expectedUser: '',
  findingIds: [],
});

export const archivedResult = (findingIds: readonly string[], reason: string): PostureResult => ({
  action: 'archived',
  reason,
  outcome: 'NOT_APPLICABLE',
  severity: ratingOf('NOT_APPLICABLE').severity,
  expectedUser: '',
  findingIds,
});
