/**
 * The audit's progress on stderr, when stderr is a terminal (a pipe or a file gets nothing): one
 * line rewritten in place at most five times a second, with the records read, the sessions
 * audited, the rate and, once a tenth of the window is read, the time left.
 */
export interface ProgressState {
  readonly read: number;
  readonly audited: number;
  readonly failed: number;
  /** Share of the sources read (0 to 1), for the ETA. */
  readonly fraction?: number;
  readonly posture?: { readonly done: number; readonly total: number };
}

export interface ProgressLine {
  update(state: ProgressState): void;
  /** Clears the line. */
  done(): void;
}

interface Output {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const MIN_INTERVAL_MS = 200;

const duration = (ms: number): string => {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
    : `${m}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The line itself (exported for tests). */
export const progressText = (state: ProgressState, elapsedMs: number): string => {
  const rate = elapsedMs > 0 ? (state.audited * 1000) / elapsedMs : 0;
  const parts = [
    `records read ${state.read}`,
    `sessions audited ${state.audited}${state.failed > 0 ? ` (${state.failed} failed)` : ''}`,
    `${rate.toFixed(1)}/s`,
  ];
  const fraction = state.fraction ?? 0;
  if (state.posture !== undefined)
    parts.push(`posture ${state.posture.done}/${state.posture.total} principals`);
  else if (fraction >= 0.1 && fraction < 1)
    parts.push(`ETA ${duration((elapsedMs * (1 - fraction)) / fraction)}`);
  return parts.join(' · ');
};

export const createProgress = (
  output: Output = process.stderr,
  now: () => number = () => performance.now(),
): ProgressLine => {
  if (output.isTTY !== true) return { update: () => undefined, done: () => undefined };
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update: (state) => {
      const t = now();
      if (t - last < MIN_INTERVAL_MS) return;
      last = t;
      shown = true;
      output.write(`\r\x1b[2K${progressText(state, t - started)}`);
    },
    done: () => {
      if (shown) output.write('\r\x1b[2K');
      shown = false;
    },
  };
};
