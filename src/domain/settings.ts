/**
 * Phase 2: the Run As settings a session gets. The agent validates the session document
 * (schemaVersion, typed inputs, ConvertToBool, command properties) and fails the session on any
 * error; then runAsElevated runs commands as root; then runAsEnabled false means ssm-user.
 * Command documents without Run As inputs of their own take the Region's preferences (AWS does
 * not document this; assumed, and said in the finding).
 */
import type { DocumentRead, Known } from './facts.ts';
import {
  type InputsRead,
  type Read,
  readCommandProperties,
  readInputs,
  type SettingsSource,
} from './inputs.ts';
import { hasGoField, isRecord } from './json.ts';
import { end, needs, next, type Phase, type Stop, type Trail, unverified } from './phase.ts';
import { parseSessionDocument } from './sessionDocument.ts';
import {
  isCommandSession,
  PREFERENCES_DOCUMENT,
  ROOT_USER,
  SESSION_SCHEMA_VERSION,
  SSM_USER,
} from './sessionManager.ts';
import { parameterContext } from './templates.ts';

/** Where the preferences come from when a command document has no Run As inputs of its own. */
export type PreferencesFallback =
  /** A session: the Region's preferences, read on demand (undefined until then). */
  | { readonly kind: 'merge'; readonly preferences: Known<DocumentRead | null> | undefined }
  /** A posture check of the document itself: its sessions are judged with the preferences' posture. */
  | { readonly kind: 'not-applicable' };

export interface SettingsInput {
  /** The session document, or the built-in defaults when the Region has no preferences document. */
  readonly source: SettingsSource | 'built-in';
  /** The node's OS block for command documents; `any` for a posture (the most elevated counts). */
  readonly os: 'linux' | 'macos' | 'any';
  readonly fallback: PreferencesFallback;
  /** Whether the StartSession parameters are known (a session) or not (a posture). */
  readonly parametersRecorded: boolean;
  /** A session (it ran as someone) or a posture (no session: no session user). */
  readonly session: boolean;
}

/** What the next phases need: the default user and the shell profile, as far as known. */
export interface Settings {
  readonly defaultUser: Read<string>;
  readonly shellProfile: Read<string>;
  readonly document: string;
}

const ranAsSsmUser = (session: boolean) =>
  ({ outcome: 'RAN_AS_SSM_USER', expectedUser: SSM_USER, sessionUser: session ? SSM_USER : '' }) as const;

/** The Region's preferences as a settings source, or the phase's end when they cannot be had. */
const preferencesSource = (
  fallback: PreferencesFallback,
  parametersRecorded: boolean,
  trail: Trail,
): Phase<SettingsSource | 'built-in'> => {
  if (fallback.kind === 'not-applicable')
    return end(
      trail,
      { step: 'no-run-as-inputs', document: trail.settingsDocument },
      { outcome: 'NOT_APPLICABLE' },
    );
  const { preferences } = fallback;
  if (preferences === undefined) return needs({ fact: 'preferences' });
  if (!preferences.known)
    return unverified(trail, { step: 'preferences-unreadable', reason: preferences.reason });
  if (preferences.value === null) return next('built-in');
  const parsed = parseSessionDocument(preferences.value.content);
  if (!parsed.known) return unverified(trail, { step: 'preferences-unreadable', reason: parsed.reason });
  return next({
    name: PREFERENCES_DOCUMENT,
    document: parsed.value,
    parameters: parameterContext(parsed.value.parameters, parametersRecorded ? {} : undefined),
  });
};

export const settingsPhase = (input: SettingsInput, trail: Trail): Phase<Settings> => {
  const { source } = input;
  if (source === 'built-in') {
    trail.steps.push({ step: 'built-in-defaults' });
    return end(
      trail,
      { step: 'run-as-off', document: PREFERENCES_DOCUMENT, value: 'not set' },
      ranAsSsmUser(input.session),
    );
  }
  trail.settingsDocument = source.name;
  const { document } = source;
  if (document.schemaVersion !== SESSION_SCHEMA_VERSION) {
    return invalidEnd(trail, {
      step: 'invalid-setting',
      document: source.name,
      key: 'schemaVersion',
      expected: 'schema 1.0',
      value: JSON.stringify(document.schemaVersion ?? null).slice(0, 64),
    });
  }
  const own = readInputs(source);
  if (own.kind === 'invalid') return invalidEnd(trail, own.step);

  let elevated: Read<boolean> = { kind: 'value', value: false };
  let runAs: InputsRead & { kind: 'read' } = own;
  if (isCommandSession(document.sessionType)) {
    const properties = readCommandProperties(source, input.os);
    if (properties.kind === 'invalid') return invalidEnd(trail, properties.step);
    elevated = properties.elevated;
    const isElevated = elevated.kind === 'value' && elevated.value;
    trail.steps.push({
      step: 'command-document',
      document: source.name,
      sessionType: document.sessionType,
      os: properties.os,
      elevated: isElevated,
    });
    const inputs = isRecord(document.inputs) ? document.inputs : {};
    if (!hasGoField(inputs, 'runAsEnabled')) {
      if (isElevated) return elevatedEnd(trail, source.name, properties.os, input.session);
      const fallback = preferencesSource(input.fallback, input.parametersRecorded, trail);
      if (fallback.kind !== 'next') return fallback;
      if (fallback.value === 'built-in') return settingsPhase({ ...input, source: 'built-in' }, trail);
      trail.steps.push({ step: 'preferences-merged', document: source.name });
      trail.settingsDocument = PREFERENCES_DOCUMENT;
      const merged = readInputs(fallback.value);
      if (merged.kind === 'invalid') return invalidEnd(trail, merged.step);
      runAs = merged;
    }
    if (isElevated) return elevatedEnd(trail, source.name, properties.os, input.session);
  }
  const settingsDocument = trail.settingsDocument;
  if (elevated.kind === 'unknown') return unverified(trail, elevated.step);
  if (own.gap !== undefined) return unverified(trail, own.gap);
  if (runAs.gap !== undefined) return unverified(trail, runAs.gap);
  if (runAs.runAsEnabled.kind === 'unknown') return unverified(trail, runAs.runAsEnabled.step);
  const { enabled, shown } = runAs.runAsEnabled.value;
  if (!enabled) {
    return end(
      trail,
      { step: 'run-as-off', document: settingsDocument, value: shown },
      ranAsSsmUser(input.session),
    );
  }
  trail.steps.push({
    step: 'run-as-on',
    document: settingsDocument,
    value: shown,
    defaultUser: runAs.defaultUser.kind === 'value' ? runAs.defaultUser.value : '',
  });
  // The shell profile runs in Standard_Stream shells only, from the session document's own inputs.
  const shellProfile: Read<string> =
    document.sessionType === 'Standard_Stream' ? own.shellProfile : { kind: 'value', value: '' };
  return next({ defaultUser: runAs.defaultUser, shellProfile, document: settingsDocument });
};

const invalidEnd = (trail: Trail, step: Parameters<typeof end>[1]): Stop =>
  end(trail, step, { outcome: 'INVALID_PREFERENCES' });

const elevatedEnd = (trail: Trail, document: string, os: string, session: boolean): Stop => {
  trail.settingsDocument = document;
  return end(
    trail,
    { step: 'elevated', document, os },
    {
      outcome: 'RAN_AS_ROOT',
      expectedUser: ROOT_USER,
      sessionUser: session ? ROOT_USER : '',
    },
  );
};
