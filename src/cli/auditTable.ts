/**
 * `audit --format table`: at most 120 columns. What was read, the outcomes counted, then one row
 * per session whose outcome is worth a look (everything but COMPLIANT and NOT_APPLICABLE) in time
 * order, the posture rows, the failures, and a legend of the outcome codes that appear.
 */
import type { HistoryEvaluation } from '../app/auditHistory.ts';
import type { PostureEvaluation } from '../app/auditPosture.ts';
import { clip, OUTCOMES, shortPrincipal, TABLE_WIDTH, userText, wrap } from '../local/tools/report.ts';
import type { AuditResult } from './auditRun.ts';

const INDENT = '  ';
const QUIET = new Set(['COMPLIANT', 'NOT_APPLICABLE']);

type Json = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
const minute = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const expected = (user: string, source: string): string =>
  user === '' ? `(${source || 'none'})` : source === '' ? userText(user) : `${userText(user)} (${source})`;

const isSession = (e: HistoryEvaluation | PostureEvaluation): boolean =>
  e.runs.some((run) => run.logicalId === 'AuditSessionFunction');

const sessionResults = (result: AuditResult): Json[] =>
  result.evaluations
    .filter(isSession)
    .flatMap((e) => e.runs.flatMap((run) => (run.result ? [obj(run.result)] : [])));

const failures = (result: AuditResult): string[] =>
  result.evaluations.flatMap((e) =>
    e.runs.flatMap((run) =>
      run.error ? [`${e.event}: ${run.error.errorType}: ${run.error.errorMessage}`] : [],
    ),
  );

const counted = (outcomes: readonly string[]): string => {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none';
};

/** The lines the demo prints too: what was read and what came out. */
export const auditSummaryLines = (result: AuditResult): string[] => {
  const sessions = sessionResults(result);
  const status = (s: string): number =>
    result.findings.filter((f) => f.RecordState === 'ACTIVE' && f.Compliance.Status === s).length;
  const where = result.regions.length === 0 ? 'every Region' : result.regions.join(', ');
  const failed = failures(result).length;
  return [
    `Audit of ${plural(result.records, 'StartSession record')} (${result.source}, ${where}), ` +
      `${result.window.from} to ${result.window.to}${result.duplicates > 0 ? `; ${result.duplicates} duplicate(s) skipped` : ''}`,
    `Sessions: ${counted(sessions.map((s) => str(s.outcome)))}${failed > 0 ? `; ${failed} could not be audited` : ''}`,
    `Findings: ${result.findings.length} (${status('FAILED')} FAILED, ${status('WARNING')} WARNING, ` +
      `${status('NOT_AVAILABLE')} NOT_AVAILABLE, ${status('PASSED')} PASSED)` +
      (result.imported === undefined
        ? '; nothing imported (--import imports them)'
        : `; ${result.imported.findings} imported in ${plural(result.imported.calls.length, 'call')}` +
          (result.imported.failed.length > 0 ? `, ${result.imported.failed.length} refused` : '')),
  ].flatMap((line) => wrap(line, TABLE_WIDTH));
};

interface Row {
  readonly cells: readonly string[];
  readonly outcome: string;
}

const COLUMNS = [
  { title: 'TIME', max: 16 },
  { title: 'REGION', max: 14 },
  { title: 'PRINCIPAL / DOCUMENT', max: 22 },
  { title: 'NODE / ACTION', max: 20 },
  { title: 'OUTCOME', max: 24 },
  { title: 'EXPECTED USER', max: 30 },
] as const;

const sessionRows = (result: AuditResult): Row[] =>
  sessionResults(result)
    .filter((s) => !QUIET.has(str(s.outcome)))
    .sort((a, b) => str(a.eventTime).localeCompare(str(b.eventTime)))
    .map((s) => ({
      outcome: str(s.outcome),
      cells: [
        minute(str(s.eventTime)),
        str(s.region),
        shortPrincipal(str(s.principal)),
        str(s.target),
        str(s.outcome),
        expected(str(s.expectedUser), str(s.expectedUserSource)),
      ],
    }));

const postureRows = (result: AuditResult): Row[] =>
  result.evaluations
    .filter((e) => !isSession(e))
    .flatMap((e) => e.runs.flatMap((run) => (run.result ? [{ e, r: obj(run.result) }] : [])))
    .flatMap(({ e, r }) => {
      const regional = r.check === 'principal' ? (Array.isArray(r.regions) ? r.regions.map(obj) : []) : [r];
      const subject = r.check === 'principal' ? shortPrincipal(str(r.principal)) : str(r.document);
      return regional.map((p) => ({
        outcome: str(p.outcome),
        cells: [
          minute(e.eventTime),
          str(p.region),
          subject,
          str(p.action),
          str(p.outcome) || '-',
          expected(str(p.expectedUser), ''),
        ],
      }));
    });

const tableOf = (rows: readonly Row[]): string[] => {
  const widths = COLUMNS.map(({ title, max }, i) =>
    Math.min(max, Math.max(title.length, ...rows.map((row) => (row.cells[i] ?? '').length))),
  );
  const line = (cells: readonly string[]): string =>
    clip(
      INDENT +
        cells
          .map((cell, i) => clip(cell, widths[i] ?? 0).padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      TABLE_WIDTH,
    );
  return [line(COLUMNS.map((c) => c.title)), ...rows.map((row) => line(row.cells))];
};

export const formatAuditTable = (result: AuditResult): string => {
  const sessions = sessionRows(result);
  const posture = postureRows(result);
  const quiet = sessionResults(result).length - sessions.length;
  const problems = failures(result);
  const outcomes = new Set([...sessions, ...posture].map((row) => row.outcome));
  const codes = Object.keys(OUTCOMES).filter((code) => outcomes.has(code));
  const width = Math.max(0, ...codes.map((code) => code.length));
  const lines = [
    ...auditSummaryLines(result),
    ...result.notes.flatMap((note) => wrap(`Note: ${note}`, TABLE_WIDTH)),
    '',
    sessions.length === 0
      ? 'No session to look at: every session audited was COMPLIANT or NOT_APPLICABLE.'
      : `Sessions to look at (${sessions.length}; ${quiet} COMPLIANT or NOT_APPLICABLE not listed, --format html lists all):`,
    ...(sessions.length === 0 ? [] : tableOf(sessions)),
    ...(posture.length === 0
      ? []
      : ['', `Posture as of ${result.clock} (one row per subject and Region):`, ...tableOf(posture)]),
    ...(problems.length === 0
      ? []
      : [
          '',
          `Could not be audited (${problems.length}):`,
          ...problems.map((p) => clip(`${INDENT}${p}`, TABLE_WIDTH)),
        ]),
    ...(codes.length === 0
      ? []
      : [
          '',
          'Outcomes:',
          ...codes.map((code) => clip(`${INDENT}${code.padEnd(width)}  ${OUTCOMES[code]}`, TABLE_WIDTH)),
        ]),
  ];
  return `${lines.join('\n')}\n`;
};
