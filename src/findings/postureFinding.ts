/**
 * Findings written after a change (DESIGN.md §4, issue 4): the `principal` posture of an IAM user
 * or role in a Region, the `preferences` posture of a session document, and `active-session`
 * findings for sessions still open with an OS user the new mapping no longer gives. All go through
 * assembleFinding; UpdatedAt is the change event's time, CreatedAt is kept from the existing finding.
 */
import type { Principal } from '../domain/facts.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import type { SeverityLabel } from '../domain/outcome.ts';
import { type Decision, PREFERENCES_DOCUMENT, SSM_USER } from '../domain/runAs.ts';
import { isSafeUserName } from '../domain/userName.ts';
import type { Partition } from '../events/partition.ts';
import type { AsffFinding, AsffResource } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import { nodeResource, principalResource, principalWords, sessionResource } from './resources.ts';

/** The change a finding was written for. */
export interface ChangeContext {
  readonly eventId: string;
  readonly eventName: string;
  /** ISO-8601: UpdatedAt (and LastObservedAt) of every finding the change writes. */
  readonly eventTime: string;
}

/** Where a finding is imported: the account and Region of its resource. */
export interface Placement {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
}

const documentResource = (placement: Placement, name: string): AsffResource => ({
  Type: 'Other',
  Id: `arn:${placement.partition}:ssm:${placement.region}:${placement.accountId}:document/${name}`,
  Partition: placement.partition,
  Region: placement.region,
});

const changeFields = (change: ChangeContext): Record<string, string> => ({
  'RunAs/ChangeEvent': change.eventName,
  'RunAs/EventId': change.eventId,
});

const describe = (decision: Decision, extra: readonly string[] = []): string => {
  const path = [...decision.path, ...extra].join(' ') || `Outcome ${decision.outcome}.`;
  return decision.remediation.trim() === '' ? path : `${path} Fix: ${decision.remediation}`;
};

/** A user name for a title: a value that fails the safe-name rule is never echoed. */
const userWords = (user: string): string => (isSafeUserName(user) ? user : 'an unsafe user name');

/** "3 nodes", "1 node", or "some nodes" when the pre-check result is not at hand. */
const nodesWords = (fleet: FleetPresence | undefined): string => {
  const count = fleet === undefined ? 0 : new Set(fleet.missing).size;
  if (count === 0) return 'some nodes';
  return count === 1 ? '1 node' : `${count} nodes`;
};

/**
 * The fleet pre-check's counts (issue 5 §3), on every posture finding it ran for, so a resolved
 * finding shows the nodes that were checked.
 */
const fleetFields = (fleet: FleetPresence | undefined): Record<string, string> =>
  fleet === undefined
    ? {}
    : {
        'RunAs/NodesMissingUser': String(new Set(fleet.missing).size),
        'RunAs/NodesChecked': String(fleet.checked),
      };

// ----- principal ---------------------------------------------------------------------------------

export type PrincipalPosture =
  | {
      readonly exists: true;
      readonly decision: Decision;
      /** The fleet pre-check of the resolved user, when it ran. */
      readonly fleet?: FleetPresence;
    }
  /** The user or role no longer exists: the finding is archived. */
  | { readonly exists: false };

export interface PrincipalFindingInput extends Placement {
  readonly principal: Principal;
  readonly posture: PrincipalPosture;
  readonly change: ChangeContext;
  /** CreatedAt of the finding already in Security Hub, kept across updates. */
  readonly createdAt?: string;
}

const principalTitle = (
  principal: Principal,
  decision: Decision,
  region: string,
  fleet: FleetPresence | undefined,
): string => {
  const who = principalWords(principal, true);
  const whose = principalWords(principal, false);
  switch (decision.outcome) {
    case 'COMPLIANT':
    case 'DISALLOWED_RUN_AS_USER':
      return `${who} maps to ${userWords(decision.expectedUser)} in ${region}`;
    case 'RAN_AS_SSM_USER':
      // Resolved from a tag or default that names ssm-user, or Run As is off (no user resolved).
      return decision.expectedUserSource === 'none'
        ? `Run As is off in ${region}: shell sessions of ${whose} run as ${SSM_USER}`
        : `${who} maps to ${SSM_USER} (passwordless sudo) in ${region}`;
    case 'INVALID_RUN_AS_USER':
      return `${who} maps to an unsafe user name in ${region}`;
    case 'NO_RUN_AS_USER':
      return `${who} has no Run As user in ${region}: its sessions are refused`;
    case 'INVALID_PREFERENCES':
      return `Sessions of ${whose} fail in ${region}: ${PREFERENCES_DOCUMENT} has an invalid Run As setting`;
    case 'UNVERIFIED':
      return `Run As user of ${whose} in ${region} cannot be verified`;
    case 'MISSING_RUN_AS_USER':
      return `${who} maps to ${userWords(decision.expectedUser)} in ${region}, which is missing on ${nodesWords(fleet)}: its sessions there are refused`;
    case 'RAN_AS_ROOT':
    case 'NOT_APPLICABLE':
      return `Run As posture of ${whose} in ${region}: ${decision.outcome}`;
  }
};

