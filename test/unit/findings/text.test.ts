import { describe, expect, it } from 'vitest';
import { cleanText, escapeValue, truncateEscaped, truncateText } from '../../../src/findings/text.ts';

describe('cleanText', () => {
  it.each([
    ['plain text stays', 'Session ran as alice', 100, 'Session ran as alice'],
    ['a newline becomes a space', 'line one\nline two', 100, 'line one line two'],
    ['CR LF and tabs collapse', 'a\r\n\t\tb', 100, 'a b'],
    ['NUL and ESC become spaces', 'a\u0000b\u001b[31mc', 100, 'a b [31mc'],
    ['DEL and C1 controls become spaces', 'a\u007fb\u0085c\u009bd', 100, 'a b c d'],
    ['bidi override is removed', 'admin\u202Egpj.exe', 100, 'admingpj.exe'],
    ['bidi isolates are removed', '\u2066a\u2067b\u2068c\u2069', 100, 'abc'],
    ['bidi embeddings and marks are removed', '\u202Aa\u202Bb\u202Cc\u202Dd\u200Ee\u200Ff', 100, 'abcdef'],
    ['line separators collapse', 'a\u2028b\u2029c', 100, 'a b c'],
    ['leading and trailing whitespace trimmed', '  \n a  ', 100, 'a'],
    ['non-ASCII letters kept', 'użytkownik ünïcödé 用户', 100, 'użytkownik ünïcödé 用户'],
    ['a lone surrogate becomes U+FFFD', 'a\ud800b', 100, 'a\ufffdb'],
    ['zero-width characters are removed', 'ro\u200bot \u200c\u200d\u2060\ufeffx', 100, 'root x'],
    ['a soft hyphen and tag characters are removed', 'ad\u00admin\u{e0041}', 100, 'admin'],
  ])('%s', (_case, input, max, expected) => {
    // Act
    const cleaned = cleanText(input, max);

    // Assess
    expect(cleaned).toBe(expected);
  });

  it('keeps text of exactly the limit', () => {
    // Prepare
    const text = 'x'.repeat(256);

    // Act
    const cleaned = cleanText(text, 256);

    // Assess
    expect(cleaned).toBe(text);
  });

  it('cuts text one over the limit to the limit, ending with …', () => {
    // Prepare
    const text = 'x'.repeat(257);

    // Act
    const cleaned = cleanText(text, 256);

    // Assess
    expect(cleaned).toHaveLength(256);
    expect(cleaned).toBe(`${'x'.repeat(255)}…`);
  });

  it('counts UTF-16 code units and never splits a surrogate pair', () => {
    // Prepare: 😀 is two code units; the cut at 4 would fall inside the third one
    const text = '😀😀😀😀';

    // Act
    const cleaned = cleanText(text, 6);

    // Assess
    expect(cleaned).toBe('😀😀…');
    expect(cleaned.length).toBeLessThanOrEqual(6);
  });

  it('applies the limit after collapsing', () => {
    // Prepare
    const text = `a${' '.repeat(500)}b`;

    // Act
    const cleaned = cleanText(text, 3);

    // Assess
    expect(cleaned).toBe('a b');
  });
});

describe('truncateText', () => {
  it.each([
    ['under the limit', 'abc', 5, 'abc'],
    ['at the limit', 'abcde', 5, 'abcde'],
    ['over the limit', 'abcdef', 5, 'abcd…'],
    ['trailing space before the cut is dropped', 'abc  def', 5, 'abc…'],
    ['zero limit', 'abc', 0, ''],
  ])('%s', (_case, input, max, expected) => {
    // Act
    const truncated = truncateText(input, max);

    // Assess
    expect(truncated).toBe(expected);
  });
});

describe('escapeValue', () => {
  it.each([
    ['plain value unchanged', 'ec2-user', 'ec2-user'],
    ['quotes and shell characters kept as is', `bob"; rm -rf / #'`, `bob"; rm -rf / #'`],
    ['newline escaped', 'bob\nRunAs/Outcome: COMPLIANT', 'bob\\nRunAs/Outcome: COMPLIANT'],
    ['CR and tab escaped', 'a\rb\tc', 'a\\rb\\tc'],
    ['backspace and form feed escaped', 'a\bb\fc', 'a\\bb\\fc'],
    ['ESC escaped as \\u001b', 'a\u001b[2J', 'a\\u001b[2J'],
    ['NUL escaped', 'a\u0000', 'a\\u0000'],
    ['DEL and C1 escaped', '\u007f\u0085', '\\u007f\\u0085'],
    ['backslash doubled so escapes stay unambiguous', 'a\\nb', 'a\\\\nb'],
    ['bidi override escaped', 'root\u202E', 'root\\u202e'],
    ['line separator escaped', 'a\u2028b', 'a\\u2028b'],
    ['lone surrogate escaped', 'a\udc00', 'a\\udc00'],
    ['non-ASCII letters kept', 'jürgen@corp.example', 'jürgen@corp.example'],
  ])('%s', (_case, input, expected) => {
    // Act
    const escaped = escapeValue(input, 2048);

    // Assess
    expect(escaped).toBe(expected);
  });

  it('round-trips: the escaped value parses back to the exact value', () => {
    // Prepare
    const value = 'bob\n\t\u001b\u202E\\x"😀';

    // Act
    const escaped = escapeValue(value, 2048);

    // Assess
    expect(JSON.parse(`"${escaped.replaceAll('"', '\\"')}"`)).toBe(value);
  });

  it('keeps a value of exactly the limit and cuts one over', () => {
    // Prepare
    const exact = 'v'.repeat(2048);

    // Act
    const kept = escapeValue(exact, 2048);
    const cut = escapeValue(`${exact}w`, 2048);

    // Assess
    expect(kept).toBe(exact);
    expect(cut).toHaveLength(2048);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts inside an escape sequence', () => {
    // Prepare: 'ab' then an escape that would straddle the limit
    const value = `ab${'\u001b'.repeat(3)}`;

    // Act
    const escaped = escapeValue(value, 10);

    // Assess
    expect(escaped).toBe('ab\\u001b…');
    expect(escaped.length).toBeLessThanOrEqual(10);
  });
});

describe('truncateEscaped', () => {
  it('keeps whole escapes and surrogate pairs', () => {
    // Act
    const truncated = truncateEscaped('\\n\\n😀x', 6);

    // Assess
    expect(truncated).toBe('\\n\\n…');
  });
});
