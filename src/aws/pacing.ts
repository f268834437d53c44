/**
 * Client-side pacing of AWS calls: one token bucket per account, Region (IAM: global) and
 * operation, at AWS's published request rate divided by the number of invocations that may call
 * at the same moment (the event source mapping's maximum concurrency). Every SDK attempt, retries
 * included, takes a slot before it is signed, so a burst of events queues here instead of being
 * throttled by the service. The SDK's adaptive retry mode and its jittered back-off handle what
 * pacing cannot know (other callers of the same account).
 */
import { DeadlineError } from '../errors.ts';
import { isThrottlingError } from './sdkErrors.ts';

/** Milliseconds since the epoch, and a way to wait until a given one. */
export interface PacingClock {
  now(): number;
  sleepUntil(ms: number): Promise<void>;
  /**
   * Told around every paced call: a clock that moves only when nothing is running (replay's
   * event time) must not move while a call is on the wire.
   */
  callStarted?(): void;
  callEnded?(): void;
}

export const realClock: PacingClock = {
  now: () => Date.now(),
  sleepUntil: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now()))),
};

/** `rate` calls per second after a burst of `burst`. */
export interface RequestRate {
  readonly rate: number;
  readonly burst: number;
}

/**
 * AWS's default request rates for the operations the auditor calls (keys `service:Operation`, or
 * `service:*` for a service's other operations): the same table the local endpoint enforces.
 * - Security Hub API reference ("throttling limits"): BatchImportFindings 10/s burst 30 per account
 *   and Region, GetFindings 3/s burst 6, every other operation 10/s burst 30.
 * - CloudTrail LookupEvents: "two per second, per account, per Region"; no burst published (2).
 * - Systems Manager and IAM publish no rate for the operations called here: 10/s burst 20 each,
 *   a quarter of Parameter Store's published GetParameter rate and in line with user reports of
 *   "Rate exceeded" after about 20 quick calls. IAM is global: its buckets are per account.
 * - CloudWatch Logs GetLogEvents (quotas page, not adjustable): 25/s in most Regions, 10/s in seven
 *   (us-west-2, eu-central-1, eu-west-1, …), 30/s in eu-west-3: 10/s everywhere, the lowest; no
 *   burst is published (10). SQS standard queues take a nearly unlimited rate: not paced.
 */
export const REQUEST_RATES: Readonly<Record<string, RequestRate>> = {
  'securityhub:BatchImportFindings': { rate: 10, burst: 30 },
  'securityhub:GetFindings': { rate: 3, burst: 6 },
  'securityhub:*': { rate: 10, burst: 30 },
  'cloudtrail:LookupEvents': { rate: 2, burst: 2 },
  'ssm:*': { rate: 10, burst: 20 },
  'iam:*': { rate: 10, burst: 20 },
  'logs:GetLogEvents': { rate: 10, burst: 10 },
};

export const rateOf = (operation: string): RequestRate | undefined =>
  REQUEST_RATES[operation] ?? REQUEST_RATES[`${operation.slice(0, operation.indexOf(':'))}:*`];

/** Services whose quotas are per account, whatever Region signs the call. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(['iam']);

/** Time a paced call must leave before the deadline: a read still has the import after it. */
const RESERVE_MS = { read: 5_000, import: 1_000 } as const;
const IMPORT = 'securityhub:BatchImportFindings';

export interface PacerOptions {
  /** How many invocations share each account's quotas (the maximum concurrency); ≥ 1. */
  readonly share: number;
  readonly clock?: PacingClock;
  /** Time left in the current invocation; a wait that would leave less than the reserve fails. */
  readonly remainingTimeMs?: () => number;
  /** Called for every attempt the service throttled (the pacer could not see another caller). */
  readonly onThrottled?: (operation: string) => void;
}

export interface CallScope {
  readonly account: string;
  readonly region: string;
}

export interface Pacer {
  /** Waits for a slot of `operation` (`service:Operation`) in the scope's account and Region. */
  acquire(scope: CallScope, operation: string): Promise<void>;
  /** One attempt of `operation`: a slot, then the call; a throttled answer is counted. */
  send<T>(scope: CallScope, operation: string, call: () => Promise<T>): Promise<T>;
}

/**
 * Token buckets kept as the time the next call may start (GCRA): concurrent callers of one bucket
 * reserve consecutive slots, so a burst is spread at the rate without a queue of timers.
 */
export const createPacer = (options: PacerOptions): Pacer => {
  const { clock = realClock, remainingTimeMs = () => Number.POSITIVE_INFINITY } = options;
  if (!Number.isInteger(options.share) || options.share < 1) {
    throw new RangeError(`share must be a positive integer, got ${options.share}`);
  }
  const nextFree = new Map<string, number>();
  const acquire: Pacer['acquire'] = async (scope, operation) => {
    const limit = rateOf(operation);
    if (limit === undefined) return;
    const service = operation.slice(0, operation.indexOf(':'));
    const key = `${scope.account}/${GLOBAL_SERVICES.has(service) ? 'global' : scope.region}/${operation}`;
    const intervalMs = (1000 * options.share) / limit.rate;
    const burst = Math.max(1, Math.floor(limit.burst / options.share));
    const now = clock.now();
    const theoretical = Math.max(nextFree.get(key) ?? now, now);
    const startAt = theoretical - (burst - 1) * intervalMs;
    // Whole milliseconds, rounded up: the bucket on the other side has refilled by then, float error and all.
    const waitMs = Math.max(0, Math.ceil(startAt - now));
    const reserve = operation === IMPORT ? RESERVE_MS.import : RESERVE_MS.read;
    if (waitMs > 0 && remainingTimeMs() - waitMs < reserve) {
      throw new DeadlineError(
        `${operation} would wait ${Math.ceil(waitMs)} ms for its quota, past the invocation's deadline`,
      );
    }
    nextFree.set(key, theoretical + intervalMs);
    if (waitMs > 0) await clock.sleepUntil(now + waitMs);
  };
  return {
    acquire,
    send: async (scope, operation, call) => {
      await acquire(scope, operation);
      clock.callStarted?.();
      try {
        return await call();
      } catch (error) {
        if (isThrottlingError(error)) options.onThrottled?.(operation);
        throw error;
      } finally {
        clock.callEnded?.();
      }
    },
  };
};

type Send = (args: unknown) => Promise<unknown>;
type PacingMiddleware = (next: Send, context: { readonly commandName?: string }) => Send;

/** The part of an SDK v3 client's middleware stack the pacing middleware is added with (any client). */
export interface PaceableClient {
  readonly middlewareStack: {
    addRelativeTo(
      // Each client types its middleware by its own commands; this one handles any command.
      middleware: never,
      options: { name: string; relation: 'before' | 'after'; toMiddleware: string; override?: boolean },
    ): void;
  };
}

/**
 * Paces every attempt of `client` (service prefix `service`, e.g. `securityhub`): after the retry
 * middleware, so each retry waits for a slot too, and before signing, so a long wait never
 * outlives a signature.
 */
export const pace = <C extends PaceableClient>(
  client: C,
  pacer: Pacer,
  scope: CallScope & { service: string },
): C => {
  const middleware: PacingMiddleware = (next, context) => (args) =>
    pacer.send(scope, `${scope.service}:${(context.commandName ?? '').replace(/Command$/, '')}`, () =>
      next(args),
    );
  client.middlewareStack.addRelativeTo(middleware as never, {
    name: 'runAsPacingMiddleware',
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    override: true,
  });
  return client;
};
