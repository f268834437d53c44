/**
 * The decision path in words: one sentence per step. This is the only place the decision's
 * steps become English; every value in them goes through the quoting rules of words.ts.
 */
import type { Decision, Step, UserSource } from '../domain/decision.ts';
import type { SessionTagsSource } from '../domain/facts.ts';
import { MAX_NODES_NAMED } from '../domain/fleetPresence.ts';
import { PREFERENCES_DOCUMENT, RUN_AS_TAG, SSM_USER } from '../domain/sessionManager.ts';
import { isSafeUserName } from '../domain/userName.ts';
import { documentText, nameText, principalWords, quote, UNSAFE_USER, userWords } from './words.ts';

export const SOURCE_NOUN: Readonly<Record<UserSource | 'none', string>> = {
  'session-tag': `${RUN_AS_TAG} session tag`,
  'principal-tag': `${RUN_AS_TAG} tag`,
  preferences: 'runAsDefaultUser',
  none: 'Run As mapping',
};

const EXPECTED: Readonly<Record<Extract<Step, { step: 'invalid-setting' }>['expected'], string>> = {
  'schema 1.0': 'schema version "1.0"',
  'true or false': 'true or false',
  'a string': 'a string',
  'a JSON boolean': 'a JSON boolean',
  'an object': 'an object',
  commands: 'a command',
};

/** A setting's value as written: shown when it is plain, described otherwise. */
const settingValue = (json: string): string => {
  if (/^("[\w .:+-]{0,40}"|-?\d{1,12}(\.\d+)?|true|false|null)$/.test(json)) return json;
  if (json.startsWith('"')) return 'a string of other characters';
  if (json.startsWith('[')) return 'a list';
  if (json.startsWith('{')) return 'an object';
  return 'a value of another type';
};

/** "i-1, i-2, i-3" or "i-1, …, i-20 and 3 more". */
export const nodeListText = (nodes: readonly string[], max: number = MAX_NODES_NAMED): string => {
  const unique = [...new Set(nodes)];
  const named = unique.slice(0, Math.max(0, max)).map(nameText);
  const rest = unique.length - named.length;
  if (rest === 0) return named.join(', ');
  return named.length === 0 ? `${rest} nodes` : `${named.join(', ')} and ${rest} more`;
};

/** runAsEnabled as written: its value when plain, else what it resolved to. */
const runAsValue = (written: string, enabled: boolean): string => {
  if (written === 'not set') return 'is not set';
  return settingValue(written) === written ? `is ${written}` : `resolves to ${enabled}`;
};

/** `SSMSessionRunAs="alice"`, or a tag whose value is not shown because it is not a safe name. */
const tagWords = (value: string, kind: string): string =>
  isSafeUserName(value)
    ? `the ${kind} ${RUN_AS_TAG}=${quote(value)}`
    : `an ${RUN_AS_TAG} ${kind} whose value is not a safe user name`;

const MATCHED_BY: Readonly<Record<SessionTagsSource['match'], string>> = {
  'access-key': 'the issued access key',
  'issue-time': 'the role session and its creation time',
  'earlier-issue': 'the role session, issued before its creation time and still valid then',
};

const spelling = (key: string): string =>
  key === RUN_AS_TAG ? '' : ` (key written ${quote(key)}; tag keys are case-insensitive)`;

