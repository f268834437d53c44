/**
 * The auditor's error family. Everything the product throws on purpose is an AuditorError: a
 * literal `name`, the error behind it as `cause`, and `retryable`, which says whether Lambda
 * running the same event again could succeed. Either way the record fails (its batch item
 * failure, or the invocation's error), so the queue redelivers it and then keeps it in its
 * dead-letter queue; `retryable` tells whoever reads the log which of the two to expect. Check with `instanceof`, never by name. (The local tools' errors for input a
 * user got wrong are a family of their own: InputError in src/local/tools/inputError.ts.)
 */

export abstract class AuditorError extends Error {
  abstract override readonly name: string;
  /** Whether the same event, delivered again, could succeed. */
  abstract readonly retryable: boolean;
}

/**
 * Thrown while reading an event (src/events) when a field the audit needs is missing or has the
 * wrong shape: the event can never be audited, so retries cannot help; the dead-letter queue keeps it.
 */
export class MalformedEventError extends AuditorError {
  override readonly name = 'MalformedEventError';
  readonly retryable = false;
  /** Dotted path of the offending field, e.g. `detail.requestParameters.target`. */
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`malformed event: ${field} ${problem}`, options);
    this.field = field;
  }
}

/** Thrown at cold start (src/config.ts) when an environment variable is missing or has a bad value. */
export class ConfigError extends AuditorError {
  override readonly name = 'ConfigError';
  readonly retryable = false;
}

/**
 * Thrown by an adapter (src/aws) when an AWS call failed in a way the SDK's own retries did not
 * overcome (throttling, 5xx, network) or answered something unusable: a later attempt may succeed.
 */
export class AwsCallError extends AuditorError {
  override readonly name = 'AwsCallError';
  readonly retryable = true;
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`${operation} failed: ${message}`, options);
    this.operation = operation;
  }
}

/** Thrown by the finding sink when Security Hub refused some findings (FailedFindings): none is lost silently. */
export class FindingImportError extends AuditorError {
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
 * Thrown while building a finding (src/findings) when it breaks a Security Hub limit that no
 * truncation can fix (size, Id length, no resource, blank text): a bug of ours, not of the event.
 */
export class InvalidFindingError extends AuditorError {
  override readonly name = 'InvalidFindingError';
  readonly retryable = false;
}

/**
 * Thrown when a Run Command probe would be built for a user name that is not safe to put in a
 * shell: the probe runs as root on the node, so this never reaches SendCommand.
 */
export class UnsafeProbeNameError extends AuditorError {
  override readonly name = 'UnsafeProbeNameError';
  readonly retryable = false;
}

/**
 * The invocation ran out of time before this record could be finished: a paced call would have
 * waited past the function's deadline, or the record was never started. Retrying later (the queue
 * redelivers it) succeeds once the quota has room again.
 */
export class DeadlineError extends AuditorError {
  override readonly name = 'DeadlineError';
  readonly retryable = true;
}

/**
 * Thrown by the sweep when StartSession records (or posture reviews) failed for a reason that can
 * pass, after it did everything else: the watermark stays before their hour, so Lambda's retries
 * and the next scheduled sweep read it again; after the retries the invocation is kept in the
 * sweep's dead-letter queue, which is alarmed.
 */
export class SweepIncompleteError extends AuditorError {
  override readonly name = 'SweepIncompleteError';
  readonly retryable = true;
}

/**
 * Thrown when a member account's role cannot be assumed: the role is missing (the member stack is
 * not deployed in that account) or its trust refuses the audit function. Only that account's
 * events fail, each naming the account and the role; once the member stack is deployed, the
 * redriven events succeed.
 */
export class MemberRoleError extends AuditorError {
  override readonly name = 'MemberRoleError';
  readonly retryable = false;
  readonly accountId: string;
  readonly roleArn: string;
  constructor(accountId: string, roleArn: string, reason: string, options?: { cause?: unknown }) {
    super(
      `cannot audit account ${accountId}: sts:AssumeRole on ${roleArn} was refused (${reason}): deploy member-template.yaml there, with the audit stack's member role name and external id`,
      options,
    );
    this.accountId = accountId;
    this.roleArn = roleArn;
  }
}
