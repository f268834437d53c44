/**
 * Request-rate quotas of the local AWS endpoint: one token bucket per account, Region and operation,
 * holding each service's default rate and burst, and the throttling error each service answers
 * over its wire protocol when a call finds its bucket empty. Off unless a world or a test turns
 * it on, so a plain world behaves as an account nobody else is calling.
 */
import { z } from 'zod';
import { InputError } from '../tools/inputError.ts';
import { closed, parseInput, whole } from '../world/inputSchema.ts';
import type { FaultService } from './faults.ts';
import { AwsApiError } from './wire.ts';

/** Milliseconds since the epoch. Real time by default; tests and replays drive their own. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to (tests; a replay moving through event time). */
export class ManualClock implements Clock {
  #ms: number;
  constructor(startMs = 0) {
    this.#ms = startMs;
  }
  now(): number {
    return this.#ms;
  }
  set(ms: number): void {
    this.#ms = ms;
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** `rate` tokens per second refill a bucket of `burst` tokens; each call takes one. */
export interface QuotaLimit {
  readonly rate: number;
  readonly burst: number;
}

/** Keys are `service:Operation`, or `service:*` for the service's other operations. */
export type QuotaLimits = Readonly<Record<string, QuotaLimit>>;

export interface QuotaConfig {
  readonly enforce: boolean;
  /** Overrides of DEFAULT_QUOTAS, key by key. */
  readonly limits: QuotaLimits;
}

/**
 * AWS's default request rates for the operations the auditor calls.
 *
 * Security Hub: the Security Hub API reference introduction ("The following throttling limits
 * apply…"): BatchImportFindings 10/s burst 30, GetFindings 3/s burst 6, all other operations 10/s
 * burst 30; BatchImportFindings' 10 TPS / burst 30 "per account per Region" is repeated in the
 * partner guide ("Guidelines for using the BatchImportFindings API").
 *
 * CloudTrail: the LookupEvents API reference: "limited to two per second, per account, per Region".
 * No burst is published; the bucket holds one second of calls (2).
 *
 * Systems Manager publishes no request rate for GetDocument, DescribeDocument,
 * DescribeInstanceInformation, ListInventoryEntries, DescribeSessions, TerminateSession,
 * SendCommand or GetCommandInvocation (its quotas list rates only for Parameter Store, whose
 * default GetParameter throughput is 40/s, and StartAutomationExecution, 1/s). Chosen: 10/s with a
 * burst of 20 for each, a quarter of Parameter Store's published rate and in line with user reports
 * of "ThrottlingException: Rate exceeded" after about 20 quick requests; stricter than reality is
 * the safe side for a product that must pace itself.
 *
 * IAM publishes no request rate either (the AWS knowledge-center article on IAM and STS
 * "Rate exceeded" errors says only that all callers of an account share one maximum rate). IAM is
 * global, so its buckets are per account, whatever Region signed the call. Chosen: 10/s with a
 * burst of 20 per operation, as for SSM, for the same reason.
 *
 * CloudWatch Logs: the CloudWatch Logs quotas page ("GetLogEvents throttle limit in transactions
 * per second", not adjustable): 25/s in most Regions, 10/s in us-west-2, eu-central-1, eu-west-1,
 * ap-northeast-3, ap-southeast-3, ca-west-1 and il-central-1, 30/s in eu-west-3. Kept at the lowest,
 * 10/s, everywhere; no burst is published (one second of calls, 10).
 *
 * SQS: standard queues take "a nearly unlimited number of API calls per second": no bucket.
 */
export const DEFAULT_QUOTAS: QuotaLimits = {
  'securityhub:BatchImportFindings': { rate: 10, burst: 30 },
  'securityhub:GetFindings': { rate: 3, burst: 6 },
  'securityhub:*': { rate: 10, burst: 30 },
  'cloudtrail:LookupEvents': { rate: 2, burst: 2 },
  'ssm:GetDocument': { rate: 10, burst: 20 },
  'ssm:DescribeDocument': { rate: 10, burst: 20 },
  'ssm:DescribeInstanceInformation': { rate: 10, burst: 20 },
  'ssm:ListInventoryEntries': { rate: 10, burst: 20 },
  'ssm:DescribeSessions': { rate: 10, burst: 20 },
  'ssm:TerminateSession': { rate: 10, burst: 20 },
  'ssm:SendCommand': { rate: 10, burst: 20 },
  'ssm:GetCommandInvocation': { rate: 10, burst: 20 },
  'iam:GetUser': { rate: 10, burst: 20 },
  'iam:GetRole': { rate: 10, burst: 20 },
  'iam:ListUserTags': { rate: 10, burst: 20 },
  'iam:ListRoleTags': { rate: 10, burst: 20 },
  'logs:GetLogEvents': { rate: 10, burst: 10 },
};

/**
 * What each service answers a throttled call, by wire protocol:
 * - IAM and STS (awsQuery): HTTP 400, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>
 *   <Message>Rate exceeded</Message>…` ("Throttling: Rate exceeded, status code: 400", the AWS
 *   knowledge-center article on IAM and STS throttling).
 * - SSM and CloudTrail (awsJson1_1): HTTP 400, `{"__type":"ThrottlingException","message":"Rate
 *   exceeded"}`. CloudTrail's model gives its ThrottlingException HTTP 429, but LookupEvents does
 *   not list it among its errors: its throttle is the JSON front end's generic one.
 * - Security Hub (restJson1): HTTP 429 `TooManyRequestsException` "Too Many Requests", as users
 *   report from GetFindings and UpdateStandardsControl; the error type travels in `x-amzn-ErrorType`.
 * - CloudWatch Logs (awsJson1_1): HTTP 400 `ThrottlingException` "Rate exceeded".
 * - SQS (awsJson1_0): HTTP 400 `ThrottlingException` (the query protocol's `RequestThrottled`).
 */
export const THROTTLING_ERRORS: Readonly<
  Record<FaultService, { readonly code: string; readonly status: number; readonly message: string }>
> = {
  iam: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  sts: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  ssm: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  cloudtrail: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  securityhub: { code: 'TooManyRequestsException', status: 429, message: 'Too Many Requests' },
  logs: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  sqs: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
};

export function throttlingError(
  service: FaultService,
  message = THROTTLING_ERRORS[service].message,
): AwsApiError {
  const { code, status } = THROTTLING_ERRORS[service];
  return new AwsApiError(code, message, status);
}

/** One call as the quotas see it: whose account it spends, where, and on what. */
export interface QuotaCall {
  readonly account: string;
  readonly region: string;
  readonly service: FaultService;
  readonly operation: string;
}

/** A quota setting is malformed; `path` names the offending value (`quotas.limits.ssm:*.rate`). */
export class QuotaError extends InputError {
  override readonly name = 'QuotaError';
}

const KEY = /^(iam|sts|ssm|cloudtrail|securityhub|logs|sqs):([A-Z][A-Za-z0-9]*|\*)$/;
const KEY_RULE =
  'expected "service:Operation" or "service:*" with service iam, sts, ssm, cloudtrail, securityhub, logs or sqs';
/** Services whose quotas are per account, not per Region. */
const GLOBAL_SERVICES: ReadonlySet<FaultService> = new Set(['iam']);
/** Float slack so that refilling 0.1 s at 10/s gives a whole token. */
const EPSILON = 1e-9;

export const quotaLimitSchema = closed(
  {
    rate: z
      .number({ error: 'expected a number of calls per second > 0' })
      .positive({ error: 'expected a number of calls per second > 0' }),
    burst: whole(1),
  },
  'an object {"rate": n, "burst": n}',
);

/**
 * The world's `quotas` object: `{"enforce": bool, "limits": {"securityhub:GetFindings":
 * {"rate": 3, "burst": 6}, …}}`. Both keys are optional; writing `quotas` at all turns enforcement
 * on unless `enforce` says false.
 */
export const quotaConfigSchema = closed({
  enforce: z.boolean({ error: 'expected true or false' }).default(true),
  limits: z
    .record(z.string(), quotaLimitSchema, { error: 'expected an object keyed by "service:Operation"' })
    .superRefine((limits, ctx) => {
      for (const key of Object.keys(limits))
        if (!KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: KEY_RULE });
    })
    .default({}),
});

const fail = (path: string, problem: string) => new QuotaError(path, problem);

/** Validates one limit; `path` prefixes error messages. */
export function parseQuotaLimit(json: unknown, path: string): QuotaLimit {
  return parseInput(quotaLimitSchema, json, path, fail);
}

function checkKey(key: string, path: string): void {
  if (!KEY.test(key)) throw new QuotaError(path, KEY_RULE);
}

export function parseQuotaConfig(json: unknown, path = 'quotas'): QuotaConfig {
  return parseInput(quotaConfigSchema, json, path, fail);
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** Token buckets for every (account, Region, operation) the endpoint has seen. */
export class Quotas {
  /** Off: every call is admitted (buckets are neither read nor drained). */
  enforce: boolean;
  readonly clock: Clock;
  readonly #limits = new Map<string, QuotaLimit>(Object.entries(DEFAULT_QUOTAS));
  readonly #buckets = new Map<string, Bucket>();
  readonly #throttled = new Map<string, number>();

  constructor(config: QuotaConfig = { enforce: false, limits: {} }, clock: Clock = systemClock) {
    this.enforce = config.enforce;
    this.clock = clock;
    for (const [key, limit] of Object.entries(config.limits)) this.set(key, limit);
  }

  /** Overrides one limit (`service:Operation` or `service:*`); its buckets start full again. */
  set(key: string, limit: QuotaLimit): void {
    checkKey(key, key);
    this.#limits.set(key, parseQuotaLimit(limit, key));
    const service = key.slice(0, key.indexOf(':'));
    const affected = key.endsWith(':*')
      ? (bucketKey: string) => bucketKey.includes(`/${service}:`)
      : (bucketKey: string) => bucketKey.endsWith(`/${key}`);
    for (const bucketKey of [...this.#buckets.keys()])
      if (affected(bucketKey)) this.#buckets.delete(bucketKey);
  }

  /** The limit a call to `service:operation` spends; undefined = not rate-limited. */
  limit(service: FaultService, operation: string): QuotaLimit | undefined {
    return this.#limits.get(`${service}:${operation}`) ?? this.#limits.get(`${service}:*`);
  }

  /** Spends one token for `call`; returns the service's throttling error when its bucket is empty. */
  admit(call: QuotaCall): AwsApiError | undefined {
    if (!this.enforce) return undefined;
    const limit = this.limit(call.service, call.operation);
    if (limit === undefined) return undefined;
    const scope = GLOBAL_SERVICES.has(call.service) ? 'global' : call.region;
    const key = `${call.account}/${scope}/${call.service}:${call.operation}`;
    const now = this.clock.now();
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, refilledAt: now };
    // A clock that moves back (a replay restarting) refills nothing rather than draining.
    const elapsedMs = Math.max(0, now - bucket.refilledAt);
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs / 1000) * limit.rate);
    bucket.refilledAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens + EPSILON >= 1) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return undefined;
    }
    const counter = `${call.service}:${call.operation}`;
    this.#throttled.set(counter, (this.#throttled.get(counter) ?? 0) + 1);
    return throttlingError(call.service);
  }

  /** Calls refused by a quota, per `service:Operation` (injected throttling faults not included). */
  throttled(): Record<string, number> {
    return Object.fromEntries([...this.#throttled.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Refills every bucket and clears the throttled counts. */
  reset(): void {
    this.#buckets.clear();
    this.#throttled.clear();
  }
}
