/**
 * The fleet pre-check as the change use cases run it: a posture decision that
 * resolves a user is checked against the Region's Linux and macOS nodes before its finding is
 * written. One change looks each user up once per Region, however many principals map to it.
 */

import type { Decision } from '../domain/decision.ts';
import type { Known } from '../domain/facts.ts';
import { type FleetPresence, needsFleetCheck, withFleetPresence } from '../domain/fleetPresence.ts';
import type { FleetUsers } from './ports.ts';

/** What the pre-check did, for the evaluation result: counts, not the node list. */
export type FleetSummary =
  | {
      readonly status: 'checked';
      readonly user: string;
      readonly checked: number;
      readonly missing: number;
      readonly unknown: number;
    }
  | { readonly status: 'not-checked'; readonly reason: string };

export interface Prechecked {
  /** The decision, MISSING_RUN_AS_USER when the user is missing on some nodes. */
  readonly decision: Decision;
  /** What the nodes said; absent when they were not looked at. */
  readonly fleet?: FleetPresence;
  readonly summary: FleetSummary;
}

export type FleetPrecheck = (decision: Decision) => Promise<Prechecked>;

const notChecked = (decision: Decision, reason: string): Prechecked => ({
  decision,
  summary: { status: 'not-checked', reason },
});

/**
 * A pre-check for one Region and one change; `fleetUsers` absent (USER_DIRECTORY=none) skips it.
 * `asOf` is the change event's time: inventory freshness is judged against it.
 */
export const createFleetPrecheck = (fleetUsers: FleetUsers | undefined, asOf: string): FleetPrecheck => {
  const byUser = new Map<string, Promise<Known<FleetPresence>>>();
  return async (decision) => {
    if (fleetUsers === undefined) return notChecked(decision, 'USER_DIRECTORY is none');
    if (!needsFleetCheck(decision)) {
      return notChecked(decision, `${decision.outcome}: no user to look for on the nodes`);
    }
    const user = decision.expectedUser;
    let pending = byUser.get(user);
    if (pending === undefined) {
      pending = fleetUsers.nodesMissing(user, asOf);
      byUser.set(user, pending);
    }
    const read = await pending;
    if (!read.known) return notChecked(decision, read.reason);
    const fleet = read.value;
    return {
      decision: withFleetPresence(decision, fleet),
      fleet,
      summary: {
        status: 'checked',
        user,
        checked: fleet.checked,
        missing: new Set(fleet.missing).size,
        unknown: fleet.unknown,
      },
    };
  };
};