export const buildPrincipalFinding = (input: PrincipalFindingInput): AsffFinding => {
  const { principal, posture, change } = input;
  const who = principalWords(principal, true);
  const common = {
    partition: input.partition,
    region: input.region,
    accountId: input.accountId,
    check: 'principal',
    subject: principal.arn,
    observedAt: change.eventTime,
    ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
  } as const;
  const identity = {
    'RunAs/Principal': principal.arn,
    'RunAs/PrincipalType': principal.kind,
    'RunAs/PrincipalName': principal.name,
  };
  if (!posture.exists) {
    return assembleFinding({
      ...common,
      outcome: 'NOT_APPLICABLE',
      title: `${who} was deleted: its Run As mapping no longer applies`,
      description: `${who} (${principal.arn}) no longer exists (${change.eventName}), so no session can use its mapping; this finding is archived.`,
      remediation: '',
      resources: [principalResource(input.partition, input.region, principal)],
      productFields: { ...identity, ...changeFields(change) },
      recordState: 'ARCHIVED',
    });
  }
  const { decision, fleet } = posture;
  return assembleFinding({
    ...common,
    outcome: decision.outcome,
    title: principalTitle(principal, decision, input.region, fleet),
    description: describe(decision),
    remediation: decision.remediation,
    resources: [
      principalResource(input.partition, input.region, principal),
      documentResource(input, PREFERENCES_DOCUMENT),
    ],
    productFields: {
      'RunAs/ExpectedUser': decision.expectedUser,
      'RunAs/ExpectedUserSource': decision.expectedUserSource,
      ...identity,
      'RunAs/Document': decision.settingsDocument || PREFERENCES_DOCUMENT,
      ...fleetFields(fleet),
      ...changeFields(change),
    },
  });
};

// ----- preferences (a session document) --------------------------------------------------------------

export interface DocumentVersions {
  /** Version numbers GetDocument returned for `$DEFAULT` and `$LATEST` ('' when unknown). */
  readonly defaultVersion: string;
  readonly latestVersion: string;
  /**
   * When `$LATEST` differs from `$DEFAULT` in its Run As settings: what `$LATEST` would give, and
   * those settings in words. Session Manager runs the default version.
   */
  readonly latest?: { readonly decision: Decision; readonly settings: string };
}

export type DocumentPosture =
  | {
      readonly exists: true;
      readonly decision: Decision;
      readonly versions?: DocumentVersions;
      /** The fleet pre-check of the default user, when it ran. */
      readonly fleet?: FleetPresence;
    }
  /** The document was deleted (never for SSM-SessionManagerRunShell: built-in defaults apply). */
  | { readonly exists: false };

export interface PreferencesFindingInput extends Placement {
  readonly documentName: string;
  readonly posture: DocumentPosture;
  readonly change: ChangeContext;
  readonly createdAt?: string;
}

