import type { Known, Platform, Principal, SessionTagsFact, Tags, UserPresence } from './facts.ts';
import type { Outcome } from './outcome.ts';
import { nameText, principalText, quote } from './pathText.ts';
import {
  jsonText,
  ownValue,
  type Resolved,
  readAgentBool,
  resolveTemplate,
  type SessionDocument,
  type SessionParameters,
  type SessionType,
} from './sessionDocument.ts';
import { isSafeUserName } from './userName.ts';

export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const SSM_USER = 'ssm-user';
export const RUN_AS_TAG = 'SSMSessionRunAs';

export type ExpectedUserSource = 'session-tag' | 'principal-tag' | 'preferences' | 'none';
export type SessionTagsUse = 'none' | 'applied' | 'unknown';

/** Everything the decision for one StartSession needs, already fetched. */
export interface SessionFacts {
  /** CloudTrail errorCode of the StartSession call, when it failed. */
  readonly errorCode?: string;
  /** requestParameters.target, e.g. `i-0123…`, `mi-0123…`, `ecs:cluster_task_container`. */
  readonly target: string;
  /** Node platform from DescribeInstanceInformation; value null when the node is not registered. */
  readonly platform: Known<Platform | null>;
  /** Name (or ARN) of the session document; PREFERENCES_DOCUMENT when StartSession named none. */
  readonly documentName: string;
  /** Content of that document; value null when it does not exist. */
  readonly document: Known<SessionDocument | null>;
  /**
   * The Region's SSM-SessionManagerRunShell (value null: absent, so Session Manager's built-in
   * defaults apply: Run As off). Read when the session document is a command document that
   * sets no Run As inputs of its own; the same as `document` when no document was named.
   */
  readonly preferences: Known<SessionDocument | null>;
  /** StartSession `parameters` as CloudTrail recorded them. */
  readonly parameters: SessionParameters;
  readonly principal: Principal;
  /** Tags of the IAM user or role (unknown: unreadable, e.g. AccessDenied or another account). */
  readonly principalTags: Known<Tags>;
  readonly sessionTags: SessionTagsFact;
  /** OS users that must never be mapped (DENIED_RUN_AS_USERS). */
  readonly deniedUsers: ReadonlySet<string>;
  /** Whether the expected user exists on the node; omitted until it has been looked up. */
  readonly userPresence?: UserPresence;
}

export interface Decision {
  readonly outcome: Outcome;
  /** The OS user Session Manager should have used; '' when none could be resolved. */
  readonly expectedUser: string;
  readonly expectedUserSource: ExpectedUserSource;
  /** The OS user the session ran as; '' when the session was refused or no shell user applies/is known. */
  readonly sessionUser: string;
  /** true when the node's users were known and the user's existence was checked. */
  readonly userVerified: boolean;
  readonly sessionTags: SessionTagsUse;
  /** Document whose Run As settings decided (a name or ARN), or '' when none applied. */
  readonly settingsDocument: string;
  /** The decision path, one short sentence per step, for the finding's description. */
  readonly path: readonly string[];
  /** What to change to fix it ('' when nothing to fix). */
  readonly remediation: string;
  /**
   * When the outcome could still change with the node's users (a user was resolved and
   * userPresence was not given): the user to look up. The caller looks it up and decides again.
   */
  readonly userToCheck?: string;
}

// ---------------------------------------------------------------------------------------------
// The decision (DESIGN.md §2 and §3). Every step appends one sentence to the path; the first
// outcome in precedence order that holds wins, and a fact is only "needed" once the steps
// before it have not already settled the outcome.
// ---------------------------------------------------------------------------------------------

/** `i-` (8 or 17 hex) and `mi-` ids: the targets Run As can apply to. */
const MANAGED_NODE = /^(?:i|mi)-[0-9a-f]{8,17}$/;

/** A target Session Manager opens on a managed node (EC2 instance `i-…` or hybrid node `mi-…`). */
export const isManagedNodeId = (target: string): boolean => MANAGED_NODE.test(target);
const DENY_LIST = 'DENIED_RUN_AS_USERS';

interface Trail {
  readonly path: string[];
  sessionTags: SessionTagsUse;
  settingsDocument: string;
}

const newTrail = (): Trail => ({ path: [], sessionTags: 'none', settingsDocument: '' });

interface Ending {
  readonly expectedUser?: string;
  readonly expectedUserSource?: ExpectedUserSource;
  readonly sessionUser?: string;
  readonly userVerified?: boolean;
  readonly remediation?: string;
  readonly userToCheck?: string;
}

