/**
 * `active-session` findings: sessions still open after a change, whose OS user the new mapping no
 * longer gives. The outcome is the one the session started with (it still runs as that user);
 * RunAs/ExpectedUser is what a session started now would get.
 */
import type { Decision } from '../domain/decision.ts';
import type { Principal } from '../domain/facts.ts';
import { type Outcome, ratingOf, type SeverityLabel } from '../domain/outcome.ts';
import type { AsffFinding } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import { type ChangeFindingInput, changeDraft, changeFields, versionFields } from './changeFinding.ts';
import type { Terminated } from './productFields.ts';
import { nodeResource, principalResource, sessionResource } from './resources.ts';
import { pathText } from './stepText.ts';
import { nameText, quote, userWords } from './words.ts';

/**
 * What became of an open session whose OS user was compared with the new mapping:
 * `stale` it still runs as the old user; `terminated` the auditor ended it
 * (TERMINATE_STALE_SESSIONS); `termination-failed` it tried and failed; `matches` the mapping gives
 * its user again (an earlier active-session finding is resolved).
 */
export type ActiveSessionStatus = 'stale' | 'terminated' | 'termination-failed' | 'matches';

export interface ActiveSessionFindingInput extends ChangeFindingInput {
  readonly sessionId: string;
  readonly target: string;
  /** The ARN that opened it (DescribeSessions Owner). */
  readonly owner: string;
  readonly documentName: string;
  readonly platform: string;
  /** Whose mapping decides its user (the IAM user, or the role of an assumed-role session). */
  readonly principal: Principal;
  /** The OS user it runs as, from its session finding. */
  readonly sessionUser: string;
  /** The outcome it started with, from its session finding. */
  readonly startedOutcome: Outcome;
  /** What a session started now would get. */
  readonly decision: Decision;
  readonly status: ActiveSessionStatus;
  /** Why terminating failed (status termination-failed). */
  readonly terminationError?: string;
}

/** " to "bob"", " to "root", which is refused", ": new sessions are refused". */
const newMapping = (decision: Decision): string => {
  if (decision.sessionUser !== '') return ` to ${userWords(decision.sessionUser)}`;
  if (decision.expectedUser !== '') return ` to ${userWords(decision.expectedUser)}, which is refused`;
  return ': new sessions are refused';
};

const activeTitle = (input: ActiveSessionFindingInput): string => {
  const { decision } = input;
  const session = nameText(input.sessionId);
  const user = userWords(input.sessionUser);
  switch (input.status) {
    case 'stale':
      return `Session ${session} still runs as ${user} after the mapping changed${newMapping(decision)}`;
    case 'termination-failed':
      return `Session ${session} still runs as ${user} after the mapping changed${newMapping(decision)}; terminating it failed`;
    case 'terminated':
      return `Session ${session} was terminated: it ran as ${user} after the mapping changed${newMapping(decision)}`;
    case 'matches':
      return `Session ${session} runs as ${user}, which the mapping gives again`;
  }
};

const outcomeOfSession = (input: ActiveSessionFindingInput): string => {
  switch (input.status) {
    case 'stale':
      return `It keeps running as ${userWords(input.sessionUser)} until it ends.`;
    case 'termination-failed':
      return `The auditor tried to terminate it (TERMINATE_STALE_SESSIONS) and failed: ${quote(input.terminationError ?? 'unknown error')}.`;
    case 'terminated':
      return 'The auditor terminated it (TERMINATE_STALE_SESSIONS): a new session gets the new mapping.';
    case 'matches':
      return 'Nothing to do.';
  }
};

/**
 * A stale session is FAILED: HIGH when it started with a HIGH outcome (ssm-user, a denied user),
 * MEDIUM otherwise (it started compliant, under a mapping that no longer holds). Terminated and
 * matching sessions are PASSED.
 */
const activeRating = (input: ActiveSessionFindingInput): { compliance: string; severity: SeverityLabel } => {
  if (input.status === 'terminated' || input.status === 'matches')
    return { compliance: 'PASSED', severity: 'INFORMATIONAL' };
  return {
    compliance: 'FAILED',
    severity: ratingOf(input.startedOutcome).severity === 'HIGH' ? 'HIGH' : 'MEDIUM',
  };
};

const TERMINATED_FIELD: Readonly<Record<ActiveSessionStatus, Terminated>> = {
  stale: 'false',
  matches: 'false',
  terminated: 'true',
  'termination-failed': 'failed',
};

export const buildActiveSessionFinding = (input: ActiveSessionFindingInput): AsffFinding => {
  const { decision, change } = input;
  const resolved = input.status === 'matches' || input.status === 'terminated';
  const finding = assembleFinding({
    ...changeDraft(input, 'active-session', input.sessionId),
    outcome: input.startedOutcome,
    title: activeTitle(input),
    description: [
      `Session ${nameText(input.sessionId)} on ${nameText(input.target)} started as ${userWords(input.sessionUser)} (${input.startedOutcome}, its session finding).`,
      `After ${change.eventName}, a new session would get ${decision.outcome}:`,
      pathText(decision),
      outcomeOfSession(input),
    ].join(' '),
    remediation: resolved
      ? ''
      : `End session ${nameText(input.sessionId)} (ssm:TerminateSession) so the principal reconnects with the new mapping, or set TERMINATE_STALE_SESSIONS=true to end such sessions automatically.`,
    resources: [
      sessionResource(input, input.sessionId),
      nodeResource(input, input.target),
      principalResource(input, input.principal),
    ],
    fields: {
      expectedUser: decision.expectedUser,
      expectedUserSource: decision.expectedUserSource,
      sessionUser: input.sessionUser,
      sessionId: input.sessionId,
      principal: input.principal.arn,
      sessionOwner: input.owner,
      target: input.target,
      document: input.documentName,
      platform: input.platform,
      terminated: TERMINATED_FIELD[input.status],
      ...versionFields(decision),
      ...changeFields(change),
    },
  });
  const rating = activeRating(input);
  const severity = { Label: rating.severity, Original: input.startedOutcome };
  return {
    ...finding,
    Severity: severity,
    Compliance: { Status: rating.compliance },
    FindingProviderFields: { ...finding.FindingProviderFields, Severity: severity },
  };
};
