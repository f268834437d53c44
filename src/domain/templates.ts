/**
 * `{{ name }}` substitution as the agent does it (parameters.go ReplaceParameters), then the
 * `{{ssm:…}}` references the agent resolves on the node from Parameter Store, which the auditor
 * cannot see.
 *
 * - A value that is exactly one `{{ p }}` becomes p's value with its JSON type (a list, a number
 *   default, null for a declared parameter with neither a value nor a default).
 * - Inside text, each `{{ p }}` becomes p's value as text (JSON for non-strings, `null` for none),
 *   with `$$` collapsed to `$`; one pass, so a value that looks like a template stays as it is.
 * - A reference to a parameter the document does not declare is left as written.
 */
import { goField, isRecord, jsonText } from './json.ts';
import type { SessionParameters } from './sessionDocument.ts';

export interface ParameterContext {
  /** Declared parameter → what the agent substitutes. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Declared parameters whose value cannot be known (no StartSession parameters were recorded). */
  readonly unset: ReadonlySet<string>;
}

export type Substituted =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'ssm'; readonly parameter: string }
  | { readonly kind: 'unset'; readonly parameter: string };

/** The agent's own name rule (`^[a-zA-Z0-9]+$`) and Go RE2's `\s`. */
const PARAMETER_NAME = /^[a-zA-Z0-9]+$/;
const GO_SPACE = '[\\t\\n\\f\\r ]*';
const SSM_REFERENCE = /\{\{ *ssm:([/\w.:-]+) *\}\}/;

const declarationsOf = (declared: unknown): [string, unknown][] =>
  isRecord(declared) ? Object.entries(declared).filter(([name]) => PARAMETER_NAME.test(name)) : [];

/**
 * The values the agent substitutes: StartSession's (a list for a StringList parameter, else the
 * first value), else the declared default. `given` undefined means the StartSession parameters
 * are not known (a posture check, or a session re-read later): declared parameters without a
 * default are then unset rather than null.
 */
export const parameterContext = (
  declared: unknown,
  given: SessionParameters | undefined,
): ParameterContext => {
  const values = new Map<string, unknown>();
  const unset = new Set<string>();
  for (const [name, definition] of declarationsOf(declared)) {
    const supplied = given !== undefined && Object.hasOwn(given, name) ? given[name] : undefined;
    const type = isRecord(definition) ? goField(definition, 'type') : undefined;
    if (supplied !== undefined) {
      values.set(name, type === 'StringList' ? [...supplied] : (supplied[0] ?? ''));
      continue;
    }
    const fallback = isRecord(definition) ? goField(definition, 'default') : undefined;
    if (fallback === undefined && given === undefined) unset.add(name);
    else values.set(name, fallback ?? null);
  }
  return { values, unset };
};

/** Parameters no document declares: templates are left as they are. */
export const NO_PARAMETERS: ParameterContext = { values: new Map(), unset: new Set() };

const referenceTo = (name: string, whole: boolean): RegExp =>
  new RegExp(
    whole ? `^\\{\\{${GO_SPACE}${name}${GO_SPACE}\\}\\}$` : `\\{\\{${GO_SPACE}${name}${GO_SPACE}\\}\\}`,
    'g',
  );

const asText = (value: unknown): string => (typeof value === 'string' ? value : jsonText(value ?? null));

const substituteText = (text: string, context: ParameterContext): Substituted => {
  for (const name of [...context.values.keys(), ...context.unset]) {
    if (referenceTo(name, true).test(text)) {
      return context.unset.has(name)
        ? { kind: 'unset', parameter: name }
        : { kind: 'value', value: context.values.get(name) ?? null };
    }
  }
  for (const name of context.unset) {
    if (referenceTo(name, false).test(text)) return { kind: 'unset', parameter: name };
  }
  // One pass over the original text: every reference is replaced by the text it had before.
  const names = [...context.values.keys()];
  const substituted =
    names.length === 0
      ? text
      : text.replace(
          new RegExp(`\\{\\{${GO_SPACE}(${names.join('|')})${GO_SPACE}\\}\\}`, 'g'),
          (_reference, name: string) => asText(context.values.get(name)).replaceAll('$$', '$'),
        );
  return { kind: 'value', value: substituted };
};

/**
 * One field after substitution. Objects and lists are walked (the agent substitutes inside them);
 * a Parameter Store reference anywhere in the result makes the field unknowable.
 */
export const substitute = (value: unknown, context: ParameterContext): Substituted => {
  if (typeof value === 'string') {
    const result = substituteText(value, context);
    if (result.kind !== 'value') return result;
    const reference = ssmReferenceIn(result.value);
    return reference === undefined ? result : { kind: 'ssm', parameter: reference };
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const result = substitute(item, context);
      if (result.kind !== 'value') return result;
      out.push(result.value);
    }
    return { kind: 'value', value: out };
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const result = substitute(item, context);
      if (result.kind !== 'value') return result;
      Object.defineProperty(out, key, { value: result.value, enumerable: true });
    }
    return { kind: 'value', value: out };
  }
  return { kind: 'value', value };
};

const ssmReferenceIn = (value: unknown): string | undefined => {
  if (typeof value === 'string') return SSM_REFERENCE.exec(value)?.[1];
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = ssmReferenceIn(item);
      if (found !== undefined) return found;
    }
  }
  if (isRecord(value)) return ssmReferenceIn(Object.values(value));
  return undefined;
};