const decide = (outcome: Outcome, trail: Trail, ending: Ending = {}): Decision => ({
  outcome,
  expectedUser: ending.expectedUser ?? '',
  expectedUserSource: ending.expectedUserSource ?? 'none',
  sessionUser: ending.sessionUser ?? '',
  userVerified: ending.userVerified ?? false,
  sessionTags: trail.sessionTags,
  settingsDocument: trail.settingsDocument,
  path: [...trail.path],
  remediation: ending.remediation ?? '',
  ...(ending.userToCheck === undefined ? {} : { userToCheck: ending.userToCheck }),
});

/** A fact the decision needed could not be known; `sentence` says which and why. */
interface Gap {
  readonly sentence: string;
  readonly remediation: string;
}

const unverified = (trail: Trail, gap: Gap): Decision => {
  trail.path.push(gap.sentence);
  return decide('UNVERIFIED', trail, { remediation: gap.remediation });
};

const FIX_SSM_PARAMETER =
  'Use literal Run As values in session documents instead of {{ssm:…}} references, so sessions can be audited.';
const FIX_UNRESOLVED = 'Give every document parameter used in a Run As input a default value.';

/** A user name for a sentence: never echo a value that fails the safe-name rule. */
const userText = (value: string): string =>
  isSafeUserName(value) ? quote(value) : '(a value that is not a safe user name)';

// ----- document inputs ---------------------------------------------------------------------------

interface DocumentSource {
  readonly name: string;
  readonly document: SessionDocument;
  readonly parameters: SessionParameters;
}

/** An input read the way the agent reads it, after template substitution. */
type InputRead =
  | { readonly kind: 'bool'; readonly value: boolean; readonly shown: string }
  | { readonly kind: 'invalid'; readonly raw: string }
  | { readonly kind: 'unknown'; readonly gap: Gap };

const templateGap = (key: string, resolved: Exclude<Resolved, { kind: 'value' }>): Gap =>
  resolved.kind === 'ssm-parameter'
    ? {
        sentence: `${key} reads Parameter Store parameter ${quote(resolved.name)} on the node, which the auditor cannot see.`,
        remediation: FIX_SSM_PARAMETER,
      }
    : {
        sentence: `${key} uses {{${resolved.name}}}, which neither the StartSession parameters nor the document's defaults supply.`,
        remediation: FIX_UNRESOLVED,
      };

const readFlag = (
  source: DocumentSource,
  record: Readonly<Record<string, unknown>>,
  key: string,
): InputRead => {
  const raw = ownValue(record, key);
  let value: unknown = raw;
  let shown = raw === undefined ? 'not set' : jsonText(raw);
  if (typeof raw === 'string') {
    const resolved = resolveTemplate(raw, source.parameters, source.document);
    if (resolved.kind !== 'value') return { kind: 'unknown', gap: templateGap(key, resolved) };
    value = resolved.value;
    shown = resolved.value === raw ? quote(raw) : `${quote(raw)} (resolved to ${quote(resolved.value)})`;
  }
  const read = readAgentBool(value);
  return read.kind === 'bool' ? { kind: 'bool', value: read.value, shown } : read;
};

const NOT_ELEVATED: InputRead = { kind: 'bool', value: false, shown: 'not set' };

const shownOf = (read: InputRead): string =>
  read.kind === 'bool' ? read.shown : read.kind === 'invalid' ? quote(read.raw) : 'a template';

// ----- Run As settings ---------------------------------------------------------------------------

type SettingsSource =
  | ({ readonly kind: 'document' } & DocumentSource)
  | { readonly kind: 'built-in' }
  | { readonly kind: 'unknown'; readonly gap: Gap };

type DefaultUser =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly gap: Gap };

type RunAsSettings =
  | { readonly kind: 'off' }
  | { readonly kind: 'on'; readonly defaultUser: DefaultUser }
  | { readonly kind: 'unknown'; readonly gap: Gap }
  | { readonly kind: 'rejected'; readonly key: string };

// The agent parses these three inputs with ConvertToBool for every session; any one it rejects
// fails the session before a user is chosen (docparser.go parsePluginStateForStartSession).
const AGENT_BOOL_INPUTS = ['runAsEnabled', 's3EncryptionEnabled', 'cloudWatchEncryptionEnabled'] as const;

