/**
 * What every finding written after a change shares: the change it was written for, its fields,
 * the document fields of a decision, and the fleet pre-check's counts. UpdatedAt is the change
 * event's time; CreatedAt is kept from the finding already in Security Hub.
 */
import type { Decision } from '../domain/decision.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import type { RunAsFields } from './productFields.ts';

/** The change a finding was written for. */
export interface ChangeContext {
  readonly eventId: string;
  readonly eventName: string;
  /** ISO-8601: UpdatedAt (and LastObservedAt) of every finding the change writes. */
  readonly eventTime: string;
}

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
