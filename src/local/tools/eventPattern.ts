/**
 * EventBridge event-pattern matching, for routing replayed events exactly as the rules in
 * template.yaml would. Covers the operators this project's rules may use; any other operator
 * throws, so a rule is never silently treated as matching (or not).
 *
 * Semantics follow EventBridge (event-ruler): the event is flattened into leaf paths, so an
 * array anywhere on the path is matched element by element, and each leaf of the pattern is an
 * OR over its matchers, tested against every value found at that path.
 */

import { isRecord } from '../../domain/json.ts';
import { InputError } from './inputError.ts';

type Scalar = string | number | boolean | null;

/** An operator or value EventBridge defines that this matcher does not implement (a rule of the template). */
export class UnsupportedPatternError extends InputError {
  override readonly name = 'UnsupportedPatternError';
  constructor(problem: string) {
    super('', `event pattern: ${problem}`);
  }
}

/** A pattern of the template that EventBridge itself would reject (empty, wrong shape). */
export class InvalidPatternError extends InputError {
  override readonly name = 'InvalidPatternError';
  constructor(problem: string) {
    super('', `event pattern: ${problem}`);
  }
}

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Every value reachable under `key` from the given nodes, arrays flattened (as event-ruler does). */
const valuesAt = (nodes: readonly unknown[], key: string): unknown[] => {
  const out: unknown[] = [];
  const push = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) push(item);
    else out.push(value);
  };
  for (const node of nodes) {
    if (isRecord(node) && Object.hasOwn(node, key)) push(node[key]);
  }
  return out;
};

type Predicate = (value: Scalar) => boolean;

const sameScalar = (a: Scalar, b: Scalar): boolean => a === b;

const anythingBut = (spec: unknown, path: string): Predicate => {
  if (isScalar(spec)) return (value) => !sameScalar(spec, value);
  if (Array.isArray(spec)) {
    if (spec.length === 0) throw new InvalidPatternError(`${path}: "anything-but" list is empty`);
    const excluded = spec.map((item) => {
      if (!isScalar(item)) throw new InvalidPatternError(`${path}: "anything-but" list items must be values`);
      return item;
    });
    return (value) => !excluded.some((item) => sameScalar(item, value));
  }
  if (isRecord(spec)) {
    const keys = Object.keys(spec);
    if (keys.length === 1 && keys[0] === 'prefix') {
      const prefix = spec.prefix;
      if (typeof prefix !== 'string') {
        throw new UnsupportedPatternError(`${path}: "anything-but": { "prefix" } must be a string here`);
      }
      return (value) => typeof value !== 'string' || !value.startsWith(prefix);
    }
    throw new UnsupportedPatternError(`${path}: unsupported "anything-but" operator ${JSON.stringify(keys)}`);
  }
  throw new InvalidPatternError(`${path}: "anything-but" needs a value, a list or { "prefix" }`);
};

/** A leaf matcher, validated up front so a bad operator throws even when the event lacks the field. */
type Matcher = { readonly exists: boolean } | { readonly test: Predicate };

const compileMatcher = (matcher: unknown, path: string): Matcher => {
  if (isScalar(matcher)) return { test: (value) => sameScalar(matcher, value) };
  if (!isRecord(matcher)) throw new InvalidPatternError(`${path}: nested lists are not allowed`);
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new InvalidPatternError(
      `${path}: an operator object has exactly one key, got ${JSON.stringify(keys)}`,
    );
  }
  const [operator] = keys as [string];
  const argument = matcher[operator];
  switch (operator) {
    case 'exists':
      if (typeof argument !== 'boolean')
        throw new InvalidPatternError(`${path}: "exists" needs true or false`);
      return { exists: argument };
    case 'prefix': {
      if (typeof argument !== 'string') {
        throw new UnsupportedPatternError(
          `${path}: "prefix" with ${JSON.stringify(argument)} is not supported`,
        );
      }
      return { test: (value) => typeof value === 'string' && value.startsWith(argument) };
    }
    case 'anything-but':
      return { test: anythingBut(argument, path) };
    case 'equals-ignore-case': {
      if (typeof argument !== 'string')
        throw new InvalidPatternError(`${path}: "equals-ignore-case" needs a string`);
      const wanted = argument.toLowerCase();
      return { test: (value) => typeof value === 'string' && value.toLowerCase() === wanted };
    }
    default:
      throw new UnsupportedPatternError(
        `${path}: operator "${operator}" is not supported by the local matcher`,
      );
  }
};

const leafMatches = (matchers: readonly unknown[], found: readonly unknown[], path: string): boolean => {
  if (matchers.length === 0) throw new InvalidPatternError(`${path}: empty list of values`);
  const compiled = matchers.map((matcher) => compileMatcher(matcher, path));
  // Only scalars are leaves: an object in the event is an intermediate node, not a value.
  const leaves = found.filter(isScalar);
  return compiled.some((matcher) =>
    'exists' in matcher ? leaves.length > 0 === matcher.exists : leaves.some((value) => matcher.test(value)),
  );
};

const objectMatches = (
  pattern: Record<string, unknown>,
  nodes: readonly unknown[],
  path: string,
): boolean => {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidPatternError(`${path || 'pattern'}: empty pattern object`);
  let all = true;
  for (const key of keys) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (key.startsWith('$')) throw new UnsupportedPatternError(`${childPath}: "${key}" is not supported`);
    const sub = pattern[key];
    const found = valuesAt(nodes, key);
    let ok: boolean;
    if (Array.isArray(sub)) ok = leafMatches(sub, found, childPath);
    else if (isRecord(sub)) ok = objectMatches(sub, found, childPath);
    else throw new InvalidPatternError(`${childPath}: a pattern value must be a list or an object`);
    if (!ok) all = false;
  }
  return all;
};

/**
 * Whether `event` matches the EventBridge `pattern`. Throws UnsupportedPatternError for an
 * operator not implemented here and InvalidPatternError for a pattern EventBridge would reject.
 */
export const matchesPattern = (pattern: unknown, event: unknown): boolean => {
  if (!isRecord(pattern)) throw new InvalidPatternError('pattern: must be a JSON object');
  return objectMatches(pattern, [event], '');
};
