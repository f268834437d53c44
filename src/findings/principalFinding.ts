/** The `principal` posture of an IAM user or role in a Region: what a shell session of it would get. */
import type { Decision } from '../domain/decision.ts';
import type { Principal } from '../domain/facts.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import { PREFERENCES_DOCUMENT, SSM_USER } from '../domain/sessionManager.ts';
import type { AsffFinding } from './asff.ts';
import { assembleFinding } from './assembleFinding.ts';
import {
  changeDraft,
  changeFields,
  goneParts,
  nodesWords,
  type PostureFindingInput,
  postureParts,
} from './changeFinding.ts';
import { documentResource, principalResource } from './resources.ts';
import { principalWords, userWords } from './words.ts';

/** The user's or role's posture is gone when it no longer exists. */
export interface PrincipalFindingInput extends PostureFindingInput {
  readonly principal: Principal;
}

const principalTitle = (
  principal: Principal,
  decision: Decision,
  region: string,
  fleet: FleetPresence | undefined,
): string => {
  const who = principalWords(principal, true);
  const whose = principalWords(principal, false);
  const user = userWords(decision.expectedUser);
  switch (decision.outcome) {
    case 'COMPLIANT':
    case 'DISALLOWED_RUN_AS_USER':
      return `${who} maps to ${user} in ${region}`;
    case 'RAN_AS_SSM_USER':
      // Resolved from a tag or default that names ssm-user, or Run As is off (no user resolved).
      return decision.expectedUserSource === 'none'
        ? `Run As is off in ${region}: shell sessions of ${whose} run as ${SSM_USER}`
        : `${who} maps to ${SSM_USER} (passwordless sudo when the agent created it) in ${region}`;
    case 'INVALID_RUN_AS_USER':
      return `${who} maps to a value that is not a safe user name in ${region}`;
    case 'NO_RUN_AS_USER':
      return `${who} has no Run As user in ${region}: its sessions are refused`;
    case 'INVALID_PREFERENCES':
      return `Sessions of ${whose} fail in ${region}: ${PREFERENCES_DOCUMENT} has an invalid Run As setting`;
    case 'UNVERIFIED':
      return `Run As user of ${whose} in ${region} cannot be verified`;
    case 'MISSING_RUN_AS_USER':
      return `${who} maps to ${user} in ${region}, which is missing on ${nodesWords(fleet)}: its sessions there are refused`;
    case 'SHELL_PROFILE_ESCALATION':
      return `${who} maps to ${user} in ${region}, but the shell profile switches user`;
    case 'RAN_AS_ROOT':
    case 'SSH_TUNNEL':
    case 'NOT_APPLICABLE':
    // Only a session's own log shows it; a posture never has one.
    case 'RAN_AS_UNEXPECTED_USER':
      return `Run As posture of ${whose} in ${region}: ${decision.outcome}`;
  }
};

export const buildPrincipalFinding = (input: PrincipalFindingInput): AsffFinding => {
  const { principal, posture, change } = input;
  const who = principalWords(principal, true);
  const common = changeDraft(input, 'principal', principal.arn);
  const identity = { principal: principal.arn, principalType: principal.kind, principalName: principal.name };
  if (!posture.exists) {
    return assembleFinding({
      ...common,
      ...goneParts(who, 'mapping', change),
      title: `${who} was deleted: its Run As mapping no longer applies`,
      resources: [principalResource(input, principal)],
      fields: { ...identity, ...changeFields(change) },
    });
  }
  const { decision, fleet } = posture;
  const parts = postureParts(
    decision,
    principalTitle(principal, decision, input.region, fleet),
    fleet,
    change,
  );
  return assembleFinding({
    ...common,
    ...parts,
    resources: [principalResource(input, principal), documentResource(input, PREFERENCES_DOCUMENT)],
    fields: { ...parts.fields, ...identity, document: decision.settingsDocument || PREFERENCES_DOCUMENT },
  });
};
