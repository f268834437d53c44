/** Outcome codes are a public contract: users filter on them, never rename one. */
export type Outcome =
  | 'NOT_APPLICABLE'
  | 'SSH_TUNNEL'
  | 'UNVERIFIED'
  | 'INVALID_PREFERENCES'
  | 'RAN_AS_ROOT'
  | 'RAN_AS_SSM_USER'
  | 'NO_RUN_AS_USER'
  | 'INVALID_RUN_AS_USER'
  | 'DISALLOWED_RUN_AS_USER'
  | 'MISSING_RUN_AS_USER'
  | 'SHELL_PROFILE_ESCALATION'
  | 'RAN_AS_UNEXPECTED_USER'
  | 'COMPLIANT';

export type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface OutcomeRating {
  readonly compliance: ComplianceStatus;
  readonly severity: SeverityLabel;
}

/**
 * Precedence, highest first: when the conditions of several outcomes hold for one session, the
 * decision reports the first. The decision's phases run in this order (scope, settings, expected
 * user, the node), and a test holds every pair of adjacent outcomes to it.
 */
export const OUTCOME_PRECEDENCE: readonly Outcome[] = [
  'NOT_APPLICABLE',
  'SSH_TUNNEL',
  'UNVERIFIED',
  'INVALID_PREFERENCES',
  'RAN_AS_ROOT',
  'RAN_AS_SSM_USER',
  'NO_RUN_AS_USER',
  'INVALID_RUN_AS_USER',
  'DISALLOWED_RUN_AS_USER',
  'MISSING_RUN_AS_USER',
  'SHELL_PROFILE_ESCALATION',
  // Only the session log can show it: the verification that reads the log applies it.
  'RAN_AS_UNEXPECTED_USER',
  'COMPLIANT',
];

// NOT_APPLICABLE has no rating in the contract; when reporting it is configured it is written
// as an informational NOT_AVAILABLE finding.
const RATINGS: Readonly<Record<Outcome, OutcomeRating>> = {
  NOT_APPLICABLE: { compliance: 'NOT_AVAILABLE', severity: 'INFORMATIONAL' },
  SSH_TUNNEL: { compliance: 'WARNING', severity: 'LOW' },
  UNVERIFIED: { compliance: 'NOT_AVAILABLE', severity: 'INFORMATIONAL' },
  INVALID_PREFERENCES: { compliance: 'FAILED', severity: 'MEDIUM' },
  RAN_AS_ROOT: { compliance: 'FAILED', severity: 'HIGH' },
  RAN_AS_SSM_USER: { compliance: 'FAILED', severity: 'HIGH' },
  NO_RUN_AS_USER: { compliance: 'WARNING', severity: 'LOW' },
  INVALID_RUN_AS_USER: { compliance: 'FAILED', severity: 'HIGH' },
  DISALLOWED_RUN_AS_USER: { compliance: 'FAILED', severity: 'HIGH' },
  MISSING_RUN_AS_USER: { compliance: 'FAILED', severity: 'MEDIUM' },
  SHELL_PROFILE_ESCALATION: { compliance: 'FAILED', severity: 'HIGH' },
  RAN_AS_UNEXPECTED_USER: { compliance: 'FAILED', severity: 'HIGH' },
  COMPLIANT: { compliance: 'PASSED', severity: 'INFORMATIONAL' },
};

export const ratingOf = (outcome: Outcome): OutcomeRating => RATINGS[outcome];

export const isOutcome = (value: string): value is Outcome => Object.hasOwn(RATINGS, value);
