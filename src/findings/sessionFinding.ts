/** The `session` check's finding: one per StartSession, keyed by its session id. */
import type { Decision, Step } from '../domain/decision.ts';
import type { Outcome } from '../domain/outcome.ts';
import { evidenceOf, outcomeWithSessionLog } from '../domain/sessionLogOutcome.ts';
import { SSM_USER } from '../domain/sessionManager.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { AsffFinding, AsffResource } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import type { RunAsFields } from './productFields.ts';
import { describeDecision, remediationOf } from './remediation.ts';
import { nodeResource, type Placement, principalResource, sessionResource } from './resources.ts';
import { type SessionLogNote, sessionLogFix, sessionLogSentence, sessionLogState } from './sessionLogText.ts';
import { documentText, nameText, principalWords, quote, userWords } from './words.ts';

export interface SessionFindingInput {
  readonly command: StartSessionCommand;
  readonly decision: Decision;
  /** 'Linux' | 'MacOS' | 'Windows' | 'unknown'. */
  readonly platform: string;
  /** An existing finding's CreatedAt, kept across updates. */
  readonly createdAt?: string;
  /** What is known of the session log; a read one can change the outcome and dates the finding. */
  readonly sessionLog?: SessionLogNote;
  /** UpdatedAt when it is not the session's event time: a later re-audit (its STS record arrived). */
  readonly observedAt?: string;
}

type Read = Extract<SessionLogNote, { kind: 'read' }>;

const readOf = (input: SessionFindingInput): Read | undefined =>
  input.sessionLog?.kind === 'read' ? input.sessionLog : undefined;

/** The session's outcome: the computed one, unless the session log overrides it. */
export const sessionOutcomeOf = (input: SessionFindingInput): Outcome => {
  const read = readOf(input);
  return read === undefined
    ? input.decision.outcome
    : outcomeWithSessionLog(input.decision.outcome, read.verdict);
};

/** The user the log recorded, when it named one. */
const observedOf = (read: Read | undefined): string =>
  read !== undefined && 'observedUser' in read.verdict ? read.verdict.observedUser : '';

/** What the decision learnt of the session's identity: its STS record or why it has none, a later retag. */
const identityFields = (decision: Decision): Partial<RunAsFields> => {
  const fields: { -readonly [K in keyof RunAsFields]?: RunAsFields[K] } = {};
  for (const step of decision.steps) {
    if (step.step === 'session-tags-pending') fields.sessionTagsPending = true;
    if (step.step === 'session-tags-just-in-time') fields.accessType = 'JustInTime';
    if (step.step === 'session-tags-recorded') {
      fields.stsEventId = step.source.eventId;
      fields.stsRegion = step.source.recordedIn;
    }
    if (step.step === 'principal-tag-then' || step.step === 'principal-tag-changed-after') {
      fields.mappingChangedAt = step.changedAt;
    }
  }
  return fields;
};

const lastStep = (decision: Decision): Step | undefined => decision.steps.at(-1);

const title = (input: SessionFindingInput): string => {
  const { command, decision, platform } = input;
  const on = nameText(command.target);
  const by = principalWords(command.principal);
  const expected = userWords(decision.expectedUser);
  const last = lastStep(decision);
  const outcome = sessionOutcomeOf(input);
  switch (outcome) {
    case 'RAN_AS_UNEXPECTED_USER': {
      const verdict = readOf(input)?.verdict;
      const observed = userWords(observedOf(readOf(input)));
      return verdict?.kind === 'unexpected-user'
        ? `Session on ${on} by ${by} ran as ${observed}, not the expected ${userWords(verdict.expectedUser)} (session log)`
        : `Session on ${on} by ${by} ran as ${observed} although the agent should have refused it (session log)`;
    }
    case 'COMPLIANT':
      return `Session ran as ${userWords(decision.sessionUser || decision.expectedUser)} on ${on} by ${by}`;
    case 'RAN_AS_SSM_USER':
      return `Session ran as ${SSM_USER} (passwordless sudo when the agent created it) on ${on} by ${by}`;
    case 'RAN_AS_ROOT':
      return `Session ran as root (runAsElevated) on ${on} by ${by}`;
    case 'SSH_TUNNEL':
      return `SSH tunnel to ${on} by ${by}: Run As is bypassed, the SSH login decides the user`;
    case 'SHELL_PROFILE_ESCALATION':
      return `Session on ${on} by ${by} started as ${userWords(decision.sessionUser || decision.expectedUser)}, then its shell profile switched user`;
    case 'NO_RUN_AS_USER':
      return `Session refused: no Run As user for ${by} on ${on}`;
    case 'INVALID_RUN_AS_USER':
      return decision.sessionUser === ''
        ? `Run As user of session on ${on} by ${by} is not a safe user name`
        : `Run As user of session on ${on} by ${by} is not a safe user name; it ran as ${userWords(decision.sessionUser)}`;
    case 'DISALLOWED_RUN_AS_USER':
      return decision.sessionUser === ''
        ? `Session refused: denied Run As user ${expected} for ${by} on ${on}`
        : `Session ran as denied user ${userWords(decision.sessionUser)} on ${on} by ${by}`;
    case 'MISSING_RUN_AS_USER':
      return `Session refused: Run As user ${expected} does not exist on ${on} (${by})`;
    case 'INVALID_PREFERENCES': {
      const key = last?.step === 'invalid-setting' ? last.key : 'Run As setting';
      return `Session failed: invalid ${key} in ${documentText(decision.settingsDocument || command.documentName)} on ${on} by ${by}`;
    }
    case 'UNVERIFIED':
      return `Run As user unverified for session on ${on} by ${by}`;
    case 'NOT_APPLICABLE':
      if (command.errorCode !== null)
        return `StartSession failed (${quote(command.errorCode)}) for ${on} by ${by}`;
      if (platform === 'Windows') return `Session on Windows node ${on} by ${by}: no Run As on Windows`;
      return `Run As does not apply to session on ${on} by ${by}`;
  }
};

