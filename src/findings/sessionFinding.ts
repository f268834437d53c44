/** The `session` check's finding: one per StartSession, keyed by its session id. */
import type { Decision, Step } from '../domain/decision.ts';
import { SSM_USER } from '../domain/sessionManager.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { AsffFinding, AsffResource } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import type { RunAsFields } from './productFields.ts';
import { describeDecision, remediationOf } from './remediation.ts';
import { nodeResource, type Placement, principalResource, sessionResource } from './resources.ts';
import { documentText, nameText, principalWords, quote, userWords } from './words.ts';

export interface SessionFindingInput {
  readonly command: StartSessionCommand;
  readonly decision: Decision;
  /** 'Linux' | 'MacOS' | 'Windows' | 'unknown'. */
  readonly platform: string;
  /** An existing finding's CreatedAt, kept across updates. */
  readonly createdAt?: string;
  /** UpdatedAt when it is not the session's event time: a later re-audit (its STS record arrived). */
  readonly observedAt?: string;
}

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

const title = ({ command, decision, platform }: SessionFindingInput): string => {
  const on = nameText(command.target);
  const by = principalWords(command.principal);
  const expected = userWords(decision.expectedUser);
  const last = lastStep(decision);
  switch (decision.outcome) {
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
  const { command, decision } = input;
  return assembleFinding({
    partition: command.partition,
    region: command.region,
    accountId: command.accountId,
    check: 'session',
    // A StartSession whose responseElements was null has no session id: its CloudTrail event is the subject.
    subject: command.sessionId ?? command.eventId,
    outcome: decision.outcome,
    observedAt: input.observedAt ?? command.eventTime,
    // A re-audit keeps the session's own time as its CreatedAt.
    createdAt: input.createdAt ?? command.eventTime,
    title: title(input),
    description: describeDecision(decision),
    remediation: remediationOf(decision),
    resources: resources(input),
    fields: {
      expectedUser: decision.expectedUser,
      expectedUserSource: decision.expectedUserSource,
      sessionUser: decision.sessionUser,
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
      userVerified: decision.userVerified,
      sessionTags: decision.sessionTags,
      ...identityFields(decision),
      eventId: command.eventId,
      callerArn: command.principal.callerArn,
    },
  });
};