const readDefaultUser = (source: DocumentSource): { user: DefaultUser; shown: string } => {
  const raw = ownValue(source.document.inputs, 'runAsDefaultUser');
  if (typeof raw !== 'string') return { user: { kind: 'absent' }, shown: 'not set' };
  const resolved = resolveTemplate(raw, source.parameters, source.document);
  if (resolved.kind !== 'value') {
    return { user: { kind: 'unknown', gap: templateGap('runAsDefaultUser', resolved) }, shown: 'a template' };
  }
  if (resolved.value.trim() === '') return { user: { kind: 'absent' }, shown: 'blank' };
  return { user: { kind: 'value', value: resolved.value }, shown: userText(resolved.value) };
};

const readRunAsSettings = (source: SettingsSource, trail: Trail): RunAsSettings => {
  if (source.kind === 'unknown') return source;
  if (source.kind === 'built-in') {
    trail.path.push(
      `No ${PREFERENCES_DOCUMENT} document exists in this Region: Session Manager's built-in defaults apply, with Run As off.`,
    );
    return { kind: 'off' };
  }
  const doc = nameText(source.name);
  trail.settingsDocument = source.name;
  const inputs = source.document.inputs;
  for (const key of AGENT_BOOL_INPUTS) {
    const read = readFlag(source, inputs, key);
    if (read.kind === 'invalid') {
      trail.path.push(
        `Document ${doc}: ${key} is ${quote(read.raw)}, which the agent does not read as true or false, so every session using it fails.`,
      );
      return { kind: 'rejected', key };
    }
  }
  const defaultUser = ownValue(inputs, 'runAsDefaultUser');
  if (defaultUser !== undefined && defaultUser !== null && typeof defaultUser !== 'string') {
    // The agent unmarshals inputs into a struct whose runAsDefaultUser is a Go string.
    trail.path.push(
      `Document ${doc}: runAsDefaultUser is not a string, which the agent cannot read, so every session using it fails.`,
    );
    return { kind: 'rejected', key: 'runAsDefaultUser' };
  }
  const enabled = readFlag(source, inputs, 'runAsEnabled');
  if (enabled.kind === 'invalid') return { kind: 'rejected', key: 'runAsEnabled' }; // unreachable: the loop above already returned; narrows the type
  if (enabled.kind === 'unknown') {
    return { kind: 'unknown', gap: { ...enabled.gap, sentence: `Document ${doc}: ${enabled.gap.sentence}` } };
  }
  if (!enabled.value) {
    trail.path.push(`Document ${doc}: runAsEnabled ${enabled.shown}, so Run As is off.`);
    return { kind: 'off' };
  }
  const fallback = readDefaultUser(source);
  trail.path.push(`Document ${doc}: runAsEnabled ${enabled.shown}, runAsDefaultUser ${fallback.shown}.`);
  const user =
    fallback.user.kind === 'unknown'
      ? {
          kind: 'unknown' as const,
          gap: { ...fallback.user.gap, sentence: `Document ${doc}: ${fallback.user.gap.sentence}` },
        }
      : fallback.user;
  return { kind: 'on', defaultUser: user };
};

// ----- user resolution -----------------------------------------------------------------------------

type UserSource = Exclude<ExpectedUserSource, 'none'>;

type UserResolution =
  | { readonly kind: 'user'; readonly user: string; readonly source: UserSource }
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown'; readonly gap: Gap };

type RunAsTag =
  | { readonly kind: 'value'; readonly key: string; readonly value: string }
  | { readonly kind: 'blank' }
  | { readonly kind: 'absent' };

/** SSMSessionRunAs with a case-insensitive key; a blank value counts as absent. */
const findRunAsTag = (tags: Tags): RunAsTag => {
  const wanted = RUN_AS_TAG.toLowerCase();
  // The exact spelling first, so a duplicate in another case cannot shadow it.
  const matches = Object.entries(tags)
    .filter(([key]) => key.toLowerCase() === wanted)
    .sort(([a], [b]) => Number(b === RUN_AS_TAG) - Number(a === RUN_AS_TAG));
  for (const [key, value] of matches) {
    if (typeof value === 'string' && value.trim() !== '') return { kind: 'value', key, value };
  }
  return matches.length > 0 ? { kind: 'blank' } : { kind: 'absent' };
};