const resources = ({ command }: SessionFindingInput): AsffResource[] => {
  const placement: Placement = command;
  return [
    ...(command.sessionId === null ? [] : [sessionResource(placement, command.sessionId)]),
    nodeResource(placement, command.target),
    principalResource(placement, command.principal),
  ];
};

export const buildSessionFinding = (input: SessionFindingInput): AsffFinding => {
  const { command, decision, sessionLog } = input;
  const read = readOf(input);
  const observedUser = observedOf(read);
  const mismatch =
    read?.verdict.kind === 'unexpected-user' || read?.verdict.kind === 'started-although-refused';
  const logFix = sessionLog === undefined ? '' : sessionLogFix(sessionLog);
  const logSentence = sessionLog === undefined ? [] : [sessionLogSentence(sessionLog, decision.expectedUser)];
  const fix = [remediationOf(decision), logFix].filter((part) => part !== '').join(' ');
  return assembleFinding({
    partition: command.partition,
    region: command.region,
    accountId: command.accountId,
    check: 'session',
    // A StartSession whose responseElements was null has no session id: its CloudTrail event is the subject.
    subject: command.sessionId ?? command.eventId,
    outcome: sessionOutcomeOf(input),
    // A log reading or a re-audit (its STS record arrived) is dated later; CreatedAt stays the session's.
    observedAt: read?.observedAt ?? input.observedAt ?? command.eventTime,
    createdAt: input.createdAt ?? command.eventTime,
    title: title(input),
    // Once the log shows another user, "the session ran as <expected>" is no longer said.
    description: describeDecision(
      mismatch ? { ...decision, steps: decision.steps.filter((s) => s.step !== 'compliant') } : decision,
      logSentence,
      logFix,
    ),
    remediation: fix,
    resources: resources(input),
    fields: {
      expectedUser: decision.expectedUser,
      expectedUserSource: decision.expectedUserSource,
      // The log shows whom the shell started as when it differs from what was computed.
      sessionUser: mismatch ? observedUser : decision.sessionUser,
      observedUser,
      evidence: evidenceOf(decision, read?.verdict),
      ...(sessionLog === undefined ? {} : { sessionLog: sessionLogState(sessionLog) }),
      ...(sessionLog !== undefined && 'logGroupName' in sessionLog
        ? { sessionLogGroup: sessionLog.logGroupName }
        : {}),
      sessionId: command.sessionId ?? '',
      principal: command.principal.arn,
      target: command.target,
      document: command.documentName,
      documentVersion: decision.documentVersion,
      ...(decision.documentVersion === '' ? {} : { judgedVersion: decision.judgedVersion }),
      ...(decision.otherVersion === undefined
        ? {}
        : {
            otherVersion: decision.otherVersion.version,
            otherVersionOutcome: decision.otherVersion.outcome,
          }),
      platform: input.platform,
      userVerified: decision.userVerified || read?.verdict.kind === 'verified',
      sessionTags: decision.sessionTags,
      ...identityFields(decision),
      eventId: command.eventId,
      callerArn: command.principal.callerArn,
    },
  });
};
