import { type Known, known, unknown } from './facts.ts';

export type SessionType = 'Standard_Stream' | 'Port' | 'InteractiveCommands' | 'NonInteractiveCommands';

/** The parts of a Session document's content the Run As decision reads. */
export interface SessionDocument {
  readonly schemaVersion: string;
  readonly sessionType: SessionType;
  /** `inputs` as written (Standard_Stream preferences: runAsEnabled, runAsDefaultUser, ...). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Declared parameters and their defaults (`{{name}}` templates fall back to these). */
  readonly parameters: Readonly<Record<string, { readonly default?: unknown }>>;
  /** `properties` as written (command documents: linux/macos/windows { commands, runAsElevated }). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** StartSession `parameters`, as CloudTrail records them: name → list of values. */
export type SessionParameters = Readonly<Record<string, readonly string[]>>;

const SESSION_TYPES: ReadonlySet<string> = new Set<SessionType>([
  'Standard_Stream',
  'Port',
  'InteractiveCommands',
  'NonInteractiveCommands',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A property the object itself holds: `inputs.constructor` must not find Object.prototype's. */
export const ownValue = (record: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** JSON text of any value, for messages; never throws (BigInt, cycles). */
export const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

const objectField = (
  content: Record<string, unknown>,
  key: string,
): { ok: true; value: Record<string, unknown> } | { ok: false } => {
  const value = ownValue(content, key);
  if (value === undefined || value === null) return { ok: true, value: {} };
  return isRecord(value) ? { ok: true, value: { ...value } } : { ok: false };
};

/**
 * Parses Session document content as GetDocument returns it (a JSON string, or already parsed).
 * Anything that is not a Session document the agent could run is `unknown`, with the reason.
 */
export const parseSessionDocument = (content: unknown): Known<SessionDocument> => {
  let parsed: unknown = content;
  if (typeof content === 'string') {
    try {
      parsed = JSON.parse(content);
    } catch {
      return unknown('document content is not valid JSON');
    }
  }
  if (!isRecord(parsed)) return unknown('document content is not a JSON object');

  const sessionType = ownValue(parsed, 'sessionType');
  if (sessionType === undefined) return unknown('document has no sessionType: it is not a Session document');
  if (typeof sessionType !== 'string' || !SESSION_TYPES.has(sessionType)) {
    return unknown(`document has an unknown sessionType ${jsonText(sessionType).slice(0, 80)}`);
  }

  const inputs = objectField(parsed, 'inputs');
  if (!inputs.ok) return unknown('document inputs is not an object');
  const properties = objectField(parsed, 'properties');
  if (!properties.ok) return unknown('document properties is not an object');
  const declared = objectField(parsed, 'parameters');
  if (!declared.ok) return unknown('document parameters is not an object');

  const parameters: Record<string, { readonly default?: unknown }> = {};
  for (const [name, definition] of Object.entries(declared.value)) {
    if (!isRecord(definition)) return unknown(`document parameter ${jsonText(name)} is not an object`);
    // Object.defineProperty keeps a parameter named "__proto__" an ordinary own entry.
    Object.defineProperty(parameters, name, {
      value: Object.hasOwn(definition, 'default') ? { default: definition.default } : {},
      enumerable: true,
    });
  }

  const schemaVersion = ownValue(parsed, 'schemaVersion');
  return known({
    schemaVersion:
      typeof schemaVersion === 'string' || typeof schemaVersion === 'number' ? `${schemaVersion}` : '',
    sessionType: sessionType as SessionType,
    inputs: inputs.value,
    parameters,
    properties: properties.value,
  });
};

/** The agent's ConvertToBool result: a boolean, or a value the agent rejects (session fails). */
export type AgentBool =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'invalid'; readonly raw: string };

// strconv.ParseBool's spellings; the agent maps "" (and a missing value) to false before parsing.
const AGENT_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const AGENT_FALSE: ReadonlySet<string> = new Set(['', '0', 'f', 'F', 'FALSE', 'false', 'False']);

export const readAgentBool = (raw: unknown): AgentBool => {
  if (raw === undefined || raw === null) return { kind: 'bool', value: false };
  if (typeof raw === 'boolean') return { kind: 'bool', value: raw };
  if (typeof raw === 'string') {
    if (AGENT_TRUE.has(raw)) return { kind: 'bool', value: true };
    if (AGENT_FALSE.has(raw)) return { kind: 'bool', value: false };
    return { kind: 'invalid', raw };
  }
  return { kind: 'invalid', raw: jsonText(raw) };
};

/** A document input after `{{…}}` substitution, as far as the auditor can know it. */
export type Resolved =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'ssm-parameter'; readonly name: string }
  | { readonly kind: 'unresolved'; readonly name: string };

// The agent's own patterns: parameter names are [a-zA-Z0-9]+ with any whitespace inside the
// braces; Parameter Store references allow only spaces (parameters.go, parameterstore.go).
const PARAMETER_REFERENCE = /\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g;
const SSM_REFERENCE = /\{\{ *ssm:([/\w.:-]+) *\}\}/;

const parameterValue = (
  name: string,
  params: SessionParameters,
  doc: SessionDocument,
): string | undefined => {
  const given = ownValue(params, name);
  if (Array.isArray(given) && typeof given[0] === 'string') return given[0];
  const definition = ownValue(doc.parameters, name) as { readonly default?: unknown } | undefined;
  const fallback = definition === undefined ? undefined : ownValue(definition, 'default');
  if (fallback === undefined || fallback === null) return undefined;
  // Go's convertToString: strings as they are, anything else as JSON.
  return typeof fallback === 'string' ? fallback : jsonText(fallback);
};

/**
 * Substitutes `{{ name }}` from the StartSession parameters (first value) or the document's
 * default, then looks for `{{ssm:…}}`, which the agent resolves on the node: after substitution,
 * because a parameter's value may itself be a Parameter Store reference.
 */
export const resolveTemplate = (value: string, params: SessionParameters, doc: SessionDocument): Resolved => {
  let missing: string | undefined;
  const substituted = value.replace(PARAMETER_REFERENCE, (reference: string, name: string) => {
    const filled = parameterValue(name, params, doc);
    if (filled !== undefined) return filled;
    missing ??= name;
    return reference;
  });
  if (missing !== undefined) return { kind: 'unresolved', name: missing };
  const ssm = SSM_REFERENCE.exec(substituted);
  if (ssm?.[1] !== undefined) return { kind: 'ssm-parameter', name: ssm[1] };
  return { kind: 'value', value: substituted };
};
