/**
 * Injected failures for the local AWS endpoint: API faults (throttling, 5xx, access denied, latency)
 * and Run Command probe faults (an invocation that stays pending for N polls, or forever).
 */
import { z } from 'zod';
import { ACCOUNT_ID } from '../../domain/identifiers.ts';
import { InputError } from '../tools/inputError.ts';
import { createRng } from '../tools/random.ts';
import { closed, oneOf, parseInput, text, whole } from '../world/inputSchema.ts';
import { throttlingError } from './quotas.ts';
import { AwsApiError } from './wire.ts';

export type FaultService = 'iam' | 'sts' | 'ssm' | 'cloudtrail' | 'securityhub' | 'logs' | 'sqs';
export type ApiFaultKind = 'throttle' | 'server-error' | 'access-denied' | 'latency';
/** `pending`: GetCommandInvocation reports Pending/InProgress for `times` polls; `timeout`: forever. */
export type CommandFaultKind = 'pending' | 'timeout';
export type FaultKind = ApiFaultKind | CommandFaultKind;

export interface FaultRule {
  readonly service: FaultService;
  /** Operation name as in the API (`GetDocument`); absent = every operation of the service. */
  readonly operation?: string;
  /** Region from the request signature; absent = every Region. */
  readonly region?: string;
  /** API faults: the account of the signing credentials; absent = every account. */
  readonly account?: string;
  readonly kind: FaultKind;
  /** API faults: fail (or delay) this many calls, then stop. Command faults: pending polls. Absent = forever. */
  readonly times?: number;
  /** Required for `latency`. */
  readonly latencyMs?: number;
  /** Command faults only: the node whose probes misbehave; absent = every node. */
  readonly nodeId?: string;
  /** API faults: the share of matching calls (0 to 1) that fail, drawn from a seeded generator; absent = all. */
  readonly chance?: number;
}

/** A fault rule is malformed; `path` names the offending value (`faults[0].kind`). */
export class FaultRuleError extends InputError {
  override readonly name = 'FaultRuleError';
}

const COMMAND_FAULTS: readonly FaultKind[] = ['pending', 'timeout'];

