/**
 * What to change, in words: read off the step that settled the decision (its last step).
 */
import type { Decision, Step } from '../domain/decision.ts';
import { PREFERENCES_DOCUMENT, RUN_AS_TAG, SSM_USER } from '../domain/sessionManager.ts';
import { pathText, SOURCE_NOUN } from './stepText.ts';
import { documentText, quote, userWords } from './words.ts';

const FIX_SSM_PARAMETER =
  'Use literal Run As values in session documents instead of {{ssm:…}} references, so sessions can be audited.';
const FIX_RUN_AS_OFF = `Set runAsEnabled to true in the session's settings document (normally ${PREFERENCES_DOCUMENT}) and tag each principal with ${RUN_AS_TAG}.`;
const FIX_SESSION_TAGS =
  'Forward the STS records of us-east-1 and the IAM Identity Center Region to this Region (identity-forwarding-template.yaml), or set IdentityCenterRegion, so the session tags of role sessions are known.';

const settingFix = (step: Extract<Step, { step: 'invalid-setting' }>): string => {
  const doc = documentText(step.document);
  switch (step.expected) {
    case 'schema 1.0':
      return `Set schemaVersion to "1.0" in ${doc}.`;
    case 'commands':
      return `Give ${step.key} in ${doc} the command to run.`;
    case 'true or false':
      return `Set ${step.key} in ${doc} to true or false.`;
    default:
      return `Set ${step.key} in ${doc} to ${step.expected}.`;
  }
};

/** The remediation of a decision ('' when there is nothing to fix). */
export const remediationOf = (decision: Decision): string => {
  const step = decision.steps.at(-1);
  if (step === undefined) return '';
  const noun = SOURCE_NOUN[decision.expectedUserSource];
  switch (step.step) {
    case 'windows':
      return 'Run As is not available on Windows: allow ssm:StartSession on Windows nodes only to principals who may be local administrators.';
    case 'ssh-tunnel':
      return 'Allow AWS-StartSSHSession and Port sessions to port 22 only to principals whose SSH logins map to unprivileged accounts, or use shell sessions with Run As instead.';
    case 'port-unknown':
      return 'Give the Port document a literal portNumber, so its sessions can be told from SSH.';
    case 'platform-unreadable':
      return 'Allow the auditor ssm:DescribeInstanceInformation.';
    case 'node-unregistered':
      return 'Check whether the node was deregistered; its sessions cannot be audited without its platform.';
    case 'document-unreadable':
      return `Allow the auditor ssm:GetDocument on ${documentText(step.document)}, and use Session documents for sessions.`;
    case 'document-gone':
      return step.posture ? '' : 'Keep session documents while their sessions are audited.';
    case 'invalid-setting':
      return settingFix(step);
    case 'parameter-store':
      return FIX_SSM_PARAMETER;
    case 'parameter-unset':
      return 'Give every document parameter used in a Run As input a default value.';
    case 'preferences-unreadable':
      return `Allow the auditor ssm:GetDocument on ${PREFERENCES_DOCUMENT}.`;
    case 'elevated':
      return `Set runAsElevated to false in the document, or allow ssm:StartSession with it only to principals who may be root.`;
    case 'run-as-off':
      return FIX_RUN_AS_OFF;
    case 'principal-tags-unreadable':
      return 'Allow the auditor iam:ListUserTags and iam:ListRoleTags; principals of other accounts are audited from their own account.';
    case 'only-session-tags-could-name':
      return FIX_SESSION_TAGS;
    case 'principal-tag-changed-after':
      return `Change ${RUN_AS_TAG} tags while the auditor's change function runs (it records every change with its time), so later audits judge sessions by the value at their time.`;
    case 'no-user':
      return `Tag the principal with ${RUN_AS_TAG}=<OS user>, or set runAsDefaultUser in ${documentText(step.document)}.`;
    case 'unsafe-name':
    case 'padded-name':
      return `Set the ${noun} to a plain OS user name (letters, digits, _ . @ -, at most 256 characters).`;
    case 'root-refused':
    case 'privileged-ids':
    case 'denied':
      return `Map the principal to a named, unprivileged OS user instead (${noun}).`;
    case 'ssm-user':
      return `Map the principal to its own unprivileged OS account instead of ${SSM_USER} (${noun}).`;
    case 'missing':
      return `Create ${userWords(step.user)} on the node (locally or in its directory), or correct the ${noun}.`;
    case 'missing-on-nodes':
      return `Create ${userWords(step.user)} on those nodes (locally or in their directory), or correct the ${SOURCE_NOUN[step.source]}.`;
    case 'shell-profile-switch':
      return `Remove ${quote(step.command)} from the shell profile of ${documentText(step.document)}, or map principals directly to the account it switches to.`;
    default:
      return '';
  }
};

/** A finding's Description: the decision path, what else is known, then the fix (and any more). */
export const describeDecision = (
  decision: Decision,
  extra: readonly string[] = [],
  extraFix = '',
): string => {
  const path = [pathText(decision), ...extra].join(' ');
  const fix = [remediationOf(decision), extraFix].filter((part) => part !== '').join(' ');
  return fix === '' ? path : `${path} Fix: ${fix}`;
};