const tagSentence = (subject: string, tag: RunAsTag & { kind: 'value' | 'blank' }, kind = 'tag'): string => {
  if (tag.kind === 'blank')
    return `${subject} has an ${RUN_AS_TAG} ${kind} with a blank value, which counts as absent.`;
  if (!isSafeUserName(tag.value)) {
    return `${subject} has an ${RUN_AS_TAG} ${kind}, but the tag value is not a safe user name.`;
  }
  const spelling =
    tag.key === RUN_AS_TAG ? '' : ` (key written ${quote(tag.key)}; tag keys are case-insensitive)`;
  return `${subject} has ${RUN_AS_TAG}=${quote(tag.value)}${spelling}.`;
};

const isIdentityCenterRole = (principal: Principal): boolean =>
  principal.kind === 'role' && principal.name.startsWith('AWSReservedSSO_');

/** Session tags as the decision reads them: posture checks assume a session without any. */
type SessionTagsInput = SessionTagsFact | { readonly status: 'assumed-none' };

interface UserInputs {
  readonly principal: Principal;
  readonly principalTags: Known<Tags>;
  readonly sessionTags: SessionTagsInput;
}

const fromDefault = (defaultUser: DefaultUser, trail: Trail): UserResolution => {
  if (defaultUser.kind === 'unknown') return defaultUser;
  if (defaultUser.kind === 'absent') return { kind: 'none' };
  trail.path.push('No tag names a user, so runAsDefaultUser applies.');
  return { kind: 'user', user: defaultUser.value, source: 'preferences' };
};

/**
 * Session tag, else the principal's tag, else the default (DESIGN.md §2.6).
 *
 * Unreadable session tags do not make the session unverified when a role tag or the default
 * names a user: that user is what every session without the session tag gets, so the outcome is
 * reported with sessionTags 'unknown' and the path says a session tag could have overridden it
 * (the same standing as COMPLIANT with unverified user existence). Only when nothing else names
 * a user is the expectation unverified: the session tag was then the only possible source.
 */
const resolveRunAsUser = (inputs: UserInputs, defaultUser: DefaultUser, trail: Trail): UserResolution => {
  const { principal } = inputs;
  const subject = principalText(principal);
  // IAM users and the root user never carry session tags, whatever a lookup said.
  const sessionTags: SessionTagsInput =
    principal.kind === 'user' || principal.kind === 'root'
      ? { status: 'not-a-role-session' }
      : inputs.sessionTags;
  let sessionTagsGap: string | undefined;
  switch (sessionTags.status) {
    case 'not-a-role-session':
      trail.sessionTags = 'none';
      break;
    case 'assumed-none':
      trail.sessionTags = 'none';
      if (principal.kind === 'role') {
        trail.path.push(
          `Assuming a session without session tags; an ${RUN_AS_TAG} session tag would override the role's tag.`,
        );
      }
      break;
    case 'unknown':
      trail.sessionTags = 'unknown';
      sessionTagsGap = sessionTags.reason;
      trail.path.push(
        `The session tags of this role session could not be read (${sessionTags.reason}); an ${RUN_AS_TAG} session tag would override what follows.`,
      );
      break;
    case 'known': {
      trail.sessionTags = 'none';
      const tag = findRunAsTag(sessionTags.tags);
      if (tag.kind === 'value') {
        trail.sessionTags = 'applied';
        trail.path.push(
          `${tagSentence('The role session', tag, 'session tag')} Session tags override the role's tag.`,
        );
        return { kind: 'user', user: tag.value, source: 'session-tag' };
      }
      trail.path.push(
        tag.kind === 'blank'
          ? tagSentence('The role session', tag, 'session tag')
          : `The role session carries no ${RUN_AS_TAG} session tag.`,
      );
      break;
    }
  }

  if (principal.kind === 'user' || principal.kind === 'role') {
    const ssoNote = isIdentityCenterRole(principal)
      ? ` It is an IAM Identity Center role, which cannot be tagged: pass ${RUN_AS_TAG} as a session tag (user attribute) instead.`
      : '';
    let tags: Tags = {};
    if (inputs.principalTags.known) {
      tags = inputs.principalTags.value;
    } else if (ssoNote === '') {
      return {
        kind: 'unknown',
        gap: {
          sentence: `The tags of ${subject} could not be read (${inputs.principalTags.reason}).`,
          remediation:
            'Allow the auditor iam:ListUserTags and iam:ListRoleTags; principals of other accounts are audited from their own account.',
        },
      };
    }
    const tag = findRunAsTag(tags);
    if (tag.kind === 'value') {
      trail.path.push(tagSentence(subject, tag));
      return { kind: 'user', user: tag.value, source: 'principal-tag' };
    }
    trail.path.push(
      `${tag.kind === 'blank' ? tagSentence(subject, tag) : `${subject} has no ${RUN_AS_TAG} tag.`}${ssoNote}`,
    );
  } else {
    trail.path.push(`${subject} has no IAM tags.`);
  }

  const fallback = fromDefault(defaultUser, trail);
  if (fallback.kind === 'none' && sessionTagsGap !== undefined) {
    return {
      kind: 'unknown',
      gap: {
        sentence: 'No tag or default names a user; only the unreadable session tags could have named one.',
        remediation: FIX_SESSION_TAGS,
      },
    };
  }
  return fallback;
};

