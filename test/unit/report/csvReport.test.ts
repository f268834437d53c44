import { describe, expect, it } from 'vitest';
import { csvField, csvReport, neutraliseFormula } from '../../../src/report/csvReport.ts';
import { RUN_AS_FIELD_KEYS } from '../../../src/report/productFields.ts';
import { HOSTILE, hostileFinding, input, principalFinding, sessionFinding } from './reportFixtures.ts';

/** A strict RFC 4180 reader, so the test checks what a spreadsheet would parse. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
};

describe('neutraliseFormula', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    [HOSTILE.formula, `'${HOSTILE.formula}`],
    ['\u200b=1+1', "'\u200b=1+1"],
    ['  =1', "'  =1"],
    ['\uff1d1+1', "'\uff1d1+1"],
  ])('neutralises %j', (value, expected) => {
    // Assess
    expect(neutraliseFormula(value)).toBe(expected);
  });

  it.each([
    'alice',
    HOSTILE.commandSubstitution,
    'a=b',
    'arn:aws:iam::111122223333:user/alice',
    '2026-03-01T12:00:00.000Z',
    '',
  ])('leaves %j as it is', (value) => {
    // Assess
    expect(neutraliseFormula(value)).toBe(value);
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['line\nfeed', '"line\nfeed"'],
    [' padded', '" padded"'],
    ['=cmd|" /C calc"!A0', `"'=cmd|"" /C calc""!A0"`],
  ])('writes %j as %j', (value, expected) => {
    // Assess
    expect(csvField(value)).toBe(expected);
  });
});

describe('csvReport', () => {
  it('writes a header and one CRLF-terminated row per finding with every RunAs/ field as a column', () => {
    // Act
    const rows = parseCsv(csvReport(input(sessionFinding(), principalFinding())));

    // Assess
    const [header, ...body] = rows;
    expect(header?.slice(0, 3)).toEqual(['Id', 'AwsAccountId', 'Region']);
    expect(header).toEqual(expect.arrayContaining([...RUN_AS_FIELD_KEYS]));
    expect(body).toHaveLength(2);
    const column = (name: string): number => header?.indexOf(name) ?? -1;
    expect(body[0]?.[column('RunAs/Outcome')]).toBe('RAN_AS_SSM_USER');
    expect(body[0]?.[column('Severity')]).toBe('HIGH');
    expect(body[1]?.[column('RunAs/NodesMissingUser')]).toBe('4');
    expect(body[1]?.[column('RunAs/SessionId')]).toBe('');
    expect(body.every((row) => row.length === header?.length)).toBe(true);
  });

  it('keeps hostile values intact but inert, and adds unknown product keys as sorted extra columns', () => {
    // Act
    const rows = parseCsv(csvReport(input(hostileFinding())));

    // Assess
    const [header, row] = rows;
    const cell = (name: string): string | undefined => row?.[header?.indexOf(name) ?? -1];
    expect(header?.at(-1)).toBe('RunAs/Zz-Extra');
    expect(cell('RunAs/SessionUser')).toBe(`'${HOSTILE.formula}`);
    expect(cell('RunAs/Zz-Extra')).toBe(`'${HOSTILE.formula}`);
    expect(cell('Remediation')).toBe(`'${HOSTILE.formula}`);
    expect(cell('RunAs/ExpectedUser')).toBe(HOSTILE.commandSubstitution);
    expect(cell('RunAs/Document')).toBe(HOSTILE.scriptClose);
    expect(cell('RunAs/Principal')).toContain('\u200b');
    expect(row?.every((value) => !/^[=+\-@\t\r]/.test(value))).toBe(true);
  });

  it('writes only the header when there is no finding', () => {
    // Act
    const rows = parseCsv(csvReport({ evaluations: [], findings: [] }));

    // Assess
    expect(rows).toHaveLength(1);
  });
});