/** One rule as a world's `faults` lists it (and as a test adds it). */
export const faultRuleSchema = closed({
  service: oneOf(['iam', 'sts', 'ssm', 'cloudtrail', 'securityhub', 'logs', 'sqs']),
  operation: text('a non-empty string', /./).exactOptional(),
  region: text('a non-empty string', /./).exactOptional(),
  account: text('a 12-digit account id', ACCOUNT_ID).exactOptional(),
  kind: oneOf(['throttle', 'server-error', 'access-denied', 'latency', 'pending', 'timeout']),
  times: whole(0).exactOptional(),
  latencyMs: whole(0).exactOptional(),
  nodeId: text('a non-empty string', /./).exactOptional(),
  chance: z
    .number({ error: 'expected a share of API calls, > 0 and ≤ 1' })
    .gt(0, { error: 'expected a share of API calls, > 0 and ≤ 1' })
    .lte(1, { error: 'expected a share of API calls, > 0 and ≤ 1' })
    .exactOptional(),
}).superRefine((rule, ctx) => {
  const problem = (key: keyof FaultRule, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
  const isCommandFault = COMMAND_FAULTS.includes(rule.kind);
  if (isCommandFault && rule.service !== 'ssm')
    problem('service', `"${rule.kind}" is a Run Command fault: expected "ssm"`);
  else if (isCommandFault && rule.operation !== undefined)
    problem('operation', `"${rule.kind}" applies to command invocations, not an operation`);
  else if (!isCommandFault && rule.nodeId !== undefined)
    problem('nodeId', 'only "pending" and "timeout" faults name a node');
  else if (rule.kind === 'latency' && rule.latencyMs === undefined)
    problem('latencyMs', 'required for "latency"');
  else if (rule.kind !== 'latency' && rule.latencyMs !== undefined)
    problem('latencyMs', 'only "latency" faults take latencyMs');
  else if (rule.kind === 'timeout' && rule.times !== undefined)
    problem('times', '"timeout" never completes: use "pending" with times');
  else if (isCommandFault && rule.chance !== undefined)
    problem('chance', 'expected a share of API calls, > 0 and ≤ 1');
  else if (isCommandFault && rule.account !== undefined)
    problem('account', `"${rule.kind}" applies to command invocations, not an account`);
});

/** Validates one rule (from a world file or a test); `path` prefixes error messages. */
export function parseFaultRule(json: unknown, path = 'fault'): FaultRule {
  return parseInput(faultRuleSchema, json, path, (at, problem) => new FaultRuleError(at, problem));
}

export interface ApiCall {
  readonly service: FaultService;
  readonly operation: string;
  readonly region: string;
  /** The account of the signing credentials (absent: a rule naming an account does not match). */
  readonly account?: string;
}

/** What to do with one call: wait `delayMs`, then fail with `error` if set. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly error?: Exclude<ApiFaultKind, 'latency'>;
}

/** Pending polls a new command invocation gets: a number, or `forever` (the probe times out). */
export type CommandPending = number | 'forever';

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class Faults {
  /** Added to every call (benchmarks); per-rule latency adds on top. */
  latencyMs = 0;
  readonly #rules: ActiveRule[] = [];
  /** Draws for rules with a `chance`: seeded, so a run's faults repeat. */
  readonly #random: () => number;

  constructor(rules: readonly FaultRule[] = [], random: () => number = createRng(1)) {
    this.#random = random;
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule): void {
    const valid = parseFaultRule(rule);
    this.#rules.push({ rule: valid, remaining: valid.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules.length = 0;
    this.latencyMs = 0;
  }

  rules(): readonly FaultRule[] {
    return this.#rules.map((active) => active.rule);
  }

  /** Decides the fate of one API call and consumes the `times` of every rule that fired. */
  onCall(call: ApiCall): FaultDecision {
    let delayMs = this.latencyMs;
    let error: FaultDecision['error'];
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.kind === 'pending' || rule.kind === 'timeout') continue;
      if (!matchesCall(rule, call) || active.remaining <= 0) continue;
      if (rule.chance !== undefined && this.#random() >= rule.chance) continue;
      if (rule.kind === 'latency') {
        active.remaining -= 1;
        delayMs += rule.latencyMs ?? 0;
      } else if (error === undefined) {
        // The first matching failure fires; later ones keep their budget for later calls.
        active.remaining -= 1;
        error = rule.kind;
      }
    }
    return error === undefined ? { delayMs } : { delayMs, error };
  }

  /** How long a command sent now to `nodeId` stays pending; undefined = it completes at once. */
  commandPending(region: string, nodeId: string): CommandPending | undefined {
    for (const { rule } of this.#rules) {
      if (rule.kind !== 'pending' && rule.kind !== 'timeout') continue;
      if (rule.region !== undefined && rule.region !== region) continue;
      if (rule.nodeId !== undefined && rule.nodeId !== nodeId) continue;
      return rule.kind === 'timeout' || rule.times === undefined ? 'forever' : rule.times;
    }
    return undefined;
  }
}

function matchesCall(rule: FaultRule, call: ApiCall): boolean {
  return (
    rule.service === call.service &&
    (rule.operation === undefined || rule.operation === call.operation) &&
    (rule.region === undefined || rule.region === call.region) &&
    (rule.account === undefined || rule.account === call.account)
  );
}

/** The error each service answers an injected fault with, by wire protocol. */
const FAULT_ERRORS: Readonly<
  Record<FaultService, Readonly<Record<'server-error' | 'access-denied', { code: string; status: number }>>>
> = {
  iam: {
    'server-error': { code: 'ServiceFailure', status: 500 },
    'access-denied': { code: 'AccessDenied', status: 403 },
  },
  sts: {
    'server-error': { code: 'InternalFailure', status: 500 },
    'access-denied': { code: 'AccessDenied', status: 403 },
  },
  ssm: {
    'server-error': { code: 'InternalServerError', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 400 },
  },
  cloudtrail: {
    'server-error': { code: 'InternalFailure', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 403 },
  },
  securityhub: {
    'server-error': { code: 'InternalException', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 403 },
  },
  logs: {
    'server-error': { code: 'ServiceUnavailableException', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 400 },
  },
  sqs: {
    'server-error': { code: 'InternalError', status: 500 },
    'access-denied': { code: 'AccessDenied', status: 403 },
  },
};

/** The AWS error an injected fault answers with (throttling: the service's throttling error). */
export function faultError(call: ApiCall, kind: NonNullable<FaultDecision['error']>): AwsApiError {
  const message = `Injected ${kind} fault for ${call.service}:${call.operation}.`;
  if (kind === 'throttle') return throttlingError(call.service, message);
  const { code, status } = FAULT_ERRORS[call.service][kind];
  return new AwsApiError(code, message, status);
}
