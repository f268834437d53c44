/**
 * What every finding written after a change shares: the change it was written for, its fields,
 * the document fields of a decision, and the fleet pre-check's counts. UpdatedAt is the change
 * event's time; CreatedAt is kept from the finding already in Security Hub.
 */
import type { Decision } from '../domain/decision.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import type { FindingDraft } from './assembleFinding.ts';
import type { FindingCheck, RunAsFields } from './productFields.ts';
import { describeDecision, remediationOf } from './remediation.ts';
import type { Placement } from './resources.ts';

/** The change a finding was written for. */
export interface ChangeContext {
  readonly eventId: string;
  readonly eventName: string;
  /** ISO-8601: UpdatedAt (and LastObservedAt) of every finding the change writes. */
  readonly eventTime: string;
}

/** The change a command stands for, without the rest of the command. */
export const changeOf = ({ eventId, eventName, eventTime }: ChangeContext): ChangeContext => ({
  eventId,
  eventName,
  eventTime,
});

export const changeFields = (change: ChangeContext): Partial<RunAsFields> => ({
  changeEvent: change.eventName,
  eventId: change.eventId,
});

/** The judged version of the document that decided, and what the other version would give. */
export const versionFields = (decision: Decision): Partial<RunAsFields> => ({
  documentVersion: decision.documentVersion,
  ...(decision.documentVersion === '' ? {} : { judgedVersion: decision.judgedVersion }),
  ...(decision.otherVersion === undefined
    ? {}
    : { otherVersion: decision.otherVersion.version, otherVersionOutcome: decision.otherVersion.outcome }),
});

/** The fleet pre-check's counts, on every posture finding it ran for. */
export const fleetFields = (fleet: FleetPresence | undefined): Partial<RunAsFields> =>
  fleet === undefined ? {} : { nodesMissingUser: new Set(fleet.missing).size, nodesChecked: fleet.checked };

/** "3 nodes", "1 node", or "some nodes" when the pre-check result is not at hand. */
export const nodesWords = (fleet: FleetPresence | undefined): string => {
  const count = fleet === undefined ? 0 : new Set(fleet.missing).size;
  if (count === 0) return 'some nodes';
  return count === 1 ? '1 node' : `${count} nodes`;
};

/** " ($DEFAULT version 1 differs)" on a title whose document has another version with other settings. */
export const otherVersionWords = (decision: Decision): string =>
  decision.otherVersion === undefined
    ? ''
    : ` (${decision.otherVersion.label} version ${decision.otherVersion.version} differs)`;

/**
 * A posture subject (a principal, a document) after a change: its decision, with the fleet
 * pre-check of the user it resolves to when that ran; or gone, and its finding is archived.
 */
export type Posture =
  | { readonly exists: true; readonly decision: Decision; readonly fleet?: FleetPresence }
  | { readonly exists: false };

/** The posture of a subject that exists, from its decision and the fleet pre-check's result. */
export const livePosture = (judged: {
  readonly decision: Decision;
  readonly fleet?: FleetPresence;
}): Posture => ({
  exists: true,
  decision: judged.decision,
  ...(judged.fleet === undefined ? {} : { fleet: judged.fleet }),
});

/** What a change writes about one subject: where, which check, when, and the CreatedAt kept. */
export interface ChangeFindingInput extends Placement {
  readonly change: ChangeContext;
  /** CreatedAt of the finding already in Security Hub, kept across updates. */
  readonly createdAt?: string;
}

/** A change's finding about one posture subject. */
export interface PostureFindingInput extends ChangeFindingInput {
  readonly posture: Posture;
}

/** The draft fields a change's finding takes from its placement, check, subject and change. */
export const changeDraft = (input: ChangeFindingInput, check: FindingCheck, subject: string) =>
  ({
    partition: input.partition,
    region: input.region,
    accountId: input.accountId,
    check,
    subject,
    observedAt: input.change.eventTime,
    ...(input.createdAt === undefined ? {} : { createdAt: input.createdAt }),
  }) as const;

/**
 * The draft of a finding whose subject no longer exists (`subject` names it, `uses` what sessions
 * took from it): archived, with no fix.
 */
export const goneParts = (subject: string, uses: string, change: ChangeContext) =>
  ({
    outcome: 'NOT_APPLICABLE',
    description: `${subject} no longer exists (${change.eventName}), so no session can use its ${uses}; this finding is archived.`,
    remediation: '',
    recordState: 'ARCHIVED',
  }) as const;

/**
 * The words and fields of a posture decision (principal or preferences): the outcome, the title
 * with the other version's difference, the decision path, the fix, and the expected user with the
 * version, fleet and change fields.
 */
export const postureParts = (
  decision: Decision,
  title: string,
  fleet: FleetPresence | undefined,
  change: ChangeContext,
): Pick<FindingDraft, 'outcome' | 'title' | 'description' | 'remediation' | 'fields'> => ({
  outcome: decision.outcome,
  title: `${title}${otherVersionWords(decision)}`,
  description: describeDecision(decision),
  remediation: remediationOf(decision),
  fields: {
    expectedUser: decision.expectedUser,
    expectedUserSource: decision.expectedUserSource,
    ...versionFields(decision),
    ...fleetFields(fleet),
    ...changeFields(change),
  },
});
