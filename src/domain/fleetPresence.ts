/**
 * The fleet pre-check. A principal or preferences posture that resolves a user is only as good as
 * the nodes that have that user: the agent refuses a session whose Run As user does not exist on
 * the node. This turns a COMPLIANT posture into MISSING_RUN_AS_USER when the Region's Linux and
 * macOS nodes lack the user, before anyone tries to log in.
 */
import type { Decision } from './decision.ts';

/** Node ids a finding names; the rest are counted. */
export const MAX_NODES_NAMED = 20;

export interface FleetPresence {
  /** Linux and macOS nodes of the Region that were looked at. */
  readonly checked: number;
  /** Nodes whose fresh inventory does not list the user. */
  readonly missing: readonly string[];
  /** Nodes whose users are unknown (no inventory, or too old): never counted as missing. */
  readonly unknown: number;
}

/** Postures the pre-check can change: only a compliant one names a user that could be missing. */
export const needsFleetCheck = (decision: Decision): boolean =>
  decision.outcome === 'COMPLIANT' && decision.expectedUser !== '';

/**
 * A compliant posture with nodes that lack its user becomes MISSING_RUN_AS_USER, with one more
 * step naming them. Any other decision, or no missing node, is returned unchanged.
 */
export const withFleetPresence = (decision: Decision, fleet: FleetPresence): Decision => {
  const missing = [...new Set(fleet.missing)].sort();
  if (!needsFleetCheck(decision) || missing.length === 0) return decision;
  return {
    ...decision,
    outcome: 'MISSING_RUN_AS_USER',
    sessionUser: '',
    userVerified: true,
    // The posture's last step said sessions would run as the user; the nodes say otherwise.
    steps: [
      ...decision.steps.filter((step) => step.step !== 'compliant'),
      {
        step: 'missing-on-nodes',
        user: decision.expectedUser,
        source: decision.expectedUserSource,
        nodes: missing,
        checked: Math.max(fleet.checked, missing.length),
        notCounted: fleet.unknown,
      },
    ],
  };
};
