import { describe, expect, it } from 'vitest';
import { asffReport } from '../../../src/report/asffReport.ts';
import { csvReport } from '../../../src/report/csvReport.ts';
import { htmlReport } from '../../../src/report/htmlReport.ts';
import { jsonReport } from '../../../src/report/jsonReport.ts';
import { ocsfReport } from '../../../src/report/ocsfReport.ts';
import { renderReport } from '../../../src/report/renderReport.ts';
import { REPORT_FORMATS } from '../../../src/report/reportInput.ts';
import { hostileFinding, input, principalFinding, sessionFinding } from './reportFixtures.ts';

const INPUT = input(sessionFinding(), principalFinding(), hostileFinding());
const OPTIONS = { generatedAt: '2026-03-02T00:00:00.000Z', productVersion: '0.1.0' };

describe('renderReport', () => {
  it.each([
    ['json', jsonReport(INPUT)],
    ['csv', csvReport(INPUT)],
    ['asff', asffReport(INPUT)],
    ['ocsf', ocsfReport(INPUT, OPTIONS)],
    ['html', htmlReport(INPUT, OPTIONS)],
  ] as const)('renders %s with its formatter', (format, expected) => {
    // Act
    const out = renderReport(format, INPUT, OPTIONS);

    // Assess
    expect(out).toBe(expected);
  });

  it('offers exactly the five formats', () => {
    // Assess
    expect(REPORT_FORMATS).toEqual(['json', 'csv', 'asff', 'ocsf', 'html']);
  });
});

describe('jsonReport', () => {
  it('prints what replay prints: {evaluations, findings}, two-space indented, one trailing newline', () => {
    // Act
    const out = jsonReport(INPUT);

    // Assess
    expect(out).toBe(
      `${JSON.stringify({ evaluations: INPUT.evaluations, findings: INPUT.findings }, null, 2)}\n`,
    );
    expect(JSON.parse(out)).toEqual({ evaluations: INPUT.evaluations, findings: INPUT.findings });
  });

  it('is deterministic: the same input prints the same bytes', () => {
    // Assess
    expect(renderReport('html', INPUT, OPTIONS)).toBe(renderReport('html', structuredClone(INPUT), OPTIONS));
    expect(renderReport('ocsf', INPUT)).toBe(renderReport('ocsf', structuredClone(INPUT)));
  });
});