const preferencesTitle = (
  name: string,
  decision: Decision,
  region: string,
  fleet: FleetPresence | undefined,
): string => {
  const preferences = name === PREFERENCES_DOCUMENT;
  const scope = preferences ? `in ${region}` : `in document ${name} (${region})`;
  switch (decision.outcome) {
    case 'RAN_AS_SSM_USER':
      if (decision.expectedUserSource === 'preferences') {
        return `Default Run As user is ${SSM_USER} ${scope}: untagged principals get passwordless sudo`;
      }
      return preferences
        ? `Run As is off in ${region}: every shell session runs as ${SSM_USER}`
        : `Run As is off ${scope}: its shell sessions run as ${SSM_USER}`;
    case 'DISALLOWED_RUN_AS_USER':
      return `Default Run As user ${userWords(decision.expectedUser)} is denied ${scope}`;
    case 'INVALID_RUN_AS_USER':
      return `Default Run As user ${scope} is not a safe user name`;
    case 'NO_RUN_AS_USER':
      return `Run As has no default user ${scope}: sessions of untagged principals are refused`;
    case 'INVALID_PREFERENCES':
      return `Invalid Run As setting ${scope}: every session using it fails`;
    case 'RAN_AS_ROOT':
      return `Document ${name} runs its commands as root (runAsElevated) in ${region}`;
    case 'UNVERIFIED':
      return `Run As settings ${scope} cannot be verified`;
    case 'COMPLIANT':
      return `Run As is on ${scope} with default user ${userWords(decision.expectedUser)}`;
    case 'MISSING_RUN_AS_USER':
      return `Default Run As user ${userWords(decision.expectedUser)} ${scope} is missing on ${nodesWords(fleet)}: sessions of untagged principals there are refused`;
    case 'NOT_APPLICABLE':
      return `Run As does not apply ${scope}`;
  }
};

const versionSentences = (versions: DocumentVersions | undefined): string[] => {
  if (versions === undefined) return [];
  const shown = (version: string): string => (version === '' ? 'unknown' : version);
  const sentences = [`Session Manager runs the default version (${shown(versions.defaultVersion)}).`];
  if (versions.latest !== undefined) {
    sentences.push(
      `$LATEST (version ${shown(versions.latestVersion)}) differs in Run As settings (${versions.latest.settings}): as the default it would give ${versions.latest.decision.outcome}.`,
    );
  }
  return sentences;
};

export const buildPreferencesFinding = (input: PreferencesFindingInput): AsffFinding => {
  const { documentName, posture, change } = input;
  const common = {
    partition: input.partition,
    region: input.region,
    accountId: input.accountId,
    check: 'preferences',
    subject: documentName,
    observedAt: change.eventTime,
    ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
    resources: [documentResource(input, documentName)],
  } as const;
  if (!posture.exists) {
    return assembleFinding({
      ...common,
      outcome: 'NOT_APPLICABLE',
      title: `Document ${documentName} was deleted in ${input.region}`,
      description: `Session document ${documentName} no longer exists (${change.eventName}), so no session can use its Run As settings; this finding is archived.`,
      remediation: '',
      productFields: { 'RunAs/Document': documentName, ...changeFields(change) },
      recordState: 'ARCHIVED',
    });
  }
  const { decision, versions, fleet } = posture;
  const differs = versions?.latest !== undefined;
  const title = preferencesTitle(documentName, decision, input.region, fleet);
  return assembleFinding({
    ...common,
    outcome: decision.outcome,
    title: differs ? `${title} ($LATEST version ${versions?.latestVersion || 'unknown'} differs)` : title,
    description: describe(decision, versionSentences(versions)),
    remediation: decision.remediation,
    productFields: {
      'RunAs/ExpectedUser': decision.expectedUser,
      'RunAs/ExpectedUserSource': decision.expectedUserSource,
      'RunAs/Document': documentName,
      'RunAs/DefaultVersion': versions?.defaultVersion ?? '',
      'RunAs/LatestVersion': versions?.latestVersion ?? '',
      'RunAs/LatestOutcome': versions?.latest?.decision.outcome ?? '',
      ...fleetFields(fleet),
      ...changeFields(change),
    },
  });
};

// ----- active sessions -------------------------------------------------------------------------------

/**
 * What became of an open session whose OS user was compared with the new mapping:
 * `stale` it still runs as the old user; `terminated` the auditor ended it
 * (TERMINATE_STALE_SESSIONS); `termination-failed` it tried and failed; `matches` the mapping gives
 * its user again (an earlier active-session finding is resolved).
 */
export type ActiveSessionStatus = 'stale' | 'terminated' | 'termination-failed' | 'matches';

export interface ActiveSessionFindingInput extends Placement {
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
  /** What a session started now would get. */
  readonly decision: Decision;
  readonly status: ActiveSessionStatus;
  /** Why terminating failed (status termination-failed). */
  readonly terminationError?: string;
  readonly deniedUsers: ReadonlySet<string>;
  readonly change: ChangeContext;
  readonly createdAt?: string;
}

/** " to bob", " to root, which the agent refuses", ": new sessions are refused". */
const newMapping = (decision: Decision): string => {
  if (decision.sessionUser !== '') return ` to ${userWords(decision.sessionUser)}`;
  if (decision.expectedUser !== '') return ` to ${userWords(decision.expectedUser)}, which is refused`;
  return ': new sessions are refused';
};

