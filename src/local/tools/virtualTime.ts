/**
 * Event time for the handlers' pacing during a replay: a wait for a quota slot does not sleep, it
 * moves the shared clock (the local endpoint's quota clock) to the slot, but only once nothing else
 * is running, in slot order: every call made before that moment reached the endpoint at its own
 * time, so the endpoint's buckets see exactly the spacing the pacer chose.
 */
import type { PacingClock } from '../../aws/pacing.ts';
import type { Timeline } from './eventSourceMapping.ts';

export interface SettableClock {
  now(): number;
  set(ms: number): void;
}

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/** Lets every pending callback, I/O included, run before the clock moves. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

export const virtualPacingClock = (clock: SettableClock): PacingClock => {
  const timers: Timer[] = [];
  let inFlight = 0;
  let ticking = false;

  const tick = async (): Promise<void> => {
    if (ticking) return;
    ticking = true;
    try {
      for (;;) {
        await settle();
        if (inFlight > 0 || timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (next === undefined) return;
        if (next.at > clock.now()) clock.set(next.at);
        next.resolve();
      }
    } finally {
      ticking = false;
    }
  };

  return {
    now: () => clock.now(),
    sleepUntil: (ms) => {
      if (ms <= clock.now()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        timers.push({ at: ms, resolve });
        void tick();
      });
    },
    callStarted: () => {
      inFlight += 1;
    },
    callEnded: () => {
      inFlight -= 1;
      if (inFlight === 0 && timers.length > 0) void tick();
    },
  };
};

/** A timeline that jumps to each moment (replay): `clock` is also the local endpoint's quota clock. */
export const jumpingTimeline = (clock: { now(): number; set(ms: number): void }): Timeline => ({
  now: () => clock.now(),
  waitUntil: async (ms) => {
    if (ms > clock.now()) clock.set(ms);
  },
});

/** Real time, with `startMs` of event time at the moment it is made (bench). */
export const realTimeline = (startMs: number): Timeline => {
  const offset = startMs - Date.now();
  return {
    now: () => Date.now() + offset,
    waitUntil: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (Date.now() + offset)))),
  };
};
