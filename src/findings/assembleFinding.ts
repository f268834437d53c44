/**
 * The parts every Run As finding shares: ids, product ARN, times, severity and compliance from
 * the outcome, types, ProductFields (through the codec), limits. Each check's builder supplies
 * only the words, the resources and its own fields.
 */
import type { Partition } from '../domain/identifiers.ts';
import { type Outcome, ratingOf } from '../domain/outcome.ts';
import type { AsffFinding, AsffResource } from './asff.ts';
import { enforceLimits, FINDING_LIMITS } from './enforceLimits.ts';
import { findingId, productArn, subjectFits } from './findingId.ts';
import { type FindingCheck, type RunAsFields, writeFields } from './productFields.ts';

export const RUN_AS_FINDING_TYPE =
  'Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As';
export const RUN_AS_DOC_URL =
  'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html';

const NOTHING_TO_FIX = 'No change needed.';

export interface FindingDraft {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly check: FindingCheck;
  /** Session id, principal ARN or document name: with the check, what makes the Id. */
  readonly subject: string;
  readonly outcome: Outcome;
  /** Time of the event the finding reflects (never the clock): UpdatedAt and LastObservedAt. */
  readonly observedAt: string;
  /**
   * An existing finding's CreatedAt, kept stable across updates; defaults to observedAt. It is also
   * FirstObservedAt: the state was first observed when the finding was first written.
   */
  readonly createdAt?: string;
  readonly title: string;
  readonly description: string;
  /** What to change ('' when nothing). */
  readonly remediation: string;
  readonly resources: readonly AsffResource[];
  /** The check's own fields; RunAs/Check and RunAs/Outcome always come from the draft itself. */
  readonly fields: Partial<Omit<RunAsFields, 'check' | 'outcome'>>;
  readonly recordState?: 'ACTIVE' | 'ARCHIVED';
}

/** The earlier of two ISO times: CreatedAt never after UpdatedAt, whatever was stored. */
const earlier = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);

export const assembleFinding = (draft: FindingDraft): AsffFinding => {
  const rating = ratingOf(draft.outcome);
  const firstSeen = earlier(draft.createdAt ?? draft.observedAt, draft.observedAt);
  const severity = { Label: rating.severity, Original: draft.outcome };
  const subject = subjectFits(draft.accountId, draft.region, draft.check, draft.subject)
    ? {}
    : { subject: draft.subject };
  return enforceLimits({
    SchemaVersion: '2018-10-08',
    Id: findingId(draft.accountId, draft.region, draft.check, draft.subject),
    ProductArn: productArn(draft.partition, draft.region, draft.accountId),
    GeneratorId: `ssm-runas-auditor/${draft.check}`,
    AwsAccountId: draft.accountId,
    Region: draft.region,
    Types: [RUN_AS_FINDING_TYPE],
    CreatedAt: firstSeen,
    UpdatedAt: draft.observedAt,
    FirstObservedAt: firstSeen,
    LastObservedAt: draft.observedAt,
    Severity: severity,
    Title: draft.title,
    Description: draft.description,
    Remediation: {
      Recommendation: {
        Text: draft.remediation.trim() === '' ? NOTHING_TO_FIX : draft.remediation,
        Url: RUN_AS_DOC_URL,
      },
    },
    ProductFields: writeFields(
      { ...draft.fields, ...subject, check: draft.check, outcome: draft.outcome },
      FINDING_LIMITS.productFieldValue,
    ),
    Resources: draft.resources,
    // StatusReasons is left out: its reason codes are defined for Security Hub controls, and the
    // outcome is in Severity.Original and ProductFields RunAs/Outcome already.
    Compliance: { Status: rating.compliance },
    RecordState: draft.recordState ?? 'ACTIVE',
    FindingProviderFields: { Severity: severity, Types: [RUN_AS_FINDING_TYPE] },
  });
};
