/**
 * Error classes. Every thrown error is one of these, with a literal name and a cause.
 * `retryable` says whether Lambda retrying the same event could succeed.
 */

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  readonly retryable = false;
  /** Dotted path of the offending field, e.g. `detail.requestParameters.target`. */
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`malformed event: ${field} ${problem}`, options);
    this.field = field;
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retryable = false;
}

/** An AWS call failed in a way the SDK's own retries did not overcome (throttling, 5xx, network). */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  readonly retryable = true;
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`${operation} failed: ${message}`, options);
    this.operation = operation;
  }
}

/** Security Hub refused some findings (FailedFindings): they must not be lost silently. */
export class FindingImportError extends Error {
  override readonly name = 'FindingImportError';
  readonly retryable = true;
  readonly failed: readonly { readonly id: string; readonly code: string; readonly message: string }[];
  constructor(failed: FindingImportError['failed'], options?: { cause?: unknown }) {
    super(
      `Security Hub rejected ${failed.length} finding(s): ${failed
        .slice(0, 3)
        .map((f) => `${f.id}: ${f.code} ${f.message}`)
        .join('; ')}`,
      options,
    );
    this.failed = failed;
  }
}

/**
 * The invocation ran out of time before this record could be finished: a paced call would have
 * waited past the function's deadline, or the record was never started. Retrying later (the queue
 * redelivers it) succeeds once the quota has room again.
 */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  readonly retryable = true;
}
