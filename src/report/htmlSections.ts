/** The parts of the HTML report made from data: summary tiles, rankings, finding cards, filters. */
import { type FindingView, SEVERITY_ORDER, severityRank } from './findingView.ts';
import { outcomeClass, outcomeOrder, type SeverityCounts, severityBar } from './htmlChart.ts';
import { htmlAttr, htmlText, safeHttpsUrl } from './htmlEscape.ts';
import type { ReportEvaluation } from './reportInput.ts';

const TOP = 10;

export const isArchived = (view: FindingView): boolean => view.recordState === 'ARCHIVED';

const severityClass = (label: string): string =>
  (SEVERITY_ORDER as readonly string[]).includes(label) ? `sev-${label.toLowerCase()}` : 'sev-other';

/** "user/alice" for an IAM or STS ARN of this partition's form; anything else as it is. */
export const shortPrincipal = (arn: string): string => arn.replace(/^arn:[^:]+:(?:iam|sts)::\d{12}:/, '');

export const when = (iso: string): string =>
  iso.length >= 16 ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : iso;

const tile = (key: string, label: string, count: number): string =>
  `<div class="tile t-${key}"><span class="n" id="count-${key}">${count}</span><span class="l">${label}</span></div>`;

/** The tiles after Active, each with the active findings it counts. */
const COUNTED_TILES: readonly (readonly [key: string, label: string, counts: (v: FindingView) => boolean])[] =
  [
    ['failed', 'Failed', (v) => v.compliance === 'FAILED'],
    ['warning', 'Warning', (v) => v.compliance === 'WARNING'],
    ['passed', 'Passed', (v) => v.compliance === 'PASSED'],
    ['na', 'Not available', (v) => v.compliance === 'NOT_AVAILABLE'],
    ['high', 'High or critical', (v) => v.severity === 'HIGH' || v.severity === 'CRITICAL'],
    ['medium', 'Medium', (v) => v.severity === 'MEDIUM'],
    ['low', 'Low', (v) => v.severity === 'LOW'],
  ];

export const summaryTiles = (views: readonly FindingView[]): string => {
  const active = views.filter((v) => !isArchived(v));
  return [
    tile('total', 'Active', active.length),
    ...COUNTED_TILES.map(([key, label, counts]) => tile(key, label, active.filter(counts).length)),
    tile('archived', 'Archived', views.length - active.length),
  ].join('');
};

/** Events, runs and failed runs of the evaluations, with each failure named. */
export const evaluationSummary = (evaluations: readonly ReportEvaluation[]): string => {
  const runs = evaluations.flatMap((e) => e.runs.map((run) => ({ event: e.event, run })));
  const failed = runs.filter(({ run }) => run.error !== undefined);
  const unmatched = evaluations.filter((e) => e.runs.length === 0).length;
  const line = `<p class="note" id="evaluations">${evaluations.length} event(s) evaluated, ${runs.length} function run(s), ${failed.length} failed, ${unmatched} matched no rule.</p>`;
  if (failed.length === 0) return line;
  const items = failed
    .map(
      ({ event, run }) =>
        `<li>${htmlText(event)} → ${htmlText(run.logicalId)}: ${htmlText(run.error?.errorType ?? '')}: ${htmlText(run.error?.errorMessage ?? '')}</li>`,
    )
    .join('');
  return `${line}<h4>Runs that failed (their events are kept for a retry)</h4><ul class="errors">${items}</ul>`;
};

const severityKey = (label: string): string =>
  (SEVERITY_ORDER as readonly string[]).includes(label) ? label : 'OTHER';

interface Ranked {
  readonly name: string;
  readonly counts: Map<string, number>;
  readonly total: number;
}

