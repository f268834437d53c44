/**
 * `html`: one self-contained page (no network: inline CSS, script and SVG) of the findings:
 * summary counts, outcomes over time, the principals and nodes with the most severe findings,
 * and every finding with its decision path and fix, filterable. Every value from a finding is
 * escaped; the script and style sheet are constants allowed by hash in a strict CSP.
 */
import { createHash } from 'node:crypto';
import { epochMs, findingView, severityRank } from './findingView.ts';
import { REPORT_CSS, REPORT_JS } from './htmlAssets.ts';
import { outcomeChart } from './htmlChart.ts';
import { htmlText } from './htmlEscape.ts';
import {
  evaluationSummary,
  filterForm,
  findingCard,
  isArchived,
  rankBySeverity,
  rankingTable,
  shortPrincipal,
  summaryTiles,
  when,
} from './htmlSections.ts';
import type { ReportInput, ReportOptions } from './reportInput.ts';

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing may load or run but the page's own style sheet and script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(REPORT_JS)}`,
  `style-src ${sha256(REPORT_CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const distinctJoined = (values: readonly string[]): string =>
  [...new Set(values.filter((v) => v !== ''))].sort().join(', ') || 'none';

export const htmlReport = (input: ReportInput, options: ReportOptions = {}): string => {
  const views = input.findings
    .map(findingView)
    .sort(
      (a, b) =>
        Number(isArchived(a)) - Number(isArchived(b)) ||
        severityRank(a.severity) - severityRank(b.severity) ||
        (epochMs(b.lastObservedAt) ?? 0) - (epochMs(a.lastObservedAt) ?? 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const active = views.filter((v) => !isArchived(v));
  const times = views.flatMap((v) => {
    const ms = epochMs(v.lastObservedAt);
    return ms === undefined ? [] : [ms];
  });
  const span =
    times.length === 0
      ? 'no times'
      : `${when(new Date(Math.min(...times)).toISOString())} to ${when(new Date(Math.max(...times)).toISOString())}`;
  const chart = outcomeChart(views);
  const meta = [
    `${views.length} finding(s)`,
    `account(s) ${distinctJoined(views.map((v) => v.accountId))}`,
    `Region(s) ${distinctJoined(views.map((v) => v.region))}`,
    span,
    ...(options.generatedAt === undefined ? [] : [`generated ${options.generatedAt}`]),
  ].join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session Manager Run As audit</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Session Manager Run As audit</h1>
<p class="meta">${htmlText(meta)}</p>
</header>
<main>
<section class="tiles" aria-label="Summary">${summaryTiles(views)}</section>
<section aria-labelledby="h-chart">
<h2 id="h-chart">Outcomes over time</h2>
${chart.svg}
${chart.legend}
${evaluationSummary(input.evaluations)}
</section>
<div class="cols">
<section aria-labelledby="h-principals"><h2 id="h-principals">Principals by severity</h2>${rankingTable(
    rankBySeverity(active, (v) => v.fields.principal),
    shortPrincipal,
    'No active finding names a principal.',
  )}</section>
<section aria-labelledby="h-nodes"><h2 id="h-nodes">Nodes by severity</h2>${rankingTable(
    rankBySeverity(active, (v) => v.fields.target),
    (name) => name,
    'No active finding names a node.',
  )}</section>
</div>
<section id="findings-section" aria-labelledby="h-findings">
<h2 id="h-findings">Findings</h2>
${filterForm(views, active.length)}
<div id="findings">
${views.map(findingCard).join('\n')}
</div>
<p id="no-match" class="note"${active.length === 0 ? '' : ' hidden'}>No finding matches these filters.</p>
</section>
</main>
<footer>ssm-runas-auditor · times in UTC · the Security Hub findings are the record; this page is a view of them.</footer>
<script>${REPORT_JS}</script>
</body>
</html>
`;
};
