/**
 * How Session Manager picks the OS user of a session, as a function over plain facts.
 *
 * 1. Scope: a failed call, a target that is not a managed node, a Port tunnel or a Windows node
 *    has no Run As user; a tunnel to port 22 is SSH, where the SSH login decides.
 * 2. Settings: the document StartSession named (else the Region's SSM-SessionManagerRunShell), at
 *    the version sessions run ($LATEST). The agent validates it and fails the session on an error;
 *    runAsElevated commands run as root; Run As off runs as ssm-user.
 * 3. Expected user: a session tag, else the principal's tag, else runAsDefaultUser; none is refused.
 * 4. On the node: `id <value>` must find an account (a value of digits is a uid) whose uid and
 *    primary gid are not 0; then the shell profile runs as that account and may switch user.
 *
 * The first phase that settles the outcome wins, so outcomes take precedence in the order of the
 * outcome table. When a phase needs a fact that was not gathered, the verdict names it and the
 * caller decides again with it.
 */
import type { Decision, Verdict, VersionLabel } from './decision.ts';
import { expectedUserPhase } from './expectedUser.ts';
import type {
  DocumentRead,
  Known,
  Principal,
  SessionTagsFact,
  TagHistoryAt,
  Tags,
  UserPresence,
} from './facts.ts';
import { goField, isRecord, jsonText } from './json.ts';
import { nodePhase } from './onNode.ts';
import { newTrail, verdictOf } from './phase.ts';
import { type ScopeFacts, scopePhase } from './scope.ts';
import { parseSessionDocument } from './sessionDocument.ts';
import { settingsPhase } from './settings.ts';

/** Everything the decision for one StartSession may need; facts not gathered yet are absent. */
export interface SessionFacts extends ScopeFacts {
  readonly principal: Principal;
  /** OS users that must never be mapped (DENIED_RUN_AS_USERS). */
  readonly deniedUsers: ReadonlySet<string>;
  /** The session document at the judged version; value null when it does not exist. */
  readonly document?: Known<DocumentRead | null>;
  /** The other version ($DEFAULT when $LATEST is judged), to say what it would give. */
  readonly otherVersion?: Known<DocumentRead | null>;
  /** The Region's preferences (command documents without Run As inputs of their own). */
  readonly preferences?: Known<DocumentRead | null>;
  /** Tags of the IAM user or role (unknown: unreadable, e.g. AccessDenied or another account). */
  readonly principalTags?: Known<Tags>;
  /** The principal's recorded SSMSessionRunAs changes around the session's time, when read. */
  readonly principalTagHistory?: TagHistoryAt;
  readonly sessionTags?: SessionTagsFact;
  /** What the node's users said of a value, when it was looked up. */
  readonly nodeUsers?: (user: string) => UserPresence | undefined;
  /** false: node users are never asked for (a session re-read after a change): unknown instead. */
  readonly lookUpNodeUsers?: boolean;
}

const NOT_LOOKED_UP: UserPresence = { status: 'unknown', reason: 'not looked up' };

const judge = (facts: SessionFacts, document: Known<DocumentRead | null> | undefined): Verdict => {
  const trail = newTrail(facts.judgedVersion);
  const scope = scopePhase(facts, document, trail);
  if (scope.kind !== 'next') return verdictOf(scope, trail);
  const { platform, source } = scope.value;

  const settings = settingsPhase(
    {
      source,
      os: platform === 'MacOS' ? 'macos' : 'linux',
      fallback: { kind: 'merge', preferences: facts.preferences },
      parametersRecorded: facts.parameters !== undefined,
      session: true,
    },
    trail,
  );
  if (settings.kind !== 'next') return verdictOf(settings, trail);

  const user = expectedUserPhase(
    {
      principal: facts.principal,
      principalTags: facts.principalTags,
      principalTagHistory: facts.principalTagHistory,
      sessionTags: facts.sessionTags,
      defaultUser: settings.value.defaultUser,
      document: settings.value.document,
    },
    trail,
  );
  if (user.kind !== 'next') return verdictOf(user, trail);

  const presenceOf = (value: string): UserPresence | undefined =>
    facts.nodeUsers?.(value) ?? (facts.lookUpNodeUsers === false ? NOT_LOOKED_UP : undefined);
  return verdictOf(
    nodePhase(
      {
        user: user.value,
        deniedUsers: facts.deniedUsers,
        node: { platform, presenceOf },
        shellProfile: settings.value.shellProfile,
        document: settings.value.document,
      },
      trail,
    ),
    trail,
  );
};

/** The other version's label: $DEFAULT when sessions are judged by $LATEST, and the reverse. */
export const otherLabel = (judged: VersionLabel): VersionLabel =>
  judged === '$LATEST' ? '$DEFAULT' : '$LATEST';

/**
 * The content that can change a Run As outcome, as text: two versions with the same text give
 * every session the same settings.
 */
export const runAsSettingsOf = (content: unknown): string => {
  const parsed = parseSessionDocument(content);
  if (!parsed.known) return `unreadable: ${parsed.reason}`;
  const { inputs, ...rest } = parsed.value;
  const fields = isRecord(inputs)
    ? [
        'runAsEnabled',
        'runAsDefaultUser',
        'shellProfile',
        's3EncryptionEnabled',
        'cloudWatchEncryptionEnabled',
      ].map((key) => goField(inputs, key))
    : inputs;
  return jsonText({ ...rest, inputs: fields });
};

/** Both versions were read, differ, and differ in their Run As settings. */
export const versionsDiffer = (
  judged: Known<DocumentRead | null> | undefined,
  other: Known<DocumentRead | null> | undefined,
): other is { known: true; value: DocumentRead } => {
  if (!judged?.known || judged.value === null || !other?.known || other.value === null) return false;
  if (other.value.version === judged.value.version) return false;
  return runAsSettingsOf(other.value.content) !== runAsSettingsOf(judged.value.content);
};

/**
 * The OS user Session Manager gave (or should have given) one StartSession. When the verdict
 * names facts it needs, gather them and call again with them.
 */
export const decideSession = (facts: SessionFacts): Verdict => {
  const verdict = judge(facts, facts.document);
  if (!verdict.decided || !versionsDiffer(facts.document, facts.otherVersion)) return verdict;
  const other = facts.otherVersion;
  const alternative = judge({ ...facts, lookUpNodeUsers: false }, other);
  if (!alternative.decided) return alternative;
  const decision: Decision = {
    ...verdict.decision,
    otherVersion: {
      label: otherLabel(facts.judgedVersion),
      version: other.value.version,
      outcome: alternative.decision.outcome,
      expectedUser: alternative.decision.expectedUser,
    },
  };
  return { decided: true, decision };
};