const FIX_SESSION_TAGS =
  'Keep CloudTrail management events (AssumeRole* records) readable by the auditor, so the session tags of role sessions are known.';

// ----- judging a resolved user -------------------------------------------------------------------

/** A real session (user existence may be looked up) or a posture check (no session, no node). */
type Judgement =
  | { readonly mode: 'session'; readonly presence: UserPresence | undefined }
  | { readonly mode: 'posture' };

const sourceNoun: Readonly<Record<UserSource, string>> = {
  'session-tag': `${RUN_AS_TAG} session tag`,
  'principal-tag': `${RUN_AS_TAG} tag`,
  preferences: 'runAsDefaultUser',
};

const judgeUser = (
  resolved: { readonly user: string; readonly source: UserSource },
  deniedUsers: ReadonlySet<string>,
  judgement: Judgement,
  trail: Trail,
): Decision => {
  const { user, source } = resolved;
  const presence = judgement.mode === 'session' ? judgement.presence : undefined;
  const session = judgement.mode === 'session';
  const checked = presence !== undefined && presence.status !== 'unknown';
  const missing = presence?.status === 'missing';
  const base = { expectedUser: user, expectedUserSource: source, userVerified: checked } as const;

  if (user === SSM_USER) {
    trail.path.push(
      `The resolved user is ${SSM_USER}, the agent's own account with passwordless sudo: Run As gives this principal no less than the default.`,
    );
    return decide('RAN_AS_SSM_USER', trail, {
      ...base,
      sessionUser: session && !missing ? SSM_USER : '',
      remediation: `Map the principal to its own unprivileged OS account instead of ${SSM_USER} (${sourceNoun[source]}).`,
    });
  }
  if (!isSafeUserName(user)) {
    trail.path.push(
      `An unsafe ${sourceNoun[source]} value is dangerous: the agent passes it unquoted to a shell (sh -c "id …").`,
    );
    return decide('INVALID_RUN_AS_USER', trail, {
      ...base,
      userVerified: false,
      sessionUser: '',
      remediation: `Set the ${sourceNoun[source]} to a plain OS user name (letters, digits, _ . @ -, at most 256 characters).`,
    });
  }
  if (deniedUsers.has(user)) {
    const refused = user === 'root';
    trail.path.push(
      `${quote(user)} is on the deny list (${DENY_LIST}).${refused ? ' The agent refuses uid 0, so the session was refused.' : ''}`,
    );
    const lookUp = session && presence === undefined && !refused;
    return decide('DISALLOWED_RUN_AS_USER', trail, {
      ...base,
      sessionUser: session && !refused && !missing ? user : '',
      remediation: `Map the principal to a named, unprivileged OS user instead of ${quote(user)} (${sourceNoun[source]}).`,
      ...(lookUp ? { userToCheck: user } : {}),
    });
  }
  if (missing) {
    trail.path.push(
      `${quote(user)} does not exist on the node (${presence.source}): the agent refused the session ("RunAs user does not exist").`,
    );
    return decide('MISSING_RUN_AS_USER', trail, {
      ...base,
      sessionUser: '',
      remediation: `Create ${quote(user)} on the node (locally or in its directory), or correct the ${sourceNoun[source]}.`,
    });
  }
  if (!session) {
    trail.path.push(
      `Sessions would run as ${quote(user)} (its existence on each node is checked per session).`,
    );
    return decide('COMPLIANT', trail, { ...base, sessionUser: '' });
  }
  if (presence === undefined) {
    trail.path.push(`Whether ${quote(user)} exists on the node has not been looked up yet.`);
    return decide('COMPLIANT', trail, { ...base, sessionUser: user, userToCheck: user });
  }
  trail.path.push(
    presence.status === 'present'
      ? `${quote(user)} exists on the node (${presence.source}).`
      : `Whether ${quote(user)} exists on the node is unknown (${presence.reason}).`,
  );
  return decide('COMPLIANT', trail, { ...base, sessionUser: user });
};

