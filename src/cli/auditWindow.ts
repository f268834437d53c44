/** `--since` and `--until`: a duration back from the audit's clock (7d, 24h, 90m) or an ISO time. */
import { UsageError } from '../local/tools/inputError.ts';

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = { d: DAY_MS, h: 3_600_000, m: 60_000 };
const RELATIVE = /^(\d{1,6})([dhm])$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** LookupEvents holds the last 90 days of management events. */
export const LOOKUP_EVENTS_DAYS = 90;
export const DEFAULT_SINCE = '7d';

export interface AuditWindow {
  readonly from: string;
  readonly to: string;
  /** Said on stderr when the window had to be narrowed (to LookupEvents' 90 days, or to the clock). */
  readonly notes: readonly string[];
}

const timeOf = (raw: string, flag: string, clock: number): number => {
  const text = raw.trim();
  const relative = RELATIVE.exec(text);
  if (relative !== null) return clock - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? 0);
  const ms = ISO.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      '',
      `--${flag} must be a duration back from now such as 7d, 24h or 90m, or an ISO time such as 2026-02-01 or 2026-02-01T12:00:00Z, got ${JSON.stringify(raw)}`,
    );
  }
  return ms;
};

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The window from the flags, measured from `clock` (the world's `now`, or the machine's). With
 * `lookupEvents`, a start older than 90 days is moved to 90 days ago, and the notes say so.
 */
export const auditWindow = (
  flags: { readonly since?: string | undefined; readonly until?: string | undefined },
  clock: number,
  lookupEvents: boolean,
): AuditWindow => {
  const notes: string[] = [];
  let from = timeOf(flags.since ?? DEFAULT_SINCE, 'since', clock);
  let to = flags.until === undefined ? clock : timeOf(flags.until, 'until', clock);
  if (to > clock) {
    notes.push(`--until ${iso(to)} is after the clock (${iso(clock)}): reading up to the clock`);
    to = clock;
  }
  if (from >= to) throw new UsageError('', `--since (${iso(from)}) must be before --until (${iso(to)})`);
  const oldest = clock - LOOKUP_EVENTS_DAYS * DAY_MS;
  if (lookupEvents && from < oldest) {
    notes.push(
      `LookupEvents holds ${LOOKUP_EVENTS_DAYS} days: reading from ${iso(oldest)}, not ${iso(from)} (--trail-logs reads older history)`,
    );
    from = oldest;
    if (from >= to)
      throw new UsageError('', `--until (${iso(to)}) is more than ${LOOKUP_EVENTS_DAYS} days ago`);
  }
  return { from: iso(from), to: iso(to), notes };
};
