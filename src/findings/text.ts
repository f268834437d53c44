/**
 * Text that reaches Security Hub from hostile sources (tags, session names, targets).
 * Lengths are UTF-16 code units, the unit Security Hub's limits are checked in, and a
 * cut never splits a surrogate pair or an escape sequence.
 */

/**
 * Unicode format characters (Cf): zero-width spaces and joiners, bidi embeddings, overrides,
 * isolates and marks, soft hyphens, tag characters. They hide or reorder what a reader sees.
 */
const FORMAT = /\p{Cf}/gu;
/** Unicode controls (Cc): C0, DEL and C1. */
const CONTROLS = /\p{Cc}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const ELLIPSIS = '…';

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Cuts plain text to `max` code units, ending with "…" when cut. */
export const truncateText = (text: string, max: number): string => {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  if (isHighSurrogate(cut.charCodeAt(cut.length - 1))) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}${ELLIPSIS}`;
};

/**
 * Display text: controls become spaces, format characters are removed, whitespace collapses,
 * and the result is cut to `max` code units with "…".
 */
export const cleanText = (text: string, max: number): string =>
  truncateText(stripFormatting(text).replace(/\s+/g, ' ').trim(), max);

/** Lone surrogates become U+FFFD, format characters go, controls become spaces. */
export const stripFormatting = (text: string): string =>
  text.replace(LONE_SURROGATE, '\ufffd').replace(FORMAT, '').replace(CONTROLS, ' ');

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const unicodeEscape = (char: string): string =>
  Array.from(
    { length: char.length },
    (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`,
  ).join('');

const TO_ESCAPE = /[\\\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** One token of escaped text: an escape sequence, a surrogate pair, or one code unit. */
const ESCAPED_TOKEN = /\\u[0-9a-f]{4}|\\[\\bfnrt]|[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g;

/**
 * Cuts escaped text (see escapeValue) to `max` code units with "…", never inside an escape
 * sequence or a surrogate pair.
 */
export const truncateEscaped = (escaped: string, max: number): string => {
  if (escaped.length <= max) return escaped;
  if (max <= 0) return '';
  let out = '';
  for (const token of escaped.match(ESCAPED_TOKEN) ?? []) {
    if (out.length + token.length > max - 1) break;
    out += token;
  }
  return `${out}${ELLIPSIS}`;
};

/**
 * The exact value with JSON-style escapes for backslash, controls, line/paragraph
 * separators, format characters (bidi, zero-width) and lone surrogates: it keeps every
 * character recoverable but cannot break a line or hide or reorder what a console shows.
 * Cut to `max` with "…".
 */
export const escapeValue = (value: string, max: number): string =>
  truncateEscaped(
    value
      .replace(TO_ESCAPE, (char) => SHORT_ESCAPES[char] ?? unicodeEscape(char))
      .replace(LONE_SURROGATE, unicodeEscape),
    max,
  );

const UNESCAPED: Readonly<Record<string, string>> = {
  '\\': '\\',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** The value escapeValue escaped (when it was not cut). */
export const unescapeValue = (escaped: string): string =>
  escaped.replace(
    /\\(?:u([0-9a-f]{4})|([\\bfnrt]))/g,
    (_match, hex: string | undefined, short: string | undefined) =>
      hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (UNESCAPED[short ?? ''] ?? ''),
  );