// ----- the shared tail of all three decisions ---------------------------------------------------

interface Evaluation {
  readonly source: SettingsSource;
  /** runAsElevated of a command document (NOT_ELEVATED for shells) and the document that set it. */
  readonly elevated: InputRead;
  readonly elevatedDocument: string;
  readonly users: (defaultUser: DefaultUser, trail: Trail) => UserResolution;
  readonly deniedUsers: ReadonlySet<string>;
  readonly judgement: Judgement;
}

/** RAN_AS_ROOT, or UNVERIFIED when runAsElevated cannot be read; undefined when not elevated. */
const elevatedDecision = (
  elevated: InputRead,
  document: string,
  session: boolean,
  trail: Trail,
): Decision | undefined => {
  if (elevated.kind === 'unknown') return unverified(trail, elevated.gap);
  if (elevated.kind === 'invalid') {
    return unverified(trail, {
      sentence: `runAsElevated is ${quote(elevated.raw)}, which the agent does not read as true or false.`,
      remediation: `Set runAsElevated in ${nameText(document)} to a JSON boolean.`,
    });
  }
  if (!elevated.value) return undefined;
  trail.settingsDocument = document;
  trail.path.push('runAsElevated is true: the commands run as root, whatever Run As says.');
  return decide('RAN_AS_ROOT', trail, {
    expectedUser: 'root',
    sessionUser: session ? 'root' : '',
    remediation: `Set runAsElevated to false in ${nameText(document)}, or allow ssm:StartSession with it only to principals who may be root.`,
  });
};

const FIX_RUN_AS_OFF = `Set runAsEnabled to true in the session's settings document (normally ${PREFERENCES_DOCUMENT}) and tag each principal with ${RUN_AS_TAG}.`;

const evaluate = (evaluation: Evaluation, trail: Trail): Decision => {
  const session = evaluation.judgement.mode === 'session';
  const settings = readRunAsSettings(evaluation.source, trail);
  if (settings.kind === 'rejected') {
    return decide('INVALID_PREFERENCES', trail, {
      remediation: `Set ${settings.key} in ${nameText(trail.settingsDocument)} to a JSON ${settings.key === 'runAsDefaultUser' ? 'string' : 'boolean (true or false)'}.`,
    });
  }
  if (settings.kind === 'unknown' && evaluation.elevated.kind === 'bool' && evaluation.elevated.value) {
    // Elevated commands ignore Run As; unreadable settings could only have failed the session.
    trail.path.push(`${settings.gap.sentence} Elevated commands do not use Run As settings.`);
  }
  const elevated = elevatedDecision(evaluation.elevated, evaluation.elevatedDocument, session, trail);
  if (elevated !== undefined) return elevated;
  if (settings.kind === 'unknown') return unverified(trail, settings.gap);
  if (settings.kind === 'off') {
    return decide('RAN_AS_SSM_USER', trail, {
      expectedUser: SSM_USER,
      sessionUser: session ? SSM_USER : '',
      remediation: FIX_RUN_AS_OFF,
    });
  }
  const resolution = evaluation.users(settings.defaultUser, trail);
  if (resolution.kind === 'unknown') return unverified(trail, resolution.gap);
  if (resolution.kind === 'none') {
    trail.path.push(
      'Run As is on but no tag or default names a user: the agent refuses the session ("please set the RunAs default user").',
    );
    return decide('NO_RUN_AS_USER', trail, {
      remediation: `Tag the principal with ${RUN_AS_TAG}=<OS user>, or set runAsDefaultUser in ${nameText(trail.settingsDocument || PREFERENCES_DOCUMENT)}.`,
    });
  }
  return judgeUser(resolution, evaluation.deniedUsers, evaluation.judgement, trail);
};

const isCommandSession = (type: SessionType): boolean =>
  type === 'InteractiveCommands' || type === 'NonInteractiveCommands';

const preferencesSource = (preferences: Known<SessionDocument | null>): SettingsSource => {
  if (!preferences.known) {
    return {
      kind: 'unknown',
      gap: {
        sentence: `The Region's preferences (${PREFERENCES_DOCUMENT}) could not be read (${preferences.reason}).`,
        remediation: `Allow the auditor ssm:GetDocument on ${PREFERENCES_DOCUMENT}.`,
      },
    };
  }
  if (preferences.value === null) return { kind: 'built-in' };
  return { kind: 'document', name: PREFERENCES_DOCUMENT, document: preferences.value, parameters: {} };
};

