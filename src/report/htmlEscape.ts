/**
 * Text from findings into HTML. Everything is escaped; invisible characters (controls,
 * zero-width and bidi format characters, lone surrogates, line separators) are shown as
 * `\uXXXX`, so a look-alike name such as "ad\u200bmin" cannot pass for "admin".
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

const codePoint = (char: string): string => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? '');

/** Element content: escaped, invisible characters marked up as visible code points. */
export const htmlText = (value: string): string =>
  escapeHtml(value).replace(
    INVISIBLE,
    (char) => `<span class="ctl" title="invisible character">${codePoint(char)}</span>`,
  );

/** Attribute value (always double-quoted by the caller): escaped, invisible characters as code points. */
export const htmlAttr = (value: string): string => escapeHtml(value).replace(INVISIBLE, codePoint);

/** A link only for an https URL with nothing that could break out of it; anything else is text. */
export const safeHttpsUrl = (value: string): string | undefined =>
  /^https:\/\/[A-Za-z0-9.-]+(?:\/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?(?:[?#][A-Za-z0-9._~!$&()*+,;=:@%/?#-]*)?$/.test(
    value,
  )
    ? value
    : undefined;
