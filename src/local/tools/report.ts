/**
 * The human-readable replay table (demo and `replay --format table`): at most 120 columns, a
 * header line saying what a row is, each event's name above its rows, a summary, and a legend
 * of the outcome codes and row kinds that appear.
 */
import type { FunctionRun, ReplayEvaluation, ReplayResult } from './replay.ts';

export const TABLE_WIDTH = 120;

interface Row {
  readonly check: string;
  readonly subject: string;
  readonly node: string;
  readonly outcome: string;
  readonly finding: string;
  readonly expected: string;
  readonly severity: string;
}

type Column = Exclude<keyof Row, 'severity'>;

const COLUMNS: readonly { readonly key: Column; readonly title: string; readonly max: number }[] = [
  { key: 'check', title: 'CHECK', max: 14 },
  { key: 'subject', title: 'PRINCIPAL / DOCUMENT', max: 20 },
  { key: 'node', title: 'NODE / REGION', max: 20 },
  { key: 'outcome', title: 'OUTCOME', max: 24 },
  { key: 'finding', title: 'FINDING', max: 11 },
  { key: 'expected', title: 'EXPECTED USER', max: 40 },
];
const INDENT = '  ';
const GAP = '  ';

/** What each outcome code means, in a line (the codes are stable; users filter on them). */
export const OUTCOMES: Readonly<Record<string, string>> = {
  NOT_APPLICABLE: 'no shell user to judge (failed call, port forwarding, Windows node, non-node target)',
  SSH_TUNNEL: 'port session to port 22: Run As is bypassed, the SSH login decides the user',
  UNVERIFIED: 'a fact the decision needs cannot be read or known',
  INVALID_PREFERENCES: 'the session document fails the agent’s validation',
  RAN_AS_ROOT: 'command document with runAsElevated: the session ran as root',
  RAN_AS_SSM_USER: 'Run As off, or the user resolves to ssm-user (passwordless sudo)',
  NO_RUN_AS_USER: 'Run As on, no tag and no default: the session was refused',
  INVALID_RUN_AS_USER: 'the resolved value is not a safe user name',
  DISALLOWED_RUN_AS_USER: 'the resolved user is denied (deny list, uid 0, gid 0)',
  MISSING_RUN_AS_USER: 'the user does not exist on the node: the session was refused',
  SHELL_PROFILE_ESCALATION: 'the shell profile switches user (sudo, su, …)',
  RAN_AS_UNEXPECTED_USER: 'the session log records another user than expected',
  COMPLIANT: 'ran (or would run) as the resolved user',
};

