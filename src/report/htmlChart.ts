/**
 * The report's pictures, as inline SVG (no script, no network): outcomes over time as stacked
 * bars, and a severity bar per principal or node. Colours come from CSS classes chosen from a
 * fixed table, never from data.
 */
import { OUTCOME_PRECEDENCE, type Outcome, ratingOf } from '../domain/outcome.ts';
import { epochMs, type FindingView, SEVERITY_ORDER, severityRank } from './findingView.ts';
import { htmlAttr } from './htmlEscape.ts';

/** Colour classes per family: failed-high, failed-medium, warning, passed, not available. */
const FAMILIES = {
  fh: 6,
  fm: 3,
  w: 2,
  p: 1,
  n: 3,
} as const;
type Family = keyof typeof FAMILIES;

const familyOf = (outcome: Outcome): Family => {
  const { compliance, severity } = ratingOf(outcome);
  if (compliance === 'PASSED') return 'p';
  if (compliance === 'WARNING') return 'w';
  if (compliance === 'NOT_AVAILABLE') return 'n';
  return severity === 'HIGH' || severity === 'CRITICAL' ? 'fh' : 'fm';
};

const isOutcome = (value: string): value is Outcome =>
  (OUTCOME_PRECEDENCE as readonly string[]).includes(value);

/** The CSS class of an outcome's colour; an outcome this build does not know is `k-x`. */
export const outcomeClass = (outcome: string): string => {
  if (!isOutcome(outcome)) return 'k-x';
  const family = familyOf(outcome);
  const index = OUTCOME_PRECEDENCE.filter((o) => familyOf(o) === family).indexOf(outcome);
  return `k-${family}${index % FAMILIES[family]}`;
};

/** Most severe first, then in the contract's precedence; unknown outcomes last, by name. */
export const outcomeOrder = (a: string, b: string): number => {
  const rank = (o: string): [number, number] =>
    isOutcome(o) ? [severityRank(ratingOf(o).severity), OUTCOME_PRECEDENCE.indexOf(o)] : [99, 99];
  const [sa, pa] = rank(a);
  const [sb, pb] = rank(b);
  return sa - sb || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
];
const MAX_BARS = 48;

const W = 960;
const H = 260;
const PAD = { left: 44, right: 12, top: 12, bottom: 40 } as const;

const iso = (ms: number): string => new Date(ms).toISOString();
const tickLabel = (ms: number, step: number, withDate: boolean): string =>
  step >= DAY
    ? iso(ms).slice(0, 10)
    : withDate
      ? `${iso(ms).slice(5, 10)} ${iso(ms).slice(11, 16)}`
      : iso(ms).slice(11, 16);
const rangeText = (start: number, step: number): string =>
  `${iso(start).slice(0, 16).replace('T', ' ')} – ${iso(start + step)
    .slice(step >= DAY ? 0 : 11, 16)
    .replace('T', ' ')} UTC`;

/** A 1-2-5 step so the y axis has at most five ticks. */
const niceStep = (max: number): number => {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const base of [1, 2, 5]) if (max / (base * magnitude) <= 5) return base * magnitude;
  }
};

interface Bucket {
  readonly start: number;
  readonly counts: Map<string, number>;
}

const bucketsOf = (
  points: readonly { ms: number; outcome: string }[],
): { step: number; buckets: Bucket[] } => {
  const times = points.map((p) => p.ms);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const step = STEPS.find((s) => Math.floor(max / s) - Math.floor(min / s) + 1 <= MAX_BARS) ?? 30 * DAY;
  const first = Math.floor(min / step) * step;
  const count = Math.floor((max - first) / step) + 1;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * step,
    counts: new Map(),
  }));
  for (const { ms, outcome } of points) {
    const bucket = buckets[Math.floor((ms - first) / step)];
    bucket?.counts.set(outcome, (bucket.counts.get(outcome) ?? 0) + 1);
  }
  return { step, buckets };
};

export interface OutcomeChart {
  readonly svg: string;
  readonly legend: string;
}

