/**
 * Reading JSON the way it arrives: untyped, possibly hostile, and (for SSM documents) read by
 * the agent's Go decoder, which matches object keys to its struct fields case-insensitively.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

/** A plain JSON object (not null, not an array). */
export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A property the object itself holds: `inputs.constructor` must not find Object.prototype's. */
export const ownValue = (record: JsonRecord, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** JSON text of any value, for messages; never throws (BigInt, cycles). */
export const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/**
 * Go's encoding/json folds keys with Unicode simple folding: besides ASCII case, the Kelvin sign
 * folds to k and the long s to s. Other non-ASCII letters never match an ASCII field name.
 */
const goFold = (key: string): string =>
  key
    .replace(/\u212a/g, 'k')
    .replace(/\u017f/g, 's')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The value Go's decoder would put into the struct field `field`: an exact key wins; otherwise
 * the last key that folds to the same name (each later key overwrites the field).
 */
export const goField = (record: JsonRecord, field: string): unknown => {
  if (Object.hasOwn(record, field)) return record[field];
  const wanted = goFold(field);
  let found: unknown;
  for (const [key, value] of Object.entries(record)) {
    if (goFold(key) === wanted) found = value;
  }
  return found;
};

/** Whether the object has a key Go's decoder would read as `field`. */
export const hasGoField = (record: JsonRecord, field: string): boolean =>
  Object.keys(record).some((key) => goFold(key) === goFold(field));
