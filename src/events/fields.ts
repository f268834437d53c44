/**
 * Readers for hostile JSON: every value is checked for type and bounded length before use,
 * and every failure names the dotted field path. Only own properties are read, so keys such
 * as `constructor` or `__proto__` never reach the prototype.
 */
import { isRecord, type JsonRecord } from '../domain/json.ts';
import { MalformedEventError } from '../errors.ts';

export type JsonObject = JsonRecord;

/** Default bound for identifiers and free text taken from an event. */
export const MAX_FIELD_LENGTH = 2048;

/** `detail` + `eventID` → `detail.eventID`; the envelope's own fields have the empty path ('' + `account` → `account`). */
export const fieldPath = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

const own = (object: JsonObject, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
};

/** The value itself must be an object. */
export const asObject = (value: unknown, path: string): JsonObject => {
  if (!isRecord(value)) throw new MalformedEventError(path, `must be an object, got ${describe(value)}`);
  return value;
};

export const objectAt = (object: JsonObject, key: string, path: string): JsonObject =>
  asObject(own(object, key), fieldPath(path, key));

/** Absent or null → undefined; anything else must be an object. */
export const optionalObjectAt = (object: JsonObject, key: string, path: string): JsonObject | undefined => {
  const value = own(object, key);
  if (value === undefined || value === null) return undefined;
  return asObject(value, fieldPath(path, key));
};

export interface StringRule {
  /** Longest accepted value in UTF-16 code units (default MAX_FIELD_LENGTH). */
  readonly max?: number;
  /** Whole-value pattern (or grammar check) the string must pass. */
  readonly pattern?: RegExp | ((value: string) => boolean);
  /** What the pattern means, for the error message. */
  readonly expected?: string;
}

const checkString = (value: unknown, path: string, rule: StringRule): string => {
  if (typeof value !== 'string')
    throw new MalformedEventError(path, `must be a string, got ${describe(value)}`);
  if (value.trim() === '') throw new MalformedEventError(path, 'must not be blank');
  const max = rule.max ?? MAX_FIELD_LENGTH;
  if (value.length > max) throw new MalformedEventError(path, `is longer than ${max} characters`);
  const { pattern } = rule;
  if (pattern !== undefined && !(typeof pattern === 'function' ? pattern(value) : pattern.test(value))) {
    const shape = typeof pattern === 'function' ? 'a valid value' : `a value matching ${pattern.source}`;
    throw new MalformedEventError(path, `must be ${rule.expected ?? shape}`);
  }
  return value;
};

/** A required, non-blank string. */
export const stringAt = (object: JsonObject, key: string, path: string, rule: StringRule = {}): string =>
  checkString(own(object, key), fieldPath(path, key), rule);

/** Absent, null or blank → undefined; otherwise validated like stringAt. */
export const optionalStringAt = (
  object: JsonObject,
  key: string,
  path: string,
  rule: StringRule = {},
): string | undefined => {
  const value = own(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return checkString(value, fieldPath(path, key), rule);
};

/**
 * Free text (user agents, error messages): absent/null → fallback; must be a string; cut
 * to `max` rather than rejected, because a long message is not a malformed event.
 */
export const textAt = (
  object: JsonObject,
  key: string,
  path: string,
  fallback: string,
  max = MAX_FIELD_LENGTH,
): string => {
  const value = own(object, key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') {
    throw new MalformedEventError(fieldPath(path, key), `must be a string, got ${describe(value)}`);
  }
  return value.length > max ? value.slice(0, max) : value;
};

/** Raw own property, for fields whose shape the caller checks itself. */
export const valueAt = (object: JsonObject, key: string): unknown => own(object, key);

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Date.parse rolls 2026-02-30 over to March: every component is range-checked first. */
const isRealTime = (match: RegExpExecArray): boolean => {
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    (hour ?? 24) <= 23 &&
    (minute ?? 60) <= 59 &&
    (second ?? 60) <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
};

const checkTime = (value: string, path: string): string => {
  const match = ISO_TIME.exec(value);
  const millis = match !== null && isRealTime(match) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis))
    throw new MalformedEventError(path, 'must be an ISO-8601 time such as 2026-01-01T00:00:00Z');
  return new Date(millis).toISOString();
};

/** A required ISO-8601 time, normalised to UTC with milliseconds (`2026-01-01T00:00:00.000Z`). */
export const isoTimeAt = (object: JsonObject, key: string, path: string): string =>
  checkTime(stringAt(object, key, path, { max: 64 }), fieldPath(path, key));

export const optionalIsoTimeAt = (object: JsonObject, key: string, path: string): string | undefined => {
  const value = optionalStringAt(object, key, path, { max: 64 });
  return value === undefined ? undefined : checkTime(value, fieldPath(path, key));
};