/** Names ranked by their most severe findings first (critical, then high, …), then by count. */
export const rankBySeverity = (
  views: readonly FindingView[],
  nameOf: (v: FindingView) => string,
): Ranked[] => {
  const table = new Map<string, Map<string, number>>();
  for (const view of views) {
    const name = nameOf(view);
    if (name === '') continue;
    const counts = table.get(name) ?? new Map<string, number>();
    const key = severityKey(view.severity);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    table.set(name, counts);
  }
  const vector = (counts: SeverityCounts): number[] =>
    [...SEVERITY_ORDER, 'OTHER'].map((label) => counts.get(label) ?? 0);
  return [...table]
    .map(([name, counts]) => ({ name, counts, total: [...counts.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => {
      const va = vector(a.counts);
      const vb = vector(b.counts);
      const diff = va.findIndex((n, i) => n !== vb[i]);
      if (diff !== -1) return (vb[diff] ?? 0) - (va[diff] ?? 0);
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
};

export const rankingTable = (
  ranked: readonly Ranked[],
  display: (name: string) => string,
  empty: string,
): string => {
  if (ranked.length === 0) return `<p class="note">${empty}</p>`;
  const top = ranked.slice(0, TOP);
  const max = Math.max(...top.map((r) => r.total));
  const rows = top
    .map((r) => {
      const words = [...SEVERITY_ORDER, 'OTHER']
        .filter((label) => (r.counts.get(label) ?? 0) > 0)
        .map((label) => `${r.counts.get(label)} ${label === 'INFORMATIONAL' ? 'info' : label.toLowerCase()}`)
        .join(' · ');
      return `<tr><td><button type="button" class="pick" data-q="${htmlAttr(r.name)}" title="${htmlAttr(`Show the findings of ${r.name}`)}">${htmlText(display(r.name))}</button></td><td class="bar">${severityBar(r.counts, max)}</td><td class="num">${words}</td></tr>`;
    })
    .join('');
  const more = ranked.length > TOP ? `<p class="note">and ${ranked.length - TOP} more</p>` : '';
  return `<table>${rows}</table>${more}`;
};

/** The sentences of a Description before its "Fix:", one step each. */
export const decisionSteps = (description: string): string[] => {
  const fixAt = description.lastIndexOf(' Fix: ');
  const path = fixAt === -1 ? description : description.slice(0, fixAt);
  return path
    .split(/(?<=[.!?])\s+(?=[A-Z"(])/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
};

const fact = (label: string, value: string): string =>
  value === '' ? '' : `<dt>${label}</dt><dd>${htmlText(value)}</dd>`;

const expected = (view: FindingView): string =>
  view.fields.expectedUser === ''
    ? view.fields.expectedUserSource
    : `${view.fields.expectedUser}${view.fields.expectedUserSource === '' ? '' : ` (${view.fields.expectedUserSource})`}`;

const fixOf = (view: FindingView): string => {
  const url = safeHttpsUrl(view.remediationUrl);
  const link = url === undefined ? '' : ` <a href="${htmlAttr(url)}" rel="noopener noreferrer">AWS guide</a>`;
  return view.remediation === '' ? '' : `<h4>Fix</h4><p class="fix">${htmlText(view.remediation)}${link}</p>`;
};

export const findingCard = (view: FindingView): string => {
  const f = view.fields;
  const sev = severityClass(view.severity);
  const state = isArchived(view) ? 'archived' : 'active';
  const steps = decisionSteps(view.description)
    .map((s) => `<li>${htmlText(s)}</li>`)
    .join('');
  const facts = [
    fact('Check', f.check),
    fact('Principal', f.principal),
    fact('Called as', f.callerArn === f.principal ? '' : f.callerArn),
    fact('Node', f.target),
    fact('Platform', f.platform),
    fact('Session', f.sessionId),
    fact('Document', f.document),
    fact('Expected user', expected(view)),
    fact('Ran as', f.sessionUser),
    fact('Session log user', f.observedUser),
    fact('User verified', f.userVerified),
    fact('Session tags', f.sessionTags),
    fact('Compliance', view.compliance),
    fact('Account / Region', [view.accountId, view.region].filter((s) => s !== '').join(' / ')),
    fact('Observed', view.lastObservedAt),
  ].join('');
  return `<article class="finding ${sev} ${state}" data-state="${state}" data-outcome="${htmlAttr(f.outcome)}" data-severity="${htmlAttr(view.severity)}" data-check="${htmlAttr(f.check)}"${state === 'archived' ? ' hidden' : ''}><details><summary><span class="chip">${htmlText(view.severity || '?')}</span><span class="outcome"><span class="sw ${outcomeClass(f.outcome)}"></span>${htmlText(f.outcome)}</span><span class="title">${htmlText(view.title)}</span><span class="when">${htmlText(when(view.lastObservedAt))}</span></summary><div class="body"><dl class="facts">${facts}</dl>${steps === '' ? '' : `<h4>Decision path</h4><ol class="path">${steps}</ol>`}${fixOf(view)}<p class="fid">${htmlText(view.id)}</p></div></details></article>`;
};

const options = (values: readonly string[], all: string): string =>
  `<option value="">${all}</option>${values.map((v) => `<option value="${htmlAttr(v)}">${htmlText(v)}</option>`).join('')}`;

const distinct = (values: readonly string[], order: (a: string, b: string) => number): string[] =>
  [...new Set(values.filter((v) => v !== ''))].sort(order);

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A filter over one field: every value the findings have, in order, after "All …". */
const select = (
  label: string,
  name: string,
  all: string,
  values: readonly string[],
  order: (a: string, b: string) => number,
): string =>
  `<label>${label} <select name="${name}">${options(distinct(values, order), all)}</select></label>`;

export const filterForm = (views: readonly FindingView[], shownCount: number): string =>
  `<form id="filters" class="filters" role="search">
<label>State <select name="state"><option value="active" selected>Active</option><option value="archived">Archived</option><option value="">All</option></select></label>
${select(
  'Outcome',
  'outcome',
  'All outcomes',
  views.map((v) => v.fields.outcome),
  outcomeOrder,
)}
${select(
  'Severity',
  'severity',
  'All severities',
  views.map((v) => v.severity),
  (a, b) => severityRank(a) - severityRank(b) || byName(a, b),
)}
${select(
  'Check',
  'check',
  'All checks',
  views.map((v) => v.fields.check),
  byName,
)}
<label class="grow">Search <input type="search" name="q" placeholder="principal, node, user, words of the finding" autocomplete="off"></label>
<output id="shown">Showing ${shownCount} of ${views.length}</output>
</form>`;
