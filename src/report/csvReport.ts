/**
 * `csv`: one row per finding, the finding's own columns then every `RunAs/…` product field
 * (known fields first, in a fixed order, then any other key found, sorted). RFC 4180: CRLF
 * line ends, a field with a quote, comma or line break is quoted with quotes doubled. Values
 * come from tags and documents, so a value a spreadsheet would run as a formula is neutralised.
 */
import { type FindingView, findingView } from './findingView.ts';
import { RUN_AS_FIELD_KEYS } from './productFields.ts';
import type { ReportInput } from './reportInput.ts';

const BASE_COLUMNS: readonly (readonly [string, (finding: FindingView) => string])[] = [
  ['Id', (f) => f.id],
  ['AwsAccountId', (f) => f.accountId],
  ['Region', (f) => f.region],
  ['GeneratorId', (f) => f.generatorId],
  ['Severity', (f) => f.severity],
  ['ComplianceStatus', (f) => f.compliance],
  ['RecordState', (f) => f.recordState],
  ['CreatedAt', (f) => f.createdAt],
  ['UpdatedAt', (f) => f.updatedAt],
  ['Title', (f) => f.title],
  ['Description', (f) => f.description],
  ['Remediation', (f) => f.remediation],
];

/** Characters that make Excel, LibreOffice and Google Sheets read a cell as a formula (with their full-width forms). */
const FORMULA_START = /^[=+\-@\uff1d\uff0b\uff0d\uff20]/;
/** What a spreadsheet may skip before looking at the first character: spaces and invisible format characters. */
const SKIPPED_LEAD = /^[\s\p{Cf}]+/u;

/**
 * A value that would start a formula gets a leading apostrophe (shown as text, the OWASP CSV
 * injection advice): one starting with = + - @, tab or CR, also after leading blanks or
 * zero-width characters.
 */
export const neutraliseFormula = (value: string): string => {
  if (value.startsWith('\t') || value.startsWith('\r')) return `'${value}`;
  return FORMULA_START.test(value.replace(SKIPPED_LEAD, '')) ? `'${value}` : value;
};

/** RFC 4180 field: quoted when it holds a quote, comma, CR or LF (or starts or ends with a space). */
export const csvField = (value: string): string => {
  const safe = neutraliseFormula(value);
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

const productColumns = (views: readonly FindingView[]): string[] => {
  const known = new Set(RUN_AS_FIELD_KEYS);
  const extra = new Set<string>();
  for (const view of views) {
    for (const key of Object.keys(view.productFields)) if (!known.has(key)) extra.add(key);
  }
  return [...RUN_AS_FIELD_KEYS, ...[...extra].sort()];
};

export const csvReport = (input: ReportInput): string => {
  const views = input.findings.map(findingView);
  const keys = productColumns(views);
  const header = [...BASE_COLUMNS.map(([name]) => name), ...keys];
  const rows = views.map((view) => [
    ...BASE_COLUMNS.map(([, read]) => read(view)),
    ...keys.map((key) => (Object.hasOwn(view.productFields, key) ? (view.productFields[key] ?? '') : '')),
  ]);
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
};