/** The row kinds of the FINDING column. */
const FINDINGS: Readonly<Record<string, string>> = {
  written: 'imported into Security Hub',
  resolved: 're-imported as PASSED (the mapping was fixed)',
  archived: 'the subject is gone: finding ARCHIVED',
  'not-written': 'no finding (compliant, or an outcome not reported)',
  skipped: 'out of scope for the function',
  stored: 'an STS record kept in the state table (its session tags)',
  recorded: 'an SSMSessionRunAs change kept in the state table with its time',
};

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
/** `user/engineering/erin` → `user/…/erin`: the kind and the name; the path is in the finding. */
export const shortPrincipal = (arn: string): string => {
  const resource = arn.replace(/^arn:[^:]*:(iam|sts)::\d{12}:/, '');
  const parts = resource.split('/');
  return parts.length > 2 && parts[0] !== 'assumed-role' ? `${parts[0]}/…/${parts.at(-1)}` : resource;
};
export const clip = (raw: string, width: number): string => {
  const text = printable(raw);
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
};
/** Breaks text at spaces into lines of at most `width` characters. */
export const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${INDENT}${word}`;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
};
/**
 * Values come from events, tags and documents: control and format characters (bidi overrides,
 * zero-width) would rewrite the terminal's line, so they are shown as escapes.
 */
const printable = (text: string): string =>
  text.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );

/** A user name as the table shows it: bare when it is a safe name, quoted and escaped otherwise. */
export const userText = (user: string): string =>
  /^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$/.test(user) && user.length <= 64 ? user : JSON.stringify(user);
const expectedText = (user: string, source: string): string =>
  user === '' ? `(${source || 'none'})` : source === '' ? userText(user) : `${userText(user)} (${source})`;
const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One Region's posture result: the outcome, and what was done with its finding. */
const postureRow = (check: string, subject: string, posture: Record<string, unknown>): Row => {
  const sessions = (posture.sessions ?? {}) as { stale?: unknown[]; terminated?: unknown[] };
  const stale = (sessions.stale?.length ?? 0) + (sessions.terminated?.length ?? 0);
  return {
    check,
    subject,
    node: str(posture.region),
    outcome: str(posture.outcome) || '-',
    finding: str(posture.action),
    expected: `${expectedText(str(posture.expectedUser), '')}${stale > 0 ? `; ${stale} open session(s) stale` : ''}`,
    severity: str(posture.severity),
  };
};

/** A session log reading: what the log recorded, against the user the audit expected. */
const sessionLogRow = (r: Record<string, unknown>): Row => {
  const observed = str(r.observedUser);
  const verdict = str(r.verdict);
  const said =
    verdict === 'unexpected-user' ? `${userText(observed)}, not ${userText(str(r.expectedUser))}` : observed;
  return {
    check: 'session-log',
    subject: shortPrincipal(str(r.principal)),
    node: str(r.target),
    outcome: str(r.outcome),
    finding: typeof r.findingId === 'string' ? 'written' : 'not-written',
    expected: said === '' ? `(${verdict})` : `${said} (${verdict})`,
    severity: str(r.severity),
  };
};

type Line = { readonly row: Row } | { readonly text: string };

const linesOfRun = (run: FunctionRun): Line[] => {
  if (run.error !== undefined)
    return [{ text: `ERROR in ${run.logicalId}: ${run.error.errorType}: ${run.error.errorMessage}` }];
  const r = (typeof run.result === 'object' && run.result !== null ? run.result : {}) as Record<
    string,
    unknown
  >;
  const check = str(r.check) || run.logicalId;
  if (typeof r.skipped === 'string') return [{ text: `${check}: skipped: ${r.skipped}` }];
  if (r.check === 'principal') {
    const postures = Array.isArray(r.regions) ? (r.regions as Record<string, unknown>[]) : [];
    return postures.map((posture) => ({
      row: postureRow('principal', shortPrincipal(str(r.principal)), posture),
    }));
  }
  if (r.check === 'preferences') return [{ row: postureRow('preferences', str(r.document), r) }];
  if (r.check === 'session-log') return [{ row: sessionLogRow(r) }];
  if (r.check === 'identity') return identityLines(r);
  if (r.check === 'tag-history') {
    const value = r.value;
    const row = { ...NO_VERDICT, check: 'tag-history', subject: shortPrincipal(str(r.principal)) };
    return [
      {
        row: {
          ...row,
          finding: str(r.recorded),
          expected: typeof value === 'string' ? `${userText(value)} from ${str(r.eventTime)}` : '(removed)',
        },
      },
    ];
  }
  return [{ row: sessionRow(check, r) }];
};

const NO_VERDICT = { node: '', outcome: '-', finding: '', expected: '', severity: '' };

const sessionRow = (check: string, r: Record<string, unknown>): Row => ({
  check,
  subject: shortPrincipal(str(r.principal)),
  node: str(r.target),
  outcome: str(r.outcome),
  finding: typeof r.findingId === 'string' ? 'written' : r.findingId === null ? 'not-written' : '',
  expected:
    expectedText(str(r.expectedUser), str(r.expectedUserSource)) +
    (r.sessionTagsPending === true ? '; tags not known yet' : ''),
  severity: str(r.severity),
});

/** An STS record kept (where it was recorded, its tag keys), then each session it audited again. */
const identityLines = (r: Record<string, unknown>): Line[] => {
  const reaudited = Array.isArray(r.reaudited) ? (r.reaudited as Record<string, unknown>[]) : [];
  const runAs = r.runAsSessionTag;
  return [
    {
      row: {
        ...NO_VERDICT,
        check: 'identity',
        subject: shortPrincipal(str(r.issuer)),
        node: str(r.recordedIn),
        finding: 'stored',
        expected: typeof runAs === 'string' ? expectedText(runAs, 'session-tag') : '(no Run As session tag)',
      },
    },
    ...reaudited.map((session) => ({ row: sessionRow('re-audit', session) })),
  ];
};

const linesOf = (evaluation: ReplayEvaluation): Line[] => {
  if (evaluation.rejected !== undefined) return [{ text: `rejected: ${evaluation.rejected}` }];
  if (evaluation.runs.length === 0) return [{ text: 'no rule of the template matches this event' }];
  return evaluation.runs.flatMap(linesOfRun);
};

const legend = (rows: readonly Row[]): string[] => {
  const severities = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!Object.hasOwn(OUTCOMES, row.outcome)) continue;
    const set = severities.get(row.outcome) ?? new Set<string>();
    if (row.severity !== '') set.add(row.severity);
    severities.set(row.outcome, set);
  }
  const codes = Object.keys(OUTCOMES).filter((code) => severities.has(code));
  const kinds = Object.keys(FINDINGS).filter((kind) => rows.some((row) => row.finding === kind));
  const width = Math.max(...codes.map((code) => code.length), ...kinds.map((kind) => kind.length));
  return [
    'Outcomes (severity of the finding):',
    ...codes.map((code) => {
      const severity = [...(severities.get(code) ?? [])].join('/') || '-';
      return clip(`${INDENT}${code.padEnd(width)}  ${severity.padEnd(13)}  ${OUTCOMES[code]}`, TABLE_WIDTH);
    }),
    'FINDING column:',
    ...kinds.map((kind) => `${INDENT}${kind.padEnd(width)}  ${FINDINGS[kind]}`),
  ];
};

export const formatTable = (result: ReplayResult): string => {
  const groups = result.evaluations.map((evaluation) => ({
    name: evaluation.event,
    lines: linesOf(evaluation),
  }));
  const rows = groups.flatMap((group) => group.lines.flatMap((line) => ('row' in line ? [line.row] : [])));
  const widths = COLUMNS.map(({ key, title, max }) =>
    Math.min(max, Math.max(title.length, ...rows.map((row) => row[key].length))),
  );
  const format = (cells: readonly string[]): string =>
    clip(
      INDENT +
        cells
          .map((cell, i) => clip(cell, widths[i] ?? 0).padEnd(widths[i] ?? 0))
          .join(GAP)
          .trimEnd(),
      TABLE_WIDTH,
    );
  const body = groups.flatMap((group) => [
    clip(group.name, TABLE_WIDTH),
    ...group.lines.map((line) =>
      'row' in line
        ? format(COLUMNS.map(({ key }) => line.row[key]))
        : clip(`${INDENT}${line.text}`, TABLE_WIDTH),
    ),
  ]);
  const counts = new Map<string, number>();
  for (const row of rows)
    if (row.outcome !== '-') counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  const active = result.findings.filter((f) => f.RecordState === 'ACTIVE');
  const failedFindings = active.filter((f) => f.Compliance?.Status === 'FAILED').length;
  const problems = result.evaluations.filter(
    (e) => e.rejected !== undefined || e.runs.some((run) => run.error !== undefined),
  ).length;
  const summary = [
    `${count(result.evaluations.length, 'event')}, ${count(rows.length, 'evaluation')}: ` +
      ([...counts.entries()].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none') +
      (problems > 0 ? `; ${count(problems, 'event')} failed or rejected` : ''),
    `Security Hub holds ${count(active.length, 'active finding')} (${failedFindings} FAILED).`,
  ];
  return `${[
    clip(
      'Each row is one evaluation: a function’s verdict on the event named above it (a principal change: one per Region).',
      TABLE_WIDTH,
    ),
    format(COLUMNS.map(({ title }) => title)),
    ...body,
    '',
    ...summary.flatMap((line) => wrap(line, TABLE_WIDTH)),
    '',
    ...legend(rows),
  ].join('\n')}\n`;
};
