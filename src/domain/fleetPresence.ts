/**
 * The fleet pre-check (issue 5 §3). A principal or preferences posture that resolves a user is
 * only as good as the nodes that have that user: the agent refuses a session whose Run As user
 * does not exist on the node. This turns a COMPLIANT posture into MISSING_RUN_AS_USER when the
 * Region's Linux and macOS nodes lack the user, before anyone tries to log in.
 */
import type { Outcome } from './outcome.ts';
import { nameText, quote } from './pathText.ts';
import { type Decision, type ExpectedUserSource, RUN_AS_TAG } from './runAs.ts';

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

/** "i-1, i-2, i-3" or "i-1, …, i-20 and 3 more" (at most `max` names; duplicates once). */
export const nodeListText = (nodes: readonly string[], max: number = MAX_NODES_NAMED): string => {
  const unique = [...new Set(nodes)];
  const named = unique.slice(0, Math.max(0, max)).map(nameText);
  const rest = unique.length - named.length;
  if (rest === 0) return named.join(', ');
  return named.length === 0 ? `${rest} nodes` : `${named.join(', ')} and ${rest} more`;
};

const SOURCE_NOUN: Readonly<Record<ExpectedUserSource, string>> = {
  'session-tag': `${RUN_AS_TAG} session tag`,
  'principal-tag': `${RUN_AS_TAG} tag`,
  preferences: 'runAsDefaultUser',
  none: 'Run As mapping',
};

const MISSING: Outcome = 'MISSING_RUN_AS_USER';

/**
 * A compliant posture with the nodes that lack its user becomes MISSING_RUN_AS_USER, with one more
 * path sentence naming up to MAX_NODES_NAMED of them and a remediation. Any other decision, or no
 * missing node, is returned unchanged.
 */
export const withFleetPresence = (decision: Decision, fleet: FleetPresence): Decision => {
  const missing = [...new Set(fleet.missing)];
  if (!needsFleetCheck(decision) || missing.length === 0) return decision;
  const user = quote(decision.expectedUser);
  const checked = Math.max(fleet.checked, missing.length);
  const notCounted = fleet.unknown > 0 ? ` (${fleet.unknown} without fresh inventory not counted)` : '';
  // Short: up to 20 node ids must fit in the description with the path and the fix.
  const sentence = `${user} is missing on ${missing.length} of ${checked} Linux/macOS nodes checked${notCounted}; the agent refuses its sessions there: ${nodeListText(missing)}.`;
  const { userToCheck: _none, ...rest } = decision;
  return {
    ...rest,
    outcome: MISSING,
    sessionUser: '',
    userVerified: true,
    path: [...decision.path, sentence],
    remediation: `Create ${user} on those nodes (locally or in their directory), or correct the ${SOURCE_NOUN[decision.expectedUserSource]}.`,
  };
};
