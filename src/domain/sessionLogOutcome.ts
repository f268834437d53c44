/**
 * What the session log changes about an audited session: which sessions it can confirm, what the
 * audit expects it to record, the outcome once it is read, and the evidence a finding rests on.
 */
import type { Decision } from './decision.ts';
import { OUTCOME_PRECEDENCE, type Outcome } from './outcome.ts';
import type { AuditedShell, SessionLogVerdict } from './sessionLog.ts';

/**
 * What a finding rests on, weakest first: the decision computed from AWS's records alone; the
 * node's users (inventory or the Run Command probe) confirming the user exists or not; the
 * agent's own session log recording the user the shell started as; or no session log stream by
 * the end of the window, confirming the refusal the audit computed.
 */
export type EvidenceLevel = 'computed' | 'node-users' | 'session-log' | 'refusal-confirmed';

/** Outcomes of a shell the agent started or refused: the ones a session log can confirm. */
const SHELL_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'RAN_AS_SSM_USER',
  'NO_RUN_AS_USER',
  'INVALID_RUN_AS_USER',
  'DISALLOWED_RUN_AS_USER',
  'MISSING_RUN_AS_USER',
  'SHELL_PROFILE_ESCALATION',
  'COMPLIANT',
]);

/** Outcomes that say the agent refused the shell outright. */
const REFUSALS: ReadonlySet<Outcome> = new Set(['NO_RUN_AS_USER', 'MISSING_RUN_AS_USER']);

/**
 * The shell the audit concluded, as the session log can confirm it; undefined when the decision
 * is not about a shell the agent started or refused (scope, an invalid document, root commands,
 * an unverified fact).
 */
export const auditedShellOf = (decision: Decision): AuditedShell | undefined => {
  if (!SHELL_OUTCOMES.has(decision.outcome)) return undefined;
  const runAsOff = decision.steps.some((s) => s.step === 'run-as-off' || s.step === 'built-in-defaults');
  const refused =
    REFUSALS.has(decision.outcome) ||
    // A denied or unsafe value names no account the agent started a shell as.
    ((decision.outcome === 'DISALLOWED_RUN_AS_USER' || decision.outcome === 'INVALID_RUN_AS_USER') &&
      decision.sessionUser === '');
  return { expectedUser: decision.expectedUser, runAsApplied: !runAsOff, refusalExpected: refused };
};

const rank = (outcome: Outcome): number => OUTCOME_PRECEDENCE.indexOf(outcome);

/**
 * The session's outcome once its log is read. Another user than expected is RAN_AS_UNEXPECTED_USER
 * unless a higher outcome already holds (Run As off, a shell profile switch: still true whoever the
 * log names). A shell the audit expected the agent to refuse disproves that refusal, so the log
 * wins over it whatever its rank.
 */
export const outcomeWithSessionLog = (computed: Outcome, verdict: SessionLogVerdict): Outcome => {
  if (verdict.kind === 'started-although-refused') return 'RAN_AS_UNEXPECTED_USER';
  if (verdict.kind !== 'unexpected-user') return computed;
  return rank(computed) < rank('RAN_AS_UNEXPECTED_USER') ? computed : 'RAN_AS_UNEXPECTED_USER';
};

/** The strongest evidence a finding carries, given what the log said (undefined: not read yet). */
export const evidenceOf = (decision: Decision, verdict: SessionLogVerdict | undefined): EvidenceLevel => {
  switch (verdict?.kind) {
    case 'verified':
    case 'unexpected-user':
    case 'started-although-refused':
      return 'session-log';
    case 'never-started':
      return 'refusal-confirmed';
    default:
      return decision.userVerified ? 'node-users' : 'computed';
  }
};
