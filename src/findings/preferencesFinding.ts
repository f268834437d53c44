/** The `preferences` posture of a session document: what its own Run As settings give an untagged principal. */
import type { Decision } from '../domain/decision.ts';
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
import { documentResource } from './resources.ts';
import { documentText, userWords } from './words.ts';

/** The document's posture is never gone for SSM-SessionManagerRunShell (built-in defaults apply). */
export interface PreferencesFindingInput extends PostureFindingInput {
  readonly documentName: string;
}

const preferencesTitle = (
  name: string,
  decision: Decision,
  region: string,
  fleet: FleetPresence | undefined,
): string => {
  const preferences = name === PREFERENCES_DOCUMENT;
  const scope = preferences ? `in ${region}` : `in document ${documentText(name)} (${region})`;
  const user = userWords(decision.expectedUser);
  switch (decision.outcome) {
    case 'RAN_AS_SSM_USER':
      if (decision.expectedUserSource === 'preferences') {
        return `Default Run As user is ${SSM_USER} ${scope}: untagged principals get passwordless sudo`;
      }
      return preferences
        ? `Run As is off in ${region}: every shell session runs as ${SSM_USER}`
        : `Run As is off ${scope}: its shell sessions run as ${SSM_USER}`;
    case 'DISALLOWED_RUN_AS_USER':
      return `Default Run As user ${user} is denied ${scope}`;
    case 'INVALID_RUN_AS_USER':
      return `Default Run As user ${scope} is not a safe user name`;
    case 'NO_RUN_AS_USER':
      return `Run As has no default user ${scope}: sessions of untagged principals are refused`;
    case 'INVALID_PREFERENCES':
      return `Invalid Run As setting ${scope}: every session using it fails`;
    case 'RAN_AS_ROOT':
      return `Document ${documentText(name)} runs its commands as root (runAsElevated) in ${region}`;
    case 'SSH_TUNNEL':
      return `Document ${documentText(name)} opens SSH tunnels in ${region}: Run As is bypassed`;
    case 'SHELL_PROFILE_ESCALATION':
      return `The shell profile ${scope} switches user after the session starts`;
    case 'UNVERIFIED':
      return `Run As settings ${scope} cannot be verified`;
    case 'COMPLIANT':
      return `Run As is on ${scope} with default user ${user}`;
    case 'MISSING_RUN_AS_USER':
      return `Default Run As user ${user} ${scope} is missing on ${nodesWords(fleet)}: sessions of untagged principals there are refused`;
    case 'NOT_APPLICABLE':
      return `Run As does not apply ${scope}`;
    // Only a session's own log shows it; a posture never has one.
    case 'RAN_AS_UNEXPECTED_USER':
      return `Run As posture ${scope}: ${decision.outcome}`;
  }
};

export const buildPreferencesFinding = (input: PreferencesFindingInput): AsffFinding => {
  const { documentName, posture, change } = input;
  const common = {
    ...changeDraft(input, 'preferences', documentName),
    resources: [documentResource(input, documentName)],
  } as const;
  if (!posture.exists) {
    return assembleFinding({
      ...common,
      ...goneParts(`Session document ${documentText(documentName)}`, 'Run As settings', change),
      title: `Document ${documentText(documentName)} was deleted in ${input.region}`,
      fields: { document: documentName, ...changeFields(change) },
    });
  }
  const { decision, fleet } = posture;
  const parts = postureParts(
    decision,
    preferencesTitle(documentName, decision, input.region, fleet),
    fleet,
    change,
  );
  return assembleFinding({ ...common, ...parts, fields: { ...parts.fields, document: documentName } });
};
