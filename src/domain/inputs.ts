/**
 * A session document's inputs and command properties read the way the agent reads them: a typed
 * decode of the content, `{{…}}` substitution, a second typed decode (Remarshal), then
 * ConvertToBool. A value the agent cannot decode fails the session; one that depends on Parameter
 * Store, or on a StartSession parameter that was not recorded, cannot be known.
 */
import type { Expected, Step } from './decision.ts';
import { goField, isRecord, type JsonRecord, jsonText } from './json.ts';
import { recordOrEmpty, type SessionDocument } from './sessionDocument.ts';
import {
  AGENT_FALSE,
  AGENT_TRUE,
  BOOL_INPUTS,
  COMMAND_OS_BLOCKS,
  CONVERT_TO_BOOL_INPUTS,
  STRING_INPUTS,
} from './sessionManager.ts';
import { type ParameterContext, type Substituted, substitute } from './templates.ts';

/** A document whose settings are read, with the parameters its templates see. */
export interface SettingsSource {
  readonly name: string;
  readonly document: SessionDocument;
  readonly parameters: ParameterContext;
}

/** A setting as far as the auditor can know it. */
export type Read<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'unknown'; readonly step: Step };

export interface Inputs {
  readonly runAsEnabled: Read<{ readonly enabled: boolean; readonly shown: string }>;
  /** '' when blank (after trimming spaces, as the agent does before falling back to it). */
  readonly defaultUser: Read<string>;
  /** inputs.shellProfile.linux ('' when none). */
  readonly shellProfile: Read<string>;
  /** Another ConvertToBool input that cannot be known, so neither can whether the session starts. */
  readonly gap?: Step;
}

export type InputsRead =
  | { readonly kind: 'invalid'; readonly step: Step }
  | ({ readonly kind: 'read' } & Inputs);

const MAX_SHOWN = 64;
const shown = (value: unknown): string => jsonText(value).slice(0, MAX_SHOWN);

const invalid = (document: string, key: string, expected: Expected, value: unknown): Step => ({
  step: 'invalid-setting',
  document,
  key,
  expected,
  value: shown(value),
});

const isStringOrNull = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';

/** The agent's ConvertToBool: nil → false, a bool as is, ParseBool's spellings; anything else fails. */
export const agentBool = (raw: unknown): boolean | undefined => {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && AGENT_TRUE.has(raw)) return true;
  if (typeof raw === 'string' && AGENT_FALSE.has(raw)) return false;
  return undefined;
};

const gapOf = (document: string, key: string, result: Exclude<Substituted, { kind: 'value' }>): Step =>
  result.kind === 'ssm'
    ? { step: 'parameter-store', document, key, parameter: result.parameter }
    : { step: 'parameter-unset', document, key, parameter: result.parameter };

/** Types the first decode checks: a wrong one fails the session before anything is substituted. */
const decodeProblem = (name: string, inputs: JsonRecord): Step | undefined => {
  for (const key of STRING_INPUTS) {
    const value = goField(inputs, key);
    if (!isStringOrNull(value)) return invalid(name, key, 'a string', value);
  }
  for (const key of BOOL_INPUTS) {
    const value = goField(inputs, key);
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      return invalid(name, key, 'a JSON boolean', value);
    }
  }
  const profile = goField(inputs, 'shellProfile');
  if (profile === undefined || profile === null) return undefined;
  if (!isRecord(profile)) return invalid(name, 'shellProfile', 'an object', profile);
  for (const key of ['windows', 'linux']) {
    const value = goField(profile, key);
    if (!isStringOrNull(value)) return invalid(name, `shellProfile.${key}`, 'a string', value);
  }
  return undefined;
};

/** A string field after substitution: its value, or why it is unknown; undefined when it fails the decode. */
const stringField = (
  source: SettingsSource,
  record: JsonRecord,
  key: string,
  path = key,
): Read<string> | Step => {
  const result = substitute(goField(record, key), source.parameters);
  if (result.kind !== 'value') return { kind: 'unknown', step: gapOf(source.name, path, result) };
  if (!isStringOrNull(result.value)) return invalid(source.name, path, 'a string', result.value);
  return { kind: 'value', value: typeof result.value === 'string' ? result.value : '' };
};

const isStep = (value: Read<string> | Step): value is Step => !('kind' in value);

