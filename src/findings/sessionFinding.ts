/** The `session` check's finding: one per StartSession, keyed by its session id (DESIGN.md §4). */
import { type Decision, SSM_USER } from '../domain/runAs.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { AsffFinding, AsffResource } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import { nodeResource, principalResource, principalWords, sessionResource } from './resources.ts';

export interface SessionFindingInput {
  readonly command: StartSessionCommand;
  readonly decision: Decision;
  /** 'Linux' | 'MacOS' | 'Windows' | 'unknown'. */
  readonly platform: string;
  /** An existing finding's CreatedAt, kept across updates. */
  readonly createdAt?: string;
}

const title = ({ command, decision, platform }: SessionFindingInput): string => {
  const on = command.target;
  const by = principalWords(command.principal);
  const user = `"${decision.expectedUser}"`;
  switch (decision.outcome) {
    case 'COMPLIANT':
      return `Session ran as ${decision.sessionUser || decision.expectedUser} on ${on} by ${by}`;
    case 'RAN_AS_SSM_USER':
      return `Session ran as ${SSM_USER} (passwordless sudo) on ${on} by ${by}`;
    case 'RAN_AS_ROOT':
      return `Session ran as root (runAsElevated) on ${on} by ${by}`;
    case 'NO_RUN_AS_USER':
      return `Session refused: no Run As user for ${by} on ${on}`;
    case 'INVALID_RUN_AS_USER':
      return `Unsafe Run As user name ${user} for session on ${on} by ${by}`;
    case 'DISALLOWED_RUN_AS_USER':
      return `Denied Run As user ${user} for session on ${on} by ${by}`;
    case 'MISSING_RUN_AS_USER':
      return `Session refused: Run As user ${user} does not exist on ${on} (${by})`;
    case 'INVALID_PREFERENCES':
      return `Session failed: invalid runAsEnabled in ${decision.settingsDocument || command.documentName} on ${on} by ${by}`;
    case 'UNVERIFIED':
      return `Run As user unverified for session on ${on} by ${by}`;
    case 'NOT_APPLICABLE':
      if (command.errorCode !== null) return `StartSession failed (${command.errorCode}) for ${on} by ${by}`;
      if (platform === 'Windows')
        return `Session ran as ${SSM_USER} on Windows node ${on} by ${by}: no Run As on Windows`;
      return `Run As not applicable to session on ${on} by ${by}`;
  }
};

const description = ({ decision }: SessionFindingInput): string => {
  const path = decision.path.length > 0 ? decision.path.join(' ') : `Outcome ${decision.outcome}.`;
  return decision.remediation.trim() === '' ? path : `${path} Fix: ${decision.remediation}`;
};

const resources = ({ command }: SessionFindingInput): AsffResource[] => {
  const { partition, region, accountId } = command;
  return [
    ...(command.sessionId === null ? [] : [sessionResource(partition, region, accountId, command.sessionId)]),
    nodeResource(partition, region, accountId, command.target),
    principalResource(partition, region, command.principal),
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
    observedAt: command.eventTime,
    ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
    title: title(input),
    description: description(input),
    remediation: decision.remediation,
    resources: resources(input),
    productFields: {
      'RunAs/ExpectedUser': decision.expectedUser,
      'RunAs/ExpectedUserSource': decision.expectedUserSource,
      'RunAs/SessionUser': decision.sessionUser,
      'RunAs/SessionId': command.sessionId ?? '',
      'RunAs/Principal': command.principal.arn,
      'RunAs/Target': command.target,
      'RunAs/Document': command.documentName,
      'RunAs/Platform': input.platform,
      'RunAs/UserVerified': decision.userVerified ? 'true' : 'false',
      'RunAs/SessionTags': decision.sessionTags,
      'RunAs/EventId': command.eventId,
      'RunAs/CallerArn': command.principal.callerArn,
    },
  });
};