const activeTitle = (input: ActiveSessionFindingInput): string => {
  const { sessionId, decision } = input;
  const user = userWords(input.sessionUser);
  switch (input.status) {
    case 'stale':
      return `Session ${sessionId} still runs as ${user} after the mapping changed${newMapping(decision)}`;
    case 'termination-failed':
      return `Session ${sessionId} still runs as ${user} after the mapping changed${newMapping(decision)}; terminating it failed`;
    case 'terminated':
      return `Session ${sessionId} was terminated: it ran as ${user} after the mapping changed${newMapping(decision)}`;
    case 'matches':
      return `Session ${sessionId} runs as ${user}, which the mapping gives again`;
  }
};

const outcomeOfSession = (input: ActiveSessionFindingInput): string => {
  const user = userWords(input.sessionUser);
  switch (input.status) {
    case 'stale':
      return `It keeps running as ${user} until it ends.`;
    case 'termination-failed':
      return `The auditor tried to terminate it (TERMINATE_STALE_SESSIONS) and failed: ${input.terminationError ?? 'unknown error'}.`;
    case 'terminated':
      return 'The auditor terminated it (TERMINATE_STALE_SESSIONS): a new session gets the new mapping.';
    case 'matches':
      return 'Nothing to do.';
  }
};

/**
 * Stale sessions are FAILED: HIGH while they keep a privileged user (ssm-user or a denied one),
 * MEDIUM otherwise; terminated or matching ones are PASSED. The outcome code (RunAs/Outcome) is what
 * the new mapping gives, which no rating in the outcome table describes for a session started
 * under the old one.
 */
const ratingOf = (input: ActiveSessionFindingInput): { compliance: string; severity: SeverityLabel } => {
  if (input.status === 'terminated' || input.status === 'matches') {
    return { compliance: 'PASSED', severity: 'INFORMATIONAL' };
  }
  const privileged = input.sessionUser === SSM_USER || input.deniedUsers.has(input.sessionUser);
  return { compliance: 'FAILED', severity: privileged ? 'HIGH' : 'MEDIUM' };
};

const TERMINATED_FIELD: Readonly<Record<ActiveSessionStatus, string>> = {
  stale: 'false',
  matches: 'false',
  terminated: 'true',
  'termination-failed': 'failed',
};

export const buildActiveSessionFinding = (input: ActiveSessionFindingInput): AsffFinding => {
  const { decision, change } = input;
  const resolved = input.status === 'matches' || input.status === 'terminated';
  const remediation = resolved
    ? ''
    : `End session ${input.sessionId} (ssm:TerminateSession) so the principal reconnects with the new mapping, or set TERMINATE_STALE_SESSIONS=true to end such sessions automatically.`;
  const finding = assembleFinding({
    partition: input.partition,
    region: input.region,
    accountId: input.accountId,
    check: 'active-session',
    subject: input.sessionId,
    outcome: decision.outcome,
    observedAt: change.eventTime,
    ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
    title: activeTitle(input),
    description: [
      `Session ${input.sessionId} on ${input.target} started as ${userWords(input.sessionUser)} (its session finding).`,
      `After ${change.eventName}, a new session would get:`,
      ...decision.path,
      outcomeOfSession(input),
    ].join(' '),
    remediation,
    resources: [
      sessionResource(input.partition, input.region, input.accountId, input.sessionId),
      nodeResource(input.partition, input.region, input.accountId, input.target),
      principalResource(input.partition, input.region, input.principal),
    ],
    productFields: {
      'RunAs/ExpectedUser': decision.expectedUser,
      'RunAs/ExpectedUserSource': decision.expectedUserSource,
      'RunAs/SessionUser': input.sessionUser,
      'RunAs/SessionId': input.sessionId,
      'RunAs/Principal': input.principal.arn,
      'RunAs/SessionOwner': input.owner,
      'RunAs/Target': input.target,
      'RunAs/Document': input.documentName,
      'RunAs/Platform': input.platform,
      'RunAs/Terminated': TERMINATED_FIELD[input.status],
      ...changeFields(change),
    },
  });
  const rating = ratingOf(input);
  const severity = { Label: rating.severity, Original: decision.outcome };
  return {
    ...finding,
    Severity: severity,
    Compliance: { Status: rating.compliance },
    FindingProviderFields: { ...finding.FindingProviderFields, Severity: severity },
  };
};
