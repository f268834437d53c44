/**
 * Posture checks: what a session would get, decided without a session. A principal's posture is
 * a shell with the Region's preferences and no session tags; a document's posture is a principal
 * without any tag using it. No node is involved: whether the user exists is checked per session
 * (and, for the fleet, by the fleet pre-check).
 */
import type { Decision, Verdict, VersionLabel } from './decision.ts';
import { defaultUserPhase, type ExpectedUser, expectedUserPhase } from './expectedUser.ts';
import type { DocumentRead, Known, Principal, Tags } from './facts.ts';
import type { SettingsSource } from './inputs.ts';
import { nodePhase } from './onNode.ts';
import { end, newTrail, next, type Phase, type Stop, type Trail, unverified, verdictOf } from './phase.ts';
import { otherLabel, versionsDiffer } from './runAs.ts';
import { portOf } from './scope.ts';
import { parseSessionDocument } from './sessionDocument.ts';
import { PREFERENCES_DOCUMENT } from './sessionManager.ts';
import { type Settings, settingsPhase } from './settings.ts';
import { parameterContext } from './templates.ts';

/** A posture has every fact it reads: a verdict that still needs one is a programming error. */
const settled = (verdict: Verdict): Decision => {
  if (!verdict.decided)
    throw new Error(`a posture decision asked for ${verdict.needs.map((n) => n.fact).join(', ')}`);
  return verdict.decision;
};

const settledAt = (stop: Stop, trail: Trail): Decision => settled(verdictOf(stop, trail));

/** The document as a settings source: absent, unreadable or not a Session document ends here. */
const sourceOf = (
  name: string,
  read: Known<DocumentRead | null>,
  judgedVersion: VersionLabel,
  trail: Trail,
): Phase<SettingsSource | 'built-in'> => {
  if (!read.known)
    return unverified(trail, { step: 'document-unreadable', document: name, reason: read.reason });
  if (read.value === null) {
    if (name === PREFERENCES_DOCUMENT) return next('built-in');
    return end(
      trail,
      { step: 'document-gone', document: name, posture: true },
      { outcome: 'NOT_APPLICABLE' },
    );
  }
  const parsed = parseSessionDocument(read.value.content);
  if (!parsed.known)
    return unverified(trail, { step: 'document-unreadable', document: name, reason: parsed.reason });
  if (read.value.version !== '') {
    trail.documentVersion = read.value.version;
    trail.steps.push({
      step: 'document-version',
      document: name,
      version: read.value.version,
      label: judgedVersion,
    });
  }
  return next({
    name,
    document: parsed.value,
    parameters: parameterContext(parsed.value.parameters, undefined),
  });
};

/** A posture's settings: every OS's commands, no StartSession parameters, no session user. */
const postureSettings = (source: SettingsSource | 'built-in', trail: Trail) =>
  settingsPhase(
    { source, os: 'any', fallback: { kind: 'not-applicable' }, parametersRecorded: false, session: false },
    trail,
  );

/** The end of every posture: the expected user judged on no particular node, with the settings' shell profile. */
const onAnyNode = (
  user: Phase<ExpectedUser>,
  settings: Settings,
  document: string,
  deniedUsers: ReadonlySet<string>,
  trail: Trail,
): Decision => {
  if (user.kind !== 'next') return settledAt(user, trail);
  const node = nodePhase(
    { user: user.value, deniedUsers, node: undefined, shellProfile: settings.shellProfile, document },
    trail,
  );
  return settledAt(node, trail);
};

export interface PrincipalPostureInput {
  /** The Region's SSM-SessionManagerRunShell at the judged version (value null: absent, built-in defaults). */
  readonly preferences: Known<DocumentRead | null>;
  readonly judgedVersion: VersionLabel;
  readonly principal: Principal;
  readonly principalTags: Known<Tags>;
  readonly deniedUsers: ReadonlySet<string>;
}

/** What a shell session by this principal would get with the Region's preferences and no session tags. */
export const decidePrincipalPosture = (input: PrincipalPostureInput): Decision => {
  const trail = newTrail(input.judgedVersion);
  const source = sourceOf(PREFERENCES_DOCUMENT, input.preferences, input.judgedVersion, trail);
  if (source.kind !== 'next') return settledAt(source, trail);
  const settings = postureSettings(source.value, trail);
  if (settings.kind !== 'next') return settledAt(settings, trail);
  const user = expectedUserPhase(
    {
      principal: input.principal,
      principalTags: input.principalTags,
      sessionTags: 'assumed-none',
      defaultUser: settings.value.defaultUser,
      document: settings.value.document,
    },
    trail,
  );
  return onAnyNode(user, settings.value, settings.value.document, input.deniedUsers, trail);
};

export interface PreferencesPostureInput {
  readonly documentName: string;
  /** Its content at the judged version; value null when it does not exist. */
  readonly document: Known<DocumentRead | null>;
  /** The other version, to say what it would give when its Run As settings differ. */
  readonly otherVersion?: Known<DocumentRead | null>;
  readonly judgedVersion: VersionLabel;
  readonly deniedUsers: ReadonlySet<string>;
}

const judgeDocument = (input: PreferencesPostureInput, read: Known<DocumentRead | null>): Decision => {
  const { documentName: name } = input;
  const trail = newTrail(input.judgedVersion);
  const source = sourceOf(name, read, input.judgedVersion, trail);
  if (source.kind !== 'next') return settledAt(source, trail);
  if (source.value !== 'built-in' && source.value.document.sessionType === 'Port') {
    const port = portOf(name, source.value.document, source.value.parameters);
    if (port.kind === 'ssh')
      return settledAt(
        end(trail, { step: 'ssh-tunnel', document: name, port: port.port }, { outcome: 'SSH_TUNNEL' }),
        trail,
      );
    return settledAt(
      end(
        trail,
        { step: 'port', document: name, port: port.kind === 'other' ? port.port : '' },
        { outcome: 'NOT_APPLICABLE' },
      ),
      trail,
    );
  }
  const settings = postureSettings(source.value, trail);
  if (settings.kind !== 'next') return settledAt(settings, trail);
  // No principal: the default user is what every principal without a tag gets.
  const user = defaultUserPhase(settings.value, trail);
  return onAnyNode(user, settings.value, name, input.deniedUsers, trail);
};

/**
 * What a session document's own Run As settings give a principal without any tag. Command
 * documents are judged on runAsElevated; those without Run As inputs of their own defer to the
 * Region's preferences and are not applicable on their own.
 */
export const decidePreferencesPosture = (input: PreferencesPostureInput): Decision => {
  const decision = judgeDocument(input, input.document);
  const other = input.otherVersion;
  if (!versionsDiffer(input.document, other)) return decision;
  const alternative = judgeDocument(input, other);
  return {
    ...decision,
    otherVersion: {
      label: otherLabel(input.judgedVersion),
      version: other.value.version,
      outcome: alternative.outcome,
      expectedUser: alternative.expectedUser,
    },
  };
};
