/**
 * Readers for STS's form-encoded (awsQuery) request parameters. The body is hostile: each value is
 * checked against the constraint of STS's model and refused in the words STS uses.
 */
import type { Tag } from '../world/worldState.ts';
import { AwsApiError } from './wire.ts';

export const validation = (message: string): AwsApiError => new AwsApiError('ValidationError', message);

/** A model constraint failure (`member` is the member's lower-camel name, as STS reports it). */
export const constraint = (value: string, member: string, rule: string): AwsApiError =>
  validation(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`,
  );

/** A string parameter within [min, max] characters (and the pattern); absent is undefined. */
export function queryText(
  params: URLSearchParams,
  key: string,
  limits: { readonly min: number; readonly max: number; readonly pattern?: RegExp },
): string | undefined {
  const value = params.get(key);
  if (value === null) return undefined;
  const member = key.charAt(0).toLowerCase() + key.slice(1);
  if (value.length < limits.min)
    throw constraint(value, member, `Member must have length greater than or equal to ${limits.min}`);
  if (value.length > limits.max)
    throw constraint(value, member, `Member must have length less than or equal to ${limits.max}`);
  if (limits.pattern !== undefined && !limits.pattern.test(value)) {
    const source = limits.pattern.source.replace(/^\^|\$$/g, '');
    throw constraint(value, member, `Member must satisfy regular expression pattern: ${source}`);
  }
  return value;
}

export function queryRequired(value: string | undefined, member: string): string {
  if (value === undefined) {
    throw validation(
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** The entries of a list parameter (`Name.member.N`, or `Name.member.N.Field`), in N order. */
function queryMembers(params: URLSearchParams, name: string): Map<string, string>[] {
  const byIndex = new Map<number, Map<string, string>>();
  const shape = new RegExp(`^${name}\\.member\\.(\\d+)(?:\\.(\\w+))?$`);
  for (const [key, value] of params) {
    const match = shape.exec(key);
    if (match === null) continue;
    const index = Number(match[1]);
    const entry = byIndex.get(index) ?? new Map<string, string>();
    entry.set(match[2] ?? '', value);
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_SESSION_TAGS = 50;

function maxItems(count: number, member: string): void {
  if (count > MAX_SESSION_TAGS) {
    throw constraint(
      `[${count} items]`,
      member,
      `Member must have length less than or equal to ${MAX_SESSION_TAGS}`,
    );
  }
}

/** `Tags.member.N.Key` / `.Value`: at most 50, keys unique case-insensitively. */
export function sessionTags(params: URLSearchParams): Tag[] {
  const entries = queryMembers(params, 'Tags');
  maxItems(entries.length, 'tags');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const Key = queryRequired(entry.get('Key'), `tags.${i + 1}.member.key`);
    const Value = entry.get('Value') ?? '';
    for (const [text, member, max] of [
      [Key, 'key', 128],
      [Value, 'value', 256],
    ] as const) {
      if ((member === 'key' && text === '') || text.length > max || !TAG_TEXT.test(text)) {
        throw constraint(
          text,
          `tags.${i + 1}.member.${member}`,
          `Member must have length less than or equal to ${max} and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
        );
      }
    }
    if (seen.has(Key.toLowerCase())) {
      throw new AwsApiError(
        'InvalidParameterValue',
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    }
    seen.add(Key.toLowerCase());
    return { Key, Value };
  });
}

/** `TransitiveTagKeys.member.N`: at most 50. */
export function transitiveTagKeys(params: URLSearchParams): string[] {
  const entries = queryMembers(params, 'TransitiveTagKeys');
  maxItems(entries.length, 'transitiveTagKeys');
  return entries.map((entry) => entry.get('') ?? '');
}

/** `DurationSeconds` in [900, 43200]; absent is one hour. */
export function durationSeconds(params: URLSearchParams): number {
  const raw = params.get('DurationSeconds');
  if (raw === null) return 3600;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 900 || value > 43200) {
    throw constraint(raw, 'durationSeconds', 'Member must have value between 900 and 43200');
  }
  return value;
}
