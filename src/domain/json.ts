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
 * Go's encoding/json (the agent's go 1.21) folds each non-ASCII rune of a key with
 * ToUpper(ToLower(r)): beside ASCII case, exactly four runes then fold onto an ASCII letter — the
 * Kelvin sign onto k, the long s onto s, and the dotted capital I and dotless small i onto i.
 * Every other non-ASCII letter never matches an ASCII field name.
 */
const FOLDS_ONTO_ASCII: ReadonlyMap<string, string> = new Map([
  ['\u212a', 'k'],
  ['\u017f', 's'],
  ['\u0130', 'i'],
  ['\u0131', 'i'],
]);

const goFold = (key: string): string =>
  Array.from(key, (rune) => FOLDS_ONTO_ASCII.get(rune) ?? (rune < '\u0080' ? rune.toLowerCase() : rune)).join(
    '',
  );

/**
 * The value Go's decoder would put into the struct field `field`: it visits the object's keys in
 * order and every key that folds onto the field's name overwrites it, so the last one wins (an
 * exact spelling is only preferred when two struct fields fold alike, which no agent struct has).
 */
export const goField = (record: JsonRecord, field: string): unknown => {
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