export const stepSentence = (step: Step): string => {
  switch (step.step) {
    case 'call-failed':
      return `StartSession failed with ${quote(step.errorCode)}: no session was created.`;
    case 'not-a-node':
      return `Target ${quote(step.target)} is not a managed node (EC2 instance or hybrid node): Run As does not apply.`;
    case 'port':
      return `Document ${documentText(step.document)} opens a Port session${step.port === '' ? '' : ` to port ${quote(step.port)}`}: it forwards a port and opens no shell, so no OS user applies.`;
    case 'ssh-tunnel':
      return `Document ${documentText(step.document)} opens a Port session to SSH${step.port === '' ? '' : ` (port ${quote(step.port)})`}: Run As is bypassed and the SSH login decides the OS user.`;
    case 'port-unknown':
      return `Document ${documentText(step.document)} opens a Port session whose port cannot be known (${step.reason}): it may be SSH, which bypasses Run As.`;
    case 'windows':
      return `Node ${nameText(step.node)} runs Windows, where Run As is not supported${step.shell ? `: sessions run as ${SSM_USER}, a local administrator` : ''}.`;
    case 'platform-unreadable':
      return `The platform of node ${nameText(step.node)} could not be read (${step.reason}).`;
    case 'node-unregistered':
      return `Node ${nameText(step.node)} is not registered with Systems Manager, so its platform is unknown.`;
    case 'platform':
      return `Node ${nameText(step.node)} runs ${step.platform}.`;
    case 'document-unreadable':
      return `Document ${documentText(step.document)} could not be read (${step.reason}).`;
    case 'document-gone':
      return step.posture
        ? `Document ${documentText(step.document)} does not exist: no session can use it.`
        : `Document ${documentText(step.document)} does not exist now, so the Run As settings the session used are unknown.`;
    case 'document-version':
      return `Judged: document ${documentText(step.document)} version ${quote(step.version)} (${step.label}).`;
    case 'built-in-defaults':
      return `No ${PREFERENCES_DOCUMENT} document exists in this Region: Session Manager's built-in defaults apply.`;
    case 'invalid-setting':
      return step.expected === 'schema 1.0'
        ? `Document ${documentText(step.document)}: schemaVersion is ${settingValue(step.value)}, but the agent accepts only "1.0", so every session using it fails.`
        : `Document ${documentText(step.document)}: ${step.key} is ${settingValue(step.value)}, which the agent cannot read as ${EXPECTED[step.expected]}, so every session using it fails.`;
    case 'parameter-store':
      return `Document ${documentText(step.document)}: ${step.key} reads Parameter Store parameter ${quote(step.parameter)} on the node, which the auditor cannot see.`;
    case 'parameter-unset':
      return `Document ${documentText(step.document)}: ${step.key} uses {{${step.parameter}}}, which has no default, and the StartSession parameters are not known here.`;
    case 'command-document':
      return `Document ${documentText(step.document)} is an ${step.sessionType} document; properties.${step.os}.runAsElevated is ${step.elevated ? 'true' : 'not true'}.`;
    case 'preferences-merged':
      return `It sets no runAsEnabled of its own, so the Region's preferences (${PREFERENCES_DOCUMENT}) decide Run As: AWS does not document whether Region preferences apply to command sessions; assumed they do.`;
    case 'preferences-unreadable':
      return `The Region's preferences (${PREFERENCES_DOCUMENT}) could not be read (${step.reason}).`;
    case 'elevated':
      return `runAsElevated is true for ${step.os}: the commands run as root, whatever Run As says.`;
    case 'run-as-off':
      return `Document ${documentText(step.document)}: runAsEnabled ${runAsValue(step.value, false)}, so Run As is off: sessions run as ${SSM_USER}, which has passwordless sudo when the agent created it.`;
    case 'run-as-on':
      return `Document ${documentText(step.document)}: runAsEnabled ${runAsValue(step.value, true)}, runAsDefaultUser ${step.defaultUser === '' ? 'is not set' : userWords(step.defaultUser)}.`;
    case 'no-run-as-inputs':
      return `Document ${documentText(step.document)} is a command document without Run As inputs of its own: the Region's preferences decide its sessions.`;
    case 'session-tag':
      return `The session carries ${tagWords(step.value, 'session tag')}${spelling(step.key)}, which overrides the principal's tag.`;
    case 'session-tag-blank':
      return `The session carries an ${RUN_AS_TAG} session tag with a blank value: it overrides the principal's tag, so runAsDefaultUser applies.`;
    case 'no-session-tag':
      return `The session carries no ${RUN_AS_TAG} session tag.`;
    case 'session-tags-unreadable':
      return `The session tags could not be read (${step.reason}); an ${RUN_AS_TAG} session tag would override what follows.`;
    case 'session-tags-recorded':
      return `Its session tags are those STS recorded when it issued the session's credentials (${quote(step.source.eventName)} in ${quote(step.source.recordedIn)}, event ${quote(step.source.eventId)}), found by ${MATCHED_BY[step.source.match]}.`;
    case 'session-tags-pending':
      return `The STS record that issued the session's credentials has not arrived yet (${step.reason}), so its session tags are not known yet; an ${RUN_AS_TAG} session tag would override what follows. The finding is updated when the record arrives.`;
    case 'session-tags-just-in-time':
      return `The session uses just-in-time node access credentials (ssm:GetAccessToken), which no STS record issues: its session tags cannot be known, and an ${RUN_AS_TAG} session tag would override what follows.`;
    case 'principal-tag-then':
      return `The ${RUN_AS_TAG} tag of ${principalWords(step.subject)} changed at ${quote(step.changedAt)}, after the session: it is judged by the value recorded at ${quote(step.setAt)}, before the session.`;
    case 'principal-tag-changed-after':
      return `The ${RUN_AS_TAG} tag of ${principalWords(step.subject)} changed at ${quote(step.changedAt)}, after the session, and ${step.ambiguous ? 'two different values were recorded in the one second before the session' : 'its value before that is not recorded'}: the mapping changed after the session, and the value Session Manager used cannot be known.`;
    case 'session-tags-assumed-none':
      return `Assuming a session without session tags; an ${RUN_AS_TAG} session tag would override the principal's tag.`;
    case 'principal-tag':
      return `${principalWords(step.subject, true)} has ${tagWords(step.value, 'tag')}${spelling(step.key)}.`;
    case 'principal-tag-blank':
      return `${principalWords(step.subject, true)} has an ${RUN_AS_TAG} tag with a blank value, which counts as absent.`;
    case 'no-principal-tag':
      return `${principalWords(step.subject, true)} has no ${RUN_AS_TAG} tag.${step.identityCenter ? ` It is an IAM Identity Center role, which cannot be tagged: pass ${RUN_AS_TAG} as a session tag (an attribute for access control) instead.` : ''}`;
    case 'principal-tags-unreadable':
      return `The tags of ${principalWords(step.subject)} could not be read (${step.reason}).`;
    case 'no-iam-tags':
      return `${principalWords(step.subject, true)} has no IAM tags.`;
    case 'default-user':
      return `No tag names a user, so runAsDefaultUser ${userWords(step.value)} applies.`;
    case 'no-user':
      return 'Run As is on but no tag or default names a user: the agent refuses the session ("please set the RunAs default user").';
    case 'only-session-tags-could-name':
      return 'No tag or default names a user; only the unreadable session tags could have named one.';
    case 'unsafe-name':
      return step.source === 'preferences'
        ? `runAsDefaultUser is ${UNSAFE_USER}: the agent passes it unquoted to a root shell (sh -c "id …"), so the session is refused or worse.`
        : `The ${SOURCE_NOUN[step.source]} value is not a safe user name: the agent cannot look it up as an account, so the session is refused.`;
    case 'padded-name':
      return `The ${SOURCE_NOUN[step.source]} has blanks around ${userWords(step.user)}: it fails the safe-name rule, but the agent's shell drops the blanks and looks up ${userWords(step.user)}.`;
    case 'root-refused':
      return `${userWords(step.value)} is root (uid 0), which the agent always refuses ("invalid uid and gid"): the session was refused.`;
    case 'uid':
      return `A value of digits is a uid: uid ${step.uid} is ${userWords(step.account)} on the node.`;
    case 'uid-per-node':
      return 'A value of digits is a uid: which account it is depends on each node.';
    case 'privileged-ids':
      return `${userWords(step.user)} has uid ${step.uid ?? 'unknown'} and primary gid ${step.gid ?? 'unknown'}; the agent refuses uid 0 and gid 0 ("invalid uid and gid"): the session was refused.`;
    case 'ssm-user':
      return `The ${SOURCE_NOUN[step.source]} gives ${SSM_USER}, the agent's own account (passwordless sudo when the agent created it): Run As gives this principal no less than the default.`;
    case 'denied':
      return `${userWords(step.user)} is on the deny list (DENIED_RUN_AS_USERS).`;
    case 'missing':
      return `${userWords(step.user)} does not exist on the node (${step.where}): the agent refused the session ("RunAs user does not exist").`;
    case 'present':
      return `${userWords(step.user)} exists on the node (${step.where}).`;
    case 'presence-unknown':
      return `Whether ${userWords(step.user)} exists on the node is unknown (${step.reason}).`;
    case 'shell-profile-switch':
      return `The shell starts as the Run As user, but the shell profile of ${documentText(step.document)} runs ${quote(step.command)}, which switches the interactive shell to another account.`;
    case 'compliant':
      return step.session
        ? `The session ran as ${userWords(step.user)}.`
        : `Sessions would run as ${userWords(step.user)} (its existence on each node is checked per session).`;
    case 'missing-on-nodes': {
      const counted = step.notCounted > 0 ? ` (${step.notCounted} without fresh inventory not counted)` : '';
      return `${userWords(step.user)} is missing on ${step.nodes.length} of ${step.checked} Linux/macOS nodes checked${counted}; the agent refuses its sessions there: ${nodeListText(step.nodes)}.`;
    }
  }
};

/** What the other version of the document would give, when its Run As settings differ. */
export const otherVersionSentence = (decision: Decision): string | undefined => {
  const other = decision.otherVersion;
  if (other === undefined) return undefined;
  const user = other.expectedUser === '' ? '' : ` with user ${userWords(other.expectedUser)}`;
  return `${other.label} (version ${quote(other.version)}) has other Run As settings: judged by it, this would be ${other.outcome}${user}.`;
};

/** The whole path, one sentence per step. */
export const pathText = (decision: Decision): string => {
  const sentences = decision.steps.map(stepSentence);
  const other = otherVersionSentence(decision);
  if (other !== undefined) sentences.push(other);
  return sentences.join(' ') || `Outcome ${decision.outcome}.`;
};
