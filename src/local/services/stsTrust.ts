/**
 * Role trust policies as STS evaluates them for AssumeRole: Principal, Action and Condition, with
 * an explicit Deny winning over any Allow. A policy is parsed once, when the world is loaded, and
 * anything this evaluator does not implement is an error naming where it is, never a silent
 * match. Identity policies of the caller are not modelled: where a trust policy names an account
 * (its root), the account is taken to allow its principals to assume the role.
 */

export class TrustPolicyError extends Error {
  override readonly name = 'TrustPolicyError';
}

type Operator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Bool'
  | 'Null';

const OPERATORS: ReadonlySet<string> = new Set<Operator>([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Bool',
  'Null',
]);

interface ConditionTest {
  readonly operator: Operator;
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
  /** Lower-cased: condition key names are case-insensitive. */
  readonly key: string;
  readonly values: readonly string[];
}

interface TrustStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `*`, account ids, or principal ARNs (AWS principals; service and federated ones match no caller here). */
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly conditions: readonly ConditionTest[];
}

export interface TrustPolicy {
  readonly statements: readonly TrustStatement[];
}

/** What the caller is, as the policy language sees it. */
export interface TrustRequest {
  readonly action: string;
  /** `aws:PrincipalArn` (for a role session, the role's ARN). */
  readonly principalArn: string;
  /** The caller's own ARN (`…:assumed-role/Role/session` for a session). */
  readonly callerArn: string;
  readonly accountId: string;
  readonly partition: string;
  /** Condition keys of the request, names in any case; a list is a multivalued key. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const list = (value: unknown, where: string): string[] => {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'boolean') return String(item);
    throw new TrustPolicyError(`${where}${Array.isArray(value) ? `[${index}]` : ''} must be a string`);
  });
};

function parsePrincipals(statement: Record<string, unknown>, where: string): string[] {
  if ('NotPrincipal' in statement) throw new TrustPolicyError(`${where}.NotPrincipal is not supported`);
  const principal = statement.Principal;
  if (principal === '*') return ['*'];
  if (!isRecord(principal)) throw new TrustPolicyError(`${where}.Principal must be "*" or a mapping`);
  const out: string[] = [];
  for (const [kind, value] of Object.entries(principal)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(kind)) {
      throw new TrustPolicyError(`${where}.Principal.${kind} is not a principal type`);
    }
    const values = list(value, `${where}.Principal.${kind}`);
    if (kind === 'AWS') out.push(...values);
  }
  return out;
}

function parseConditions(condition: unknown, where: string): ConditionTest[] {
  if (condition === undefined) return [];
  if (!isRecord(condition)) throw new TrustPolicyError(`${where}.Condition must be a mapping`);
  const tests: ConditionTest[] = [];
  for (const [rawOperator, block] of Object.entries(condition)) {
    const at = `${where}.Condition.${rawOperator}`;
    const match = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(rawOperator);
    const operator = match?.[2];
    if (match === null || operator === undefined || !OPERATORS.has(operator)) {
      throw new TrustPolicyError(`${at}: operator not supported (supported: ${[...OPERATORS].join(', ')})`);
    }
    if (!isRecord(block)) throw new TrustPolicyError(`${at} must map condition keys to values`);
    for (const [key, value] of Object.entries(block)) {
      const values = list(value, `${at}.${key}`);
      if (values.some((v) => v.includes('${'))) {
        throw new TrustPolicyError(`${at}.${key}: policy variables are not supported`);
      }
      const set = match[1] as ConditionTest['set'];
      tests.push({
        operator: operator as Operator,
        ...(set === undefined ? {} : { set }),
        ifExists: match[3] !== undefined,
        key: key.toLowerCase(),
        values,
      });
    }
  }
  return tests;
}

/** A trust policy document (JSON text, as IAM returns it decoded, or an object). */
export function parseTrustPolicy(document: unknown, where = 'assumeRolePolicyDocument'): TrustPolicy {
  let parsed: unknown = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch (cause) {
      throw new TrustPolicyError(`${where} is not JSON`, { cause });
    }
  }
  if (!isRecord(parsed)) throw new TrustPolicyError(`${where} must be a policy document`);
  const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const statements = raw.map((statement, index): TrustStatement => {
    const at = `${where}.Statement[${index}]`;
    if (!isRecord(statement)) throw new TrustPolicyError(`${at} must be a mapping`);
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new TrustPolicyError(`${at}.Effect must be Allow or Deny`);
    }
    if ('NotAction' in statement) throw new TrustPolicyError(`${at}.NotAction is not supported`);
    return {
      effect: statement.Effect,
      principals: parsePrincipals(statement, at),
      actions: list(statement.Action, `${at}.Action`),
      conditions: parseConditions(statement.Condition, at),
    };
  });
  return { statements };
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
function glob(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** ArnLike: the six colon-separated parts are matched one by one. */
function arnLike(pattern: string, value: string): boolean {
  const parts = (arn: string) => {
    const split = arn.split(':');
    return split.length < 6 ? undefined : [...split.slice(0, 5), split.slice(5).join(':')];
  };
  const [p, v] = [parts(pattern), parts(value)];
  return p !== undefined && v !== undefined && p.every((part, i) => glob(part, v[i] ?? ''));
}

function matchOne(operator: Operator, wanted: string, actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return wanted === actual;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return wanted.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return glob(wanted, actual);
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return arnLike(wanted, actual);
    case 'Bool':
      return wanted.toLowerCase() === actual.toLowerCase();
    case 'Null':
      return false;
  }
}

const NEGATED = new Set<Operator>([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
]);

function holds(test: ConditionTest, context: ReadonlyMap<string, readonly string[]>): boolean {
  const actual = context.get(test.key);
  if (test.operator === 'Null') {
    const absent = actual === undefined || actual.length === 0;
    return test.values.every((v) => (v.toLowerCase() === 'true') === absent);
  }
  const negated = NEGATED.has(test.operator);
  // Any of the policy's values may match; a negated operator holds when none does.
  const one = (value: string): boolean => {
    const matched = test.values.some((wanted) => matchOne(test.operator, wanted, value));
    return negated ? !matched : matched;
  };
  if (actual === undefined || actual.length === 0) {
    // A missing key matches nothing: IfExists, ForAllValues and negated operators then hold.
    if (test.set !== undefined) return test.set === 'ForAllValues';
    return test.ifExists || negated;
  }
  if (test.set === 'ForAllValues') return actual.every(one);
  return actual.some(one);
}

function principalMatches(principal: string, request: TrustRequest): boolean {
  if (principal === '*') return true;
  const root = `arn:${request.partition}:iam::${request.accountId}:root`;
  if (principal === request.accountId || principal === root) return true;
  return principal === request.principalArn || principal === request.callerArn;
}

/** `allow`, or why not: an explicit Deny, or no statement allowing it. */
export function evaluateTrust(
  policy: TrustPolicy,
  request: TrustRequest,
): 'allow' | 'explicit-deny' | 'implicit-deny' {
  const context = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(request.context)) {
    context.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
  }
  let allowed = false;
  for (const statement of policy.statements) {
    const applies =
      statement.actions.some((action) => glob(action, request.action, true)) &&
      statement.principals.some((principal) => principalMatches(principal, request)) &&
      statement.conditions.every((test) => holds(test, context));
    if (!applies) continue;
    if (statement.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
