/** The human-readable replay table (demo and `replay --format table`). */
import type { ReplayResult } from './replay.ts';

interface Row {
  readonly event: string;
  readonly check: string;
  readonly principal: string;
  readonly node: string;
  readonly outcome: string;
  readonly expected: string;
  readonly severity: string;
}

const COLUMNS: readonly (keyof Row)[] = [
  'event',
  'check',
  'principal',
  'node',
  'outcome',
  'expected',
  'severity',
];
const MAX_WIDTH: Readonly<Record<keyof Row, number>> = {
  event: 44,
  check: 14,
  principal: 34,
  node: 21,
  outcome: 22,
  expected: 34,
  severity: 13,
};

const shortPrincipal = (arn: string): string => arn.replace(/^arn:[^:]*:(iam|sts)::\d{12}:/, '');
const clip = (text: string, width: number): string =>
  (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

const expectedText = (user: string, source: string): string =>
  user === ''
    ? `(${source || 'none'})`
    : source === ''
      ? JSON.stringify(user)
      : `${JSON.stringify(user)} (${source})`;

/** One Region's posture result: the outcome, or what was done when nothing was decided. */
const postureRow = (
  base: Pick<Row, 'event' | 'check'>,
  subject: string,
  posture: Record<string, unknown>,
): Row => {
  const sessions = (posture.sessions ?? {}) as { stale?: unknown[]; terminated?: unknown[] };
  const stale = (sessions.stale?.length ?? 0) + (sessions.terminated?.length ?? 0);
  const action = str(posture.action);
  return {
    ...base,
    principal: subject,
    node: str(posture.region),
    outcome: action === 'written' || action === 'resolved' ? str(posture.outcome) : action,
    expected: `${expectedText(str(posture.expectedUser), '')}${stale > 0 ? `; ${stale} open session(s) stale` : ''}`,
    severity: action === 'written' || action === 'resolved' ? str(posture.severity) : '',
  };
};

const rowsOf = (result: ReplayResult): Row[] =>
  result.evaluations.flatMap((evaluation) => {
    if (evaluation.runs.length === 0) {
      return [
        {
          event: evaluation.event,
          check: '-',
          principal: '',
          node: '',
          outcome: 'no rule matched',
          expected: '',
          severity: '',
        },
      ];
    }
    return evaluation.runs.flatMap((run): Row[] => {
      if (run.error !== undefined) {
        return [
          {
            event: evaluation.event,
            check: run.logicalId,
            principal: '',
            node: '',
            outcome: `ERROR ${run.error.errorType}`,
            expected: run.error.errorMessage,
            severity: '',
          },
        ];
      }
      const r = (typeof run.result === 'object' && run.result !== null ? run.result : {}) as Record<
        string,
        unknown
      >;
      const base = { event: evaluation.event, check: str(r.check) || run.logicalId };
      if (typeof r.skipped === 'string') {
        return [{ ...base, principal: '', node: '', outcome: 'skipped', expected: r.skipped, severity: '' }];
      }
      // A principal change is evaluated once per audited Region; a document change in its own.
      const postures = Array.isArray(r.regions) ? (r.regions as Record<string, unknown>[]) : [];
      if (r.check === 'principal' || r.check === 'preferences') {
        const subject =
          r.check === 'principal' ? shortPrincipal(str(r.principal)) : `document ${str(r.document)}`;
        return (r.check === 'principal' ? postures : [r]).map((posture) =>
          postureRow(base, subject, posture),
        );
      }
      return [
        {
          ...base,
          principal: shortPrincipal(str(r.principal)),
          node: str(r.target),
          outcome: str(r.outcome),
          expected: expectedText(str(r.expectedUser), str(r.expectedUserSource)),
          severity: str(r.severity),
        },
      ];
    });
  });

export const formatTable = (result: ReplayResult): string => {
  const rows = rowsOf(result);
  const widths = Object.fromEntries(
    COLUMNS.map((c) => [c, Math.min(MAX_WIDTH[c], Math.max(c.length, ...rows.map((row) => row[c].length)))]),
  ) as Record<keyof Row, number>;
  const line = (row: Record<keyof Row, string>): string =>
    COLUMNS.map((c) => clip(row[c], widths[c]))
      .join('  ')
      .trimEnd();
  const header = line(
    Object.fromEntries(COLUMNS.map((c) => [c, c.toUpperCase()])) as Record<keyof Row, string>,
  );
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  const active = result.findings.filter((f) => f.RecordState === 'ACTIVE');
  const failedFindings = active.filter((f) => f.Compliance?.Status === 'FAILED').length;
  const summary =
    `${result.evaluations.length} events, ${rows.length} evaluations: ` +
    [...counts.entries()].map(([outcome, n]) => `${n} ${outcome}`).join(', ') +
    `; Security Hub holds ${active.length} active findings (${failedFindings} FAILED).`;
  return `${[header, ...rows.map(line)].join('\n')}\n\n${summary}\n`;
};
