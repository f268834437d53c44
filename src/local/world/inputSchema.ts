/**
 * Schema pieces for the files a user writes for the local tools (the world, its faults, quotas and
 * log groups), on zod: one schema both validates a file and publishes its JSON Schema. Every
 * failure becomes one InputError naming the JSON path of the first offending value
 * (`regions.us-east-1.nodes[2].platform`), with a message that says what was expected.
 */
import { z } from 'zod';
import type { InputError } from '../tools/inputError.ts';

/** `regions.us-east-1.nodes[2]` from a prefix and zod's path segments. */
export const pathText = (prefix: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, prefix);

/** Parses `value`, or throws `fail(path, problem)` for its first issue. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: string,
  fail: (path: string, problem: string) => InputError,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  if (issue === undefined) throw fail(prefix, 'invalid');
  const { path, message } = firstProblem(issue);
  throw fail(pathText(prefix, path), message);
}

/**
 * Where an issue points and what it says. An unknown key is named by its own path, not its
 * object's; a value matching no branch of a union is judged by the branch it got furthest into
 * (`{ "name": "ops", "uid": 1.5 }` is a user object with a bad uid, not a bad string).
 */
function firstProblem(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys')
    return { path: [...issue.path, issue.keys[0] ?? ''], message: issue.message };
  if (issue.code === 'invalid_union') {
    const inner = issue.errors
      .map((branch) => branch[0])
      .filter((first) => first !== undefined)
      .map(firstProblem)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (inner !== undefined && inner.path.length > 0)
      return { path: [...issue.path, ...inner.path], message: inner.message };
  }
  return { path: issue.path, message: issue.message };
}

/** An object with exactly these keys (an unknown key is an error naming the allowed ones). */
export const closed = <S extends z.core.$ZodLooseShape>(shape: S, expected = 'an object') =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key (allowed: ${Object.keys(shape).join(', ')})`
        : `expected ${expected}`,
  });

/** A string; with a rule, one that satisfies it (the message shows the value it got). */
export const text = (expected = 'a string', rule?: RegExp | ((value: string) => boolean)) => {
  const base = z.string({ error: `expected ${expected}` });
  if (rule === undefined) return base;
  const got = (issue: { readonly input?: unknown }) =>
    `expected ${expected}, got ${JSON.stringify(issue.input)}`;
  return rule instanceof RegExp ? base.regex(rule, { error: got }) : base.refine(rule, { error: got });
};

export const nonBlank = () => text('a non-blank string', /\S/);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected ${values.map((value) => `"${value}"`).join(' | ')}` });

export const flag = () => z.boolean({ error: 'expected true | false' });

export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'expected an array' });

/** A whole number from `min` to `max`. */
export const whole = (min: number, max = Number.MAX_SAFE_INTEGER, expected = `an integer ≥ ${min}`) =>
  z
    .number({ error: `expected ${expected}` })
    .int({ error: `expected ${expected}` })
    .min(min, {
      error: `expected ${expected}`,
    })
    .max(max, { error: `expected ${expected}` });

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time that is also a real date ("2026-02-30T…" is not). */
export const isoTime = (expected = 'an ISO time like "2026-01-01T00:00:00Z"') =>
  text(expected, ISO_TIME).refine((value) => !Number.isNaN(Date.parse(value)), {
    error: (issue) => `expected a valid ISO time, got ${JSON.stringify(issue.input)}`,
  });

/** A check for an array: no two items share `key`; the duplicate is named by `at(index)`. */
export const uniqueBy =
  <T>(key: (item: T) => string, what: string, at: (index: number) => PropertyKey[] = (index) => [index]) =>
  (items: readonly T[], ctx: z.core.$RefinementCtx<readonly T[]>): void => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k))
        ctx.addIssue({ code: 'custom', path: at(index), message: `duplicate ${what} ${JSON.stringify(k)}` });
      seen.add(k);
    });
  };
