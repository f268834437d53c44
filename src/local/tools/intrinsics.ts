/**
 * The intrinsic functions of a template that can be known without a deployment: parameters,
 * pseudo parameters, conditions, Sub/Join/Select/Split/If/FindInMap/Base64.
 */
import { isRecord } from '../../domain/json.ts';
import { type Template, TemplateError } from './template.ts';

/** An intrinsic function whose value only exists after deployment (GetAtt, ImportValue, a resource Ref…). */
export class UnresolvableIntrinsicError extends Error {
  override readonly name = 'UnresolvableIntrinsicError';
}

export interface ResolveContext {
  /** Parameter values (defaults merged with overrides). */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
  readonly stackName?: string;
}

/** Removes the surrounding key or list item, as AWS::NoValue does. */
const NO_VALUE = Symbol('AWS::NoValue');

const pseudo = (name: string, ctx: ResolveContext): unknown => {
  const region = ctx.region ?? 'us-east-1';
  switch (name) {
    case 'AWS::Region':
      return region;
    case 'AWS::AccountId':
      return ctx.accountId ?? '123456789012';
    case 'AWS::Partition':
      return (
        ctx.partition ??
        (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws')
      );
    case 'AWS::StackName':
      return ctx.stackName ?? 'local';
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${region}:${ctx.accountId ?? '123456789012'}:stack/${ctx.stackName ?? 'local'}/local`;
    case 'AWS::URLSuffix':
      return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::NotificationARNs':
      return [];
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
};

const parameterValue = (template: Template, name: string, ctx: ResolveContext): unknown => {
  const declared = template.body.Parameters?.[name];
  if (declared === undefined) return undefined;
  const value =
    ctx.parameters?.[name] ?? (declared.Default === undefined ? undefined : String(declared.Default));
  if (value === undefined)
    throw new UnresolvableIntrinsicError(`parameter ${name} has no value and no Default`);
  // List parameter types resolve to lists, as in CloudFormation.
  return declared.Type === 'CommaDelimitedList' || declared.Type.startsWith('List<')
    ? value.split(',')
    : value;
};

const asString = (value: unknown, where: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnresolvableIntrinsicError(`${where} did not resolve to a string`);
};

/**
 * Resolves the intrinsic functions of `value` that a local run can know. Throws
 * UnresolvableIntrinsicError for those that need a deployment (Fn::GetAtt, Fn::ImportValue, a
 * Ref to a resource, Fn::GetAZs, Fn::Cidr, Fn::FindInMap with unknown keys, …).
 */
export const resolveIntrinsics = (template: Template, value: unknown, ctx: ResolveContext = {}): unknown => {
  const conditionCache = new Map<string, boolean>();

  const condition = (name: string): boolean => {
    const cached = conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = template.body.Conditions?.[name];
    if (definition === undefined) throw new TemplateError(`unknown condition ${name}`);
    const result = resolve(definition);
    if (typeof result !== 'boolean') throw new TemplateError(`condition ${name} is not a boolean`);
    conditionCache.set(name, result);
    return result;
  };

  const bool = (v: unknown, where: string): boolean => {
    const r = resolve(v);
    if (typeof r !== 'boolean') throw new TemplateError(`${where} needs a condition`);
    return r;
  };

  const sub = (text: string, vars: Record<string, unknown>): string =>
    text.replace(/\$\{(!?)([^}]*)\}/g, (whole, bang: string, name: string) => {
      if (bang === '!') return `\${${name}}`; // `${!Literal}` escapes a literal `${Literal}`
      if (Object.hasOwn(vars, name)) return asString(resolve(vars[name]), `\${${name}}`);
      if (name.includes('.'))
        throw new UnresolvableIntrinsicError(`Fn::Sub ${whole} needs a deployed resource`);
      const parameter = parameterValue(template, name, ctx);
      if (parameter !== undefined)
        return Array.isArray(parameter) ? parameter.join(',') : asString(parameter, whole);
      const p = pseudo(name, ctx);
      if (typeof p === 'string') return p;
      throw new UnresolvableIntrinsicError(`Fn::Sub ${whole} refers to a resource`);
    });

  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve).filter((item) => item !== NO_VALUE);
    if (!isRecord(v)) return v;
    const keys = Object.keys(v);
    const [key] = keys;
    if (
      keys.length === 1 &&
      key !== undefined &&
      (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
    ) {
      const arg = v[key];
      switch (key) {
        case 'Ref': {
          const name = asString(arg, 'Ref');
          const parameter = parameterValue(template, name, ctx);
          if (parameter !== undefined) return parameter;
          const p = pseudo(name, ctx);
          if (p !== undefined) return p;
          throw new UnresolvableIntrinsicError(`Ref ${name} refers to a resource`);
        }
        case 'Condition':
          return condition(asString(arg, 'Condition'));
        case 'Fn::Sub': {
          if (typeof arg === 'string') return sub(arg, {});
          if (
            Array.isArray(arg) &&
            typeof arg[0] === 'string' &&
            (arg[1] === undefined || isRecord(arg[1]))
          ) {
            return sub(arg[0], isRecord(arg[1]) ? arg[1] : {});
          }
          throw new TemplateError('Fn::Sub takes a string or [string, { vars }]');
        }
        case 'Fn::If': {
          if (!Array.isArray(arg) || arg.length !== 3)
            throw new TemplateError('Fn::If takes [condition, then, else]');
          return condition(asString(arg[0], 'Fn::If condition')) ? resolve(arg[1]) : resolve(arg[2]);
        }
        case 'Fn::Equals': {
          if (!Array.isArray(arg) || arg.length !== 2) throw new TemplateError('Fn::Equals takes two values');
          const [a, b] = [resolve(arg[0]), resolve(arg[1])];
          // CloudFormation compares parameter values as strings: `!Equals [!Ref Flag, true]` holds for "true".
          const scalar = (x: unknown) =>
            typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
          return scalar(a) && scalar(b) ? String(a) === String(b) : JSON.stringify(a) === JSON.stringify(b);
        }
        case 'Fn::Not': {
          if (!Array.isArray(arg) || arg.length !== 1) throw new TemplateError('Fn::Not takes one condition');
          return !bool(arg[0], 'Fn::Not');
        }
        case 'Fn::And':
        case 'Fn::Or': {
          if (!Array.isArray(arg) || arg.length < 2)
            throw new TemplateError(`${key} takes 2 to 10 conditions`);
          const values = arg.map((item) => bool(item, key));
          return key === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
        }
        case 'Fn::Join': {
          if (!Array.isArray(arg) || arg.length !== 2)
            throw new TemplateError('Fn::Join takes [delimiter, list]');
          const list = resolve(arg[1]);
          if (!Array.isArray(list)) throw new TemplateError('Fn::Join needs a list');
          return list
            .map((item) => asString(item, 'Fn::Join item'))
            .join(asString(arg[0], 'Fn::Join delimiter'));
        }
        case 'Fn::Select': {
          if (!Array.isArray(arg) || arg.length !== 2)
            throw new TemplateError('Fn::Select takes [index, list]');
          const index = Number(resolve(arg[0]));
          const list = resolve(arg[1]);
          if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
            throw new TemplateError('Fn::Select index out of range');
          }
          return list[index];
        }
        case 'Fn::Split': {
          if (!Array.isArray(arg) || arg.length !== 2)
            throw new TemplateError('Fn::Split takes [delimiter, string]');
          return asString(resolve(arg[1]), 'Fn::Split source').split(asString(arg[0], 'Fn::Split delimiter'));
        }
        case 'Fn::FindInMap': {
          if (!Array.isArray(arg) || arg.length < 3)
            throw new TemplateError('Fn::FindInMap takes [map, key, key]');
          const [mapName = '', top = '', second = ''] = arg
            .slice(0, 3)
            .map((item) => asString(resolve(item), 'Fn::FindInMap key'));
          const mappings = template.body.Mappings;
          const level1 = isRecord(mappings) ? mappings[mapName] : undefined;
          const level2 = isRecord(level1) ? level1[top] : undefined;
          const found = isRecord(level2) ? level2[second] : undefined;
          if (found === undefined) {
            throw new UnresolvableIntrinsicError(
              `Fn::FindInMap ${mapName}.${top}.${second} is not in Mappings`,
            );
          }
          return found;
        }
        case 'Fn::Base64':
          return Buffer.from(asString(resolve(arg), 'Fn::Base64'), 'utf8').toString('base64');
        default:
          throw new UnresolvableIntrinsicError(`${key} needs a deployed stack`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      const r = resolve(item);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };

  const result = resolve(value);
  return result === NO_VALUE ? undefined : result;
};
