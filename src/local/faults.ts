/**
 * Injected failures for the local AWS endpoint: API faults (throttling, 5xx, access denied, latency)
 * and Run Command probe faults (an invocation that stays pending for N polls, or forever).
 */
import { createRng } from './random.ts';

export type FaultService = 'iam' | 'ssm' | 'cloudtrail' | 'securityhub';
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

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.path = path;
  }
}

const SERVICES: readonly FaultService[] = ['iam', 'ssm', 'cloudtrail', 'securityhub'];
const KINDS: readonly FaultKind[] = [
  'throttle',
  'server-error',
  'access-denied',
  'latency',
  'pending',
  'timeout',
];
const RULE_KEYS = new Set([
  'service',
  'operation',
  'region',
  'kind',
  'times',
  'latencyMs',
  'nodeId',
  'chance',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new FaultRuleError(path, `expected ${allowed.map((a) => `"${a}"`).join(' | ')}`);
  }
  return found;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw new FaultRuleError(path, 'expected a non-empty string');
  return value;
}

function optionalCount(value: unknown, path: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new FaultRuleError(path, `expected an integer ≥ ${min}`);
  }
  return value;
}

/** Validates one rule (from a world file or a test); `path` prefixes error messages. */
export function parseFaultRule(json: unknown, path = 'fault'): FaultRule {
  if (!isRecord(json)) throw new FaultRuleError(path, 'expected an object');
  for (const key of Object.keys(json)) {
    if (!RULE_KEYS.has(key)) throw new FaultRuleError(`${path}.${key}`, 'unknown key');
  }
  const service = oneOf(json.service, SERVICES, `${path}.service`);
  const kind = oneOf(json.kind, KINDS, `${path}.kind`);
  const operation = optionalString(json.operation, `${path}.operation`);
  const region = optionalString(json.region, `${path}.region`);
  const nodeId = optionalString(json.nodeId, `${path}.nodeId`);
  const times = optionalCount(json.times, `${path}.times`, 0);
  const latencyMs = optionalCount(json.latencyMs, `${path}.latencyMs`, 0);
  const isCommandFault = kind === 'pending' || kind === 'timeout';
  if (isCommandFault && service !== 'ssm') {
    throw new FaultRuleError(`${path}.service`, `"${kind}" is a Run Command fault: expected "ssm"`);
  }
  if (isCommandFault && operation !== undefined) {
    throw new FaultRuleError(
      `${path}.operation`,
      `"${kind}" applies to command invocations, not an operation`,
    );
  }
  if (!isCommandFault && nodeId !== undefined) {
    throw new FaultRuleError(`${path}.nodeId`, 'only "pending" and "timeout" faults name a node');
  }
  if (kind === 'latency' && latencyMs === undefined) {
    throw new FaultRuleError(`${path}.latencyMs`, 'required for "latency"');
  }
  if (kind !== 'latency' && latencyMs !== undefined) {
    throw new FaultRuleError(`${path}.latencyMs`, 'only "latency" faults take latencyMs');
  }
  if (kind === 'timeout' && times !== undefined) {
    throw new FaultRuleError(`${path}.times`, '"timeout" never completes: use "pending" with times');
  }
  const chance = json.chance;
  if (
    chance !== undefined &&
    (typeof chance !== 'number' || !(chance > 0 && chance <= 1) || isCommandFault)
  ) {
    throw new FaultRuleError(`${path}.chance`, 'expected a share of API calls, > 0 and ≤ 1');
  }
  return {
    service,
    kind,
    ...(operation === undefined ? {} : { operation }),
    ...(region === undefined ? {} : { region }),
    ...(times === undefined ? {} : { times }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(nodeId === undefined ? {} : { nodeId }),
    ...(chance === undefined ? {} : { chance }),
  };
}

export interface ApiCall {
  readonly service: FaultService;
  readonly operation: string;
  readonly region: string;
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
    (rule.region === undefined || rule.region === call.region)
  );
}
