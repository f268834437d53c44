/**
 * Classifies AWS SDK errors so adapters can turn permission and absence into facts
 * (`unknown` / `null`) and throw everything else. By the time an error reaches us the
 * SDK's standard retry strategy has already retried throttling, 5xx and network errors.
 */
import { AuditorError, AwsCallError } from '../errors.ts';

export type SdkErrorKind = 'access-denied' | 'not-found' | 'retryable' | 'other';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** Error codes that mean "slow down" across IAM, SSM, CloudTrail and Security Hub. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'SlowDown',
]);

const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'ServiceUnavailable',
]);

/** Node.js socket errors (error.code) the SDK also treats as transient. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Error codes that mean "the thing looked up does not exist", per service. Call sites pick theirs. */
export const NOT_FOUND = {
  iamEntity: ['NoSuchEntity', 'NoSuchEntityException'],
  ssmDocument: ['InvalidDocument'],
  ssmInstance: ['InvalidInstanceId'],
  resource: ['ResourceNotFoundException'],
} as const;

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly attempts?: unknown };
}

const shape = (err: unknown): SdkErrorShape =>
  typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};

const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The error's name (the AWS error code for service errors). */
export const sdkErrorName = (err: unknown): string => stringOf(shape(err).name) || 'UnknownError';

/**
 * notFound: the error names that mean absence at this call site (an InvalidDocument from
 * GetDocument means "no such document"; from another call it may mean something else).
 */
export const classifySdkError = (err: unknown, notFound: readonly string[] = []): SdkErrorKind => {
  const e = shape(err);
  const name = stringOf(e.name);
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  if (notFound.includes(name)) return 'not-found';

  const status = e.$metadata?.httpStatusCode;
  if (
    THROTTLING.has(name) ||
    TRANSIENT.has(name) ||
    NETWORK_CODES.has(stringOf(e.code)) ||
    (typeof e.$retryable === 'object' && e.$retryable !== null) ||
    e.$fault === 'server' ||
    status === 429 ||
    (typeof status === 'number' && status >= 500)
  ) {
    return 'retryable';
  }
  return 'other';
};

/** A "slow down" answer: a throttling error code, or HTTP 429. */
export const isThrottlingError = (err: unknown): boolean =>
  THROTTLING.has(stringOf(shape(err).name)) || shape(err).$metadata?.httpStatusCode === 429;

/**
 * Wraps any SDK failure in AwsCallError, keeping the original as cause. An AuditorError passes
 * unchanged: a member account's credentials that could not be had (MemberRoleError) must reach
 * the record's failure as they are, naming the account.
 */
export const toAwsCallError = (operation: string, err: unknown): AuditorError => {
  if (err instanceof AuditorError) return err;
  const e = shape(err);
  const attempts = e.$metadata?.attempts;
  const message = stringOf(e.message) || String(err);
  const after = typeof attempts === 'number' && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new AwsCallError(operation, `${sdkErrorName(err)}: ${message}${after}`, { cause: err });
};