export const readInputs = (source: SettingsSource): InputsRead => {
  const { name, document } = source;
  const inputs = recordOrEmpty(document.inputs);
  if (inputs === undefined)
    return { kind: 'invalid', step: invalid(name, 'inputs', 'an object', document.inputs) };
  const decode = decodeProblem(name, inputs);
  if (decode !== undefined) return { kind: 'invalid', step: decode };

  let defaultUser: Read<string> = { kind: 'value', value: '' };
  for (const key of STRING_INPUTS) {
    const read = stringField(source, inputs, key);
    if (isStep(read)) return { kind: 'invalid', step: read };
    if (key === 'runAsDefaultUser') defaultUser = read;
  }
  if (defaultUser.kind === 'value' && defaultUser.value.trim() === '')
    defaultUser = { kind: 'value', value: '' };
  const profile = goField(inputs, 'shellProfile');
  const linux = isRecord(profile) ? stringField(source, profile, 'linux', 'shellProfile.linux') : undefined;
  if (linux !== undefined && isStep(linux)) return { kind: 'invalid', step: linux };

  let gap: Step | undefined;
  let runAsEnabled: Inputs['runAsEnabled'] = { kind: 'value', value: { enabled: false, shown: 'not set' } };
  for (const key of CONVERT_TO_BOOL_INPUTS) {
    const raw = goField(inputs, key);
    const result = substitute(raw, source.parameters);
    if (result.kind !== 'value') {
      const step = gapOf(name, key, result);
      if (key === 'runAsEnabled') runAsEnabled = { kind: 'unknown', step };
      else gap ??= step;
      continue;
    }
    const value = agentBool(result.value);
    if (value === undefined)
      return { kind: 'invalid', step: invalid(name, key, 'true or false', result.value) };
    if (key === 'runAsEnabled') {
      const text =
        raw === undefined
          ? 'not set'
          : raw === result.value
            ? shown(raw)
            : `${shown(raw)} → ${shown(result.value)}`;
      runAsEnabled = { kind: 'value', value: { enabled: value, shown: text } };
    }
  }
  return {
    kind: 'read',
    runAsEnabled,
    defaultUser,
    shellProfile: linux ?? { kind: 'value', value: '' },
    ...(gap === undefined ? {} : { gap }),
  };
};

/** What a command document's properties say for the node's OS ('any': a posture, every OS). */
export type CommandRead =
  | { readonly kind: 'invalid'; readonly step: Step }
  | { readonly kind: 'read'; readonly elevated: Read<boolean>; readonly os: string };

/**
 * The agent decodes properties into {windows, linux, macos} ShellConfig after substitution: any
 * block of the wrong shape fails the session, and so do blank commands for the node's OS.
 */
export const readCommandProperties = (source: SettingsSource, os: 'linux' | 'macos' | 'any'): CommandRead => {
  const { name, document } = source;
  const properties = recordOrEmpty(document.properties);
  if (properties === undefined)
    return { kind: 'invalid', step: invalid(name, 'properties', 'an object', document.properties) };
  let elevated: Read<boolean> = { kind: 'value', value: false };
  let commandsKnown = true;
  let commands = '';
  for (const block of COMMAND_OS_BLOCKS) {
    const raw = goField(properties, block);
    if (raw === undefined || raw === null) continue;
    const path = `properties.${block}`;
    if (!isRecord(raw)) return { kind: 'invalid', step: invalid(name, path, 'an object', raw) };
    for (const key of ['commands', 'stdOutSeparatorPrefix', 'stdErrSeparatorPrefix']) {
      const read = stringField(source, raw, key, `${path}.${key}`);
      if (isStep(read)) return { kind: 'invalid', step: read };
      if (key === 'commands' && block === os) {
        commandsKnown = read.kind === 'value';
        commands = read.kind === 'value' ? read.value : '';
      }
    }
    const result = substitute(goField(raw, 'runAsElevated'), source.parameters);
    const counts = block === os || (os === 'any' && block !== 'windows');
    if (result.kind === 'unset') {
      if (counts && !(elevated.kind === 'value' && elevated.value)) {
        elevated = { kind: 'unknown', step: gapOf(name, `${path}.runAsElevated`, result) };
      }
      continue;
    }
    // A Parameter Store value is a string: a Go bool field never decodes it.
    const value = result.kind === 'value' ? result.value : `{{ssm:${result.parameter}}}`;
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      return { kind: 'invalid', step: invalid(name, `${path}.runAsElevated`, 'a JSON boolean', value) };
    }
    if (counts && value === true) elevated = { kind: 'value', value: true };
  }
  if (os !== 'any' && commandsKnown && commands.trim() === '') {
    return { kind: 'invalid', step: invalid(name, `properties.${os}.commands`, 'commands', commands) };
  }
  return { kind: 'read', elevated, os: os === 'any' ? 'linux/macos' : os };
};