// ----- decideSession -------------------------------------------------------------------------------

/**
 * The OS user Session Manager gave (or should have given) one StartSession. Call it once; when
 * the result carries `userToCheck`, look that user up on the node and call again with
 * `userPresence`.
 */
export const decideSession = (facts: SessionFacts): Decision => {
  const trail = newTrail();
  const node = nameText(facts.target);
  const doc = nameText(facts.documentName);

  if (facts.errorCode !== undefined && facts.errorCode !== '') {
    trail.path.push(`StartSession failed with ${quote(facts.errorCode)}: no session was created.`);
    return decide('NOT_APPLICABLE', trail);
  }
  if (!MANAGED_NODE.test(facts.target)) {
    trail.path.push(
      `Target ${quote(facts.target)} is not a managed node (EC2 instance or hybrid node): Run As does not apply.`,
    );
    return decide('NOT_APPLICABLE', trail);
  }
  const document = facts.document.known ? facts.document.value : undefined;
  if (document?.sessionType === 'Port') {
    trail.path.push(
      `Document ${doc} is a Port document: it forwards a port and opens no shell, so no OS user applies.`,
    );
    return decide('NOT_APPLICABLE', trail);
  }
  if (facts.platform.known && facts.platform.value === 'Windows') {
    trail.path.push(
      `Node ${node} runs Windows, where Run As is not supported: sessions always run as ${SSM_USER}, a local administrator.`,
    );
    return decide('NOT_APPLICABLE', trail, {
      expectedUser: SSM_USER,
      sessionUser: document === undefined ? '' : SSM_USER,
      remediation: `Run As is not available on Windows: allow ssm:StartSession on Windows nodes only to principals who may be local administrators.`,
    });
  }

  if (!facts.platform.known) {
    return unverified(trail, {
      sentence: `The platform of node ${node} could not be read (${facts.platform.reason}).`,
      remediation: 'Allow the auditor ssm:DescribeInstanceInformation.',
    });
  }
  if (facts.platform.value === null) {
    return unverified(trail, {
      sentence: `Node ${node} is not registered with Systems Manager, so its platform is unknown.`,
      remediation:
        'Check whether the node was deregistered; its sessions cannot be audited without its platform.',
    });
  }
  if (!facts.document.known) {
    return unverified(trail, {
      sentence: `Document ${doc} could not be read (${facts.document.reason}).`,
      remediation: `Allow the auditor ssm:GetDocument on ${doc}.`,
    });
  }
  const platform = facts.platform.value;
  trail.path.push(`Node ${node} runs ${platform}.`);

  const users = (defaultUser: DefaultUser, t: Trail): UserResolution =>
    resolveRunAsUser(
      { principal: facts.principal, principalTags: facts.principalTags, sessionTags: facts.sessionTags },
      defaultUser,
      t,
    );
  const common = {
    users,
    deniedUsers: facts.deniedUsers,
    judgement: { mode: 'session', presence: facts.userPresence } as const,
    elevatedDocument: facts.documentName,
  };

  if (document === null || document === undefined) {
    // A missing preferences document means built-in defaults; a missing named document means the
    // settings the session used are gone.
    if (facts.documentName !== PREFERENCES_DOCUMENT) {
      return unverified(trail, {
        sentence: `Document ${doc} does not exist now, so the Run As settings the session used are unknown.`,
        remediation: 'Keep session documents while their sessions are audited.',
      });
    }
    return evaluate({ ...common, source: { kind: 'built-in' }, elevated: NOT_ELEVATED }, trail);
  }

  const own: SettingsSource = {
    kind: 'document',
    name: facts.documentName,
    document,
    parameters: facts.parameters,
  };
  if (!isCommandSession(document.sessionType)) {
    return evaluate({ ...common, source: own, elevated: NOT_ELEVATED }, trail);
  }

  const key = platform === 'MacOS' ? 'macos' : 'linux';
  const properties = ownValue(document.properties, key);
  const elevated =
    typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? readFlag(own, properties as Record<string, unknown>, 'runAsElevated')
      : NOT_ELEVATED;
  trail.path.push(
    `Document ${doc} is an ${document.sessionType} document; properties.${key}.runAsElevated ${shownOf(elevated)}.`,
  );
  if (Object.hasOwn(document.inputs, 'runAsEnabled')) {
    return evaluate({ ...common, source: own, elevated }, trail);
  }
  trail.path.push(
    `It sets no runAsEnabled of its own, so the Region's preferences (${PREFERENCES_DOCUMENT}) decide Run As: AWS does not document whether Region preferences apply to command sessions; assumed they do.`,
  );
  return evaluate({ ...common, source: preferencesSource(facts.preferences), elevated }, trail);
};