/** Stacked bars of findings per time bucket (each finding at its last observation), by outcome. */
export const outcomeChart = (views: readonly FindingView[]): OutcomeChart => {
  const points = views.flatMap((v) => {
    const ms = epochMs(v.lastObservedAt);
    return ms === undefined ? [] : [{ ms, outcome: v.fields.outcome || 'UNKNOWN' }];
  });
  const open = `<svg id="outcome-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title">`;
  if (points.length === 0) {
    return {
      svg: `${open}<title id="chart-title">No findings to chart</title><text x="${W / 2}" y="${H / 2}" class="empty" text-anchor="middle">No findings with a time</text></svg>`,
      legend: '',
    };
  }
  const { step, buckets } = bucketsOf(points);
  const maxCount = Math.max(...buckets.map((b) => [...b.counts.values()].reduce((sum, n) => sum + n, 0)));
  const yStep = niceStep(maxCount);
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / buckets.length;
  const barW = Math.min(48, Math.max(2, slot * 0.78));
  const y = (value: number): number => PAD.top + plotH - (value / yMax) * plotH;
  const parts: string[] = [];
  for (let tick = 0; tick <= yMax; tick += yStep) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(tick)}" y2="${y(tick)}"/>`,
      `<text class="axis" x="${PAD.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
    );
  }
  const every = Math.ceil(buckets.length / 6);
  let lastDate = '';
  buckets.forEach((bucket, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let stacked = 0;
    for (const [outcome, count] of [...bucket.counts].sort(([a], [b]) => outcomeOrder(a, b))) {
      const top = y(stacked + count);
      parts.push(
        `<rect class="bar ${outcomeClass(outcome)}" data-count="${count}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(stacked) - top).toFixed(1)}"><title>${htmlAttr(`${rangeText(bucket.start, step)} · ${outcome}: ${count}`)}</title></rect>`,
      );
      stacked += count;
    }
    if (i % every === 0) {
      const date = iso(bucket.start).slice(0, 10);
      parts.push(
        `<text class="axis" x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${tickLabel(bucket.start, step, date !== lastDate)}</text>`,
      );
      lastDate = date;
    }
  });
  const totals = new Map<string, number>();
  for (const { outcome } of points) totals.set(outcome, (totals.get(outcome) ?? 0) + 1);
  const title = `Findings by outcome over time, ${points.length} in all, in bars of ${step >= DAY ? `${step / DAY} day(s)` : step >= HOUR ? `${step / HOUR} hour(s)` : `${step / MINUTE} minute(s)`}`;
  const legend = [...totals]
    .sort(([a], [b]) => outcomeOrder(a, b))
    .map(
      ([outcome, n]) =>
        `<li><span class="sw ${outcomeClass(outcome)}"></span>${htmlAttr(outcome)} <b>${n}</b></li>`,
    )
    .join('');
  return {
    svg: `${open}<title id="chart-title">${htmlAttr(title)}</title><line class="axisline" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}"/>${parts.join('')}<text class="axis" x="${W - PAD.right}" y="${H - 6}" text-anchor="end">UTC</text></svg>`,
    legend: `<ul class="legend">${legend}</ul>`,
  };
};

/** Counts per severity label, most severe first. */
export type SeverityCounts = ReadonlyMap<string, number>;

/** A small horizontal bar split by severity, `max` findings filling its width. */
export const severityBar = (counts: SeverityCounts, max: number): string => {
  const width = 160;
  let x = 0;
  const rects = [...SEVERITY_ORDER, 'OTHER']
    .map((label) => {
      const n = counts.get(label) ?? 0;
      if (n === 0) return '';
      const w = (n / Math.max(1, max)) * width;
      const rect = `<rect class="sev-${label.toLowerCase()}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="12"><title>${n} ${label.toLowerCase()}</title></rect>`;
      x += w;
      return rect;
    })
    .join('');
  return `<svg class="sevbar" viewBox="0 0 ${width} 12" width="${width}" height="12" aria-hidden="true">${rects}</svg>`;
};