// ----- posture checks ----------------------------------------------------------------------------

export interface PrincipalPostureInput {
  /** The Region's SSM-SessionManagerRunShell (value null: absent, built-in defaults). */
  readonly preferences: Known<SessionDocument | null>;
  readonly principal: Principal;
  readonly principalTags: Known<Tags>;
  readonly deniedUsers: ReadonlySet<string>;
}

/**
 * What a shell session by this principal in this Region would get with the Region's preferences
 * and no session tags. No session exists: sessionUser is '' and no user is looked up.
 */
export const decidePrincipalPosture = (input: PrincipalPostureInput): Decision => {
  const trail = newTrail();
  return evaluate(
    {
      source: preferencesSource(input.preferences),
      elevated: NOT_ELEVATED,
      elevatedDocument: '',
      users: (defaultUser, t) =>
        resolveRunAsUser(
          {
            principal: input.principal,
            principalTags: input.principalTags,
            sessionTags: { status: 'assumed-none' },
          },
          defaultUser,
          t,
        ),
      deniedUsers: input.deniedUsers,
      judgement: { mode: 'posture' },
    },
    trail,
  );
};

export interface PreferencesPostureInput {
  readonly documentName: string;
  /** Its content; value null when it does not exist. */
  readonly document: Known<SessionDocument | null>;
  readonly deniedUsers: ReadonlySet<string>;
}

/**
 * What a session document's own Run As settings give a principal without any tag: its
 * runAsDefaultUser (or ssm-user when Run As is off). Command documents are judged on
 * runAsElevated; those without Run As inputs of their own defer to the Region's preferences.
 */
export const decidePreferencesPosture = (input: PreferencesPostureInput): Decision => {
  const trail = newTrail();
  const doc = nameText(input.documentName);
  if (!input.document.known) {
    return unverified(trail, {
      sentence: `Document ${doc} could not be read (${input.document.reason}).`,
      remediation: `Allow the auditor ssm:GetDocument on ${doc}.`,
    });
  }
  const document = input.document.value;
  const common = {
    users: fromDefault,
    deniedUsers: input.deniedUsers,
    judgement: { mode: 'posture' } as const,
    elevatedDocument: input.documentName,
  };
  if (document === null) {
    if (input.documentName !== PREFERENCES_DOCUMENT) {
      trail.path.push(`Document ${doc} does not exist: no session can use it.`);
      return decide('NOT_APPLICABLE', trail);
    }
    return evaluate({ ...common, source: { kind: 'built-in' }, elevated: NOT_ELEVATED }, trail);
  }
  if (document.sessionType === 'Port') {
    trail.path.push(`Document ${doc} is a Port document: it opens no shell, so no OS user applies.`);
    return decide('NOT_APPLICABLE', trail);
  }
  const own: SettingsSource = { kind: 'document', name: input.documentName, document, parameters: {} };
  if (!isCommandSession(document.sessionType)) {
    return evaluate({ ...common, source: own, elevated: NOT_ELEVATED }, trail);
  }

  // Posture has no node: the document is as privileged as its most elevated platform.
  let elevated: InputRead = NOT_ELEVATED;
  for (const key of ['linux', 'macos'] as const) {
    const properties = ownValue(document.properties, key);
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) continue;
    const read = readFlag(own, properties as Record<string, unknown>, 'runAsElevated');
    if (read.kind !== 'bool' || read.value) {
      elevated = read;
      trail.path.push(
        `Document ${doc} is an ${document.sessionType} document; properties.${key}.runAsElevated ${shownOf(read)}.`,
      );
      break;
    }
  }
  if (Object.hasOwn(document.inputs, 'runAsEnabled')) {
    return evaluate({ ...common, source: own, elevated }, trail);
  }
  const elevatedOutcome = elevatedDecision(elevated, input.documentName, false, trail);
  if (elevatedOutcome !== undefined) return elevatedOutcome;
  trail.path.push(
    `Document ${doc} is an ${document.sessionType} document without Run As inputs of its own: the Region's preferences (${PREFERENCES_DOCUMENT}) decide its sessions.`,
  );
  return decide('NOT_APPLICABLE', trail);
};
