/**
 * Reads template.yaml the way the SAM CLI does for local work: CloudFormation short-form tags
 * become their long form, Globals.Function is merged into each function, and intrinsic
 * functions that can be known without a deployment (parameters, pseudo parameters,
 * conditions, Sub/Join/Select/Split/If) are resolved on request.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type CollectionTag,
  isMap,
  isSeq,
  parseDocument,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { InputError, type InputErrorOptions } from './inputError.ts';

/** The template is not one the local tools can read (YAML, shape, intrinsic functions). */
export class TemplateError extends InputError {
  override readonly name = 'TemplateError';
  constructor(problem: string, options: InputErrorOptions = {}) {
    super('', problem, options);
  }
}

/** An intrinsic function whose value only exists after deployment (GetAtt, ImportValue, a resource Ref…). */
export class UnresolvableIntrinsicError extends Error {
  override readonly name = 'UnresolvableIntrinsicError';
}

export type TemplateValue = unknown;

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedValues?: readonly (string | number)[];
  readonly AllowedPattern?: string;
  readonly Description?: string;
  readonly [key: string]: unknown;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, TemplateValue>>;
  readonly Metadata?: Readonly<Record<string, TemplateValue>>;
  readonly Condition?: string;
  readonly [key: string]: unknown;
}

export interface TemplateBody {
  readonly AWSTemplateFormatVersion?: string;
  readonly Transform?: TemplateValue;
  readonly Description?: string;
  readonly Parameters?: Readonly<Record<string, TemplateParameter>>;
  readonly Conditions?: Readonly<Record<string, TemplateValue>>;
  readonly Globals?: Readonly<Record<string, Readonly<Record<string, TemplateValue>>>>;
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<Record<string, TemplateValue>>;
  readonly [key: string]: unknown;
}

export interface Template {
  /** Absolute path of the template file (CodeUri and EntryPoints are relative to its folder). */
  readonly path: string;
  readonly dir: string;
  readonly body: TemplateBody;
}

/** An EventBridge rule that triggers a function (SAM `EventBridgeRule` / `CloudWatchEvent`). */
export interface FunctionRule {
  readonly eventId: string;
  readonly pattern: TemplateValue;
  /** The function's Condition: the rule exists only where it holds. */
  readonly condition?: string;
  readonly properties: Readonly<Record<string, TemplateValue>>;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: readonly string[];
  readonly Resource: readonly TemplateValue[];
  readonly Condition?: TemplateValue;
  /** Template condition the statement depends on (`!If [Cond, statement, !Ref AWS::NoValue]`). */
  readonly onlyIf?: string;
}

export interface FunctionSpec {
  readonly logicalId: string;
  /** `<module>.<export>`, e.g. `auditSession.handler`. */
  readonly handler: string;
  readonly codeUri: string;
  /** CodeUri resolved against the template's folder. */
  readonly codeDir: string;
  readonly runtime: string;
  readonly architectures: readonly string[];
  /** Seconds. */
  readonly timeout: number;
  /** MB. */
  readonly memorySize: number;
  /** Globals merged with the function's own; values may still be intrinsic functions. */
  readonly environment: Readonly<Record<string, TemplateValue>>;
  /** Relative to codeDir. */
  readonly entryPoints: readonly string[];
  readonly buildMethod?: string;
  readonly buildProperties: Readonly<Record<string, TemplateValue>>;
  readonly rules: readonly FunctionRule[];
  /** Every event source of the function, by event id (rules, schedules, …). */
  readonly events: Readonly<
    Record<string, { readonly Type: string; readonly Properties: Readonly<Record<string, TemplateValue>> }>
  >;
  /** Statements of inline policy documents in Policies. */
  readonly policyStatements: readonly PolicyStatement[];
  /** Policies entries that are not inline documents (managed policy names/ARNs, SAM policy templates). */
  readonly otherPolicies: readonly TemplateValue[];
  readonly condition?: string;
  /** All properties after the Globals merge (EventInvokeConfig, LoggingConfig, …). */
  readonly properties: Readonly<Record<string, TemplateValue>>;
}

/** SAM CLI `--env-vars` file: `Parameters` applies to every function, `<LogicalId>` to one (and wins). */
export type SamEnvVars = Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// --- YAML with CloudFormation tags ------------------------------------------------------------

const LONG_FORM: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
};

const collectionJs = (node: YAMLMap | YAMLSeq): unknown => node.toJSON();

const cloudFormationTags = (): (ScalarTag | CollectionTag)[] =>
  Object.entries(LONG_FORM).flatMap(([tag, key]): (ScalarTag | CollectionTag)[] => {
    const scalar: ScalarTag = {
      tag,
      resolve: (value: string) =>
        // `!GetAtt Res.Attr` splits at the first dot only (`Stack.Outputs.Name` keeps the rest).
        key === 'Fn::GetAtt'
          ? {
              [key]: value.includes('.')
                ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)]
                : [value],
            }
          : { [key]: value },
    };
    const seq: CollectionTag = {
      tag,
      collection: 'seq',
      resolve: (node) => {
        if (!isSeq(node)) throw new TemplateError(`${tag} expects a sequence`);
        return { [key]: collectionJs(node) };
      },
    };
    const map: CollectionTag = {
      tag,
      collection: 'map',
      resolve: (node) => {
        if (!isMap(node)) throw new TemplateError(`${tag} expects a mapping`);
        return { [key]: collectionJs(node) };
      },
    };
    return [scalar, seq, map];
  });

/** Parses template text. Unknown tags, duplicate keys and YAML errors fail with their position. */
export const parseTemplate = (text: string, filePath = 'template.yaml'): Template => {
  const doc = parseDocument(text, { customTags: cloudFormationTags(), uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new TemplateError(problems.map((p) => p.message.split('\n')[0]).join('; '), { file: filePath });
  }
  const body: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isRecord(body) || !isRecord(body.Resources)) {
    throw new TemplateError('a template is a mapping with a Resources mapping', { file: filePath });
  }
  for (const [id, resource] of Object.entries(body.Resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new TemplateError(`Resources.${id} needs a Type`, { file: filePath });
    }
  }
  const absolute = path.resolve(filePath);
  return { path: absolute, dir: path.dirname(absolute), body: body as TemplateBody };
};

export const loadTemplate = async (filePath = 'template.yaml'): Promise<Template> => {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (cause) {
    throw new TemplateError('cannot be read', { file: filePath, cause });
  }
  return parseTemplate(text, filePath);
};

// --- Globals and functions ----------------------------------------------------------------------

/** SAM's Globals merge: maps merge key by key (function wins), lists concatenate, anything else is replaced. */
const mergeGlobals = (global: unknown, local: unknown): unknown => {
  if (local === undefined) return global;
  if (isRecord(global) && isRecord(local)) {
    const out: Record<string, unknown> = { ...global };
    for (const [key, value] of Object.entries(local)) out[key] = mergeGlobals(global[key], value);
    return out;
  }
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  return local;
};

const asStringList = (value: unknown, where: string): string[] => {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item !== 'string') throw new TemplateError(`${where} must be a string or a list of strings`);
    return item;
  });
};

const statementsOf = (
  policies: unknown,
  where: string,
): { statements: PolicyStatement[]; other: unknown[] } => {
  const statements: PolicyStatement[] = [];
  const other: unknown[] = [];
  const entries = policies === undefined ? [] : Array.isArray(policies) ? policies : [policies];
  for (const entry of entries) {
    if (!isRecord(entry) || !('Statement' in entry)) {
      other.push(entry);
      continue;
    }
    const raw = Array.isArray(entry.Statement) ? entry.Statement : [entry.Statement];
    for (const [index, entry] of raw.entries()) {
      // A statement granted only under a template condition: !If [Cond, statement, !Ref AWS::NoValue].
      const conditional = isRecord(entry) && Array.isArray(entry['Fn::If']) ? entry['Fn::If'] : undefined;
      if (
        conditional !== undefined &&
        (typeof conditional[0] !== 'string' ||
          !isRecord(conditional[2]) ||
          conditional[2].Ref !== 'AWS::NoValue')
      ) {
        throw new TemplateError(
          `${where}.Policies statement ${index}: !If must be [Condition, statement, !Ref AWS::NoValue]`,
        );
      }
      const statement: unknown = conditional === undefined ? entry : conditional[1];
      if (!isRecord(statement) || typeof statement.Effect !== 'string') {
        throw new TemplateError(`${where}.Policies statement ${index} needs an Effect`);
      }
      statements.push({
        ...(typeof statement.Sid === 'string' ? { Sid: statement.Sid } : {}),
        Effect: statement.Effect,
        Action: asStringList(statement.Action, `${where}.Policies statement ${index} Action`),
        Resource:
          statement.Resource === undefined
            ? []
            : Array.isArray(statement.Resource)
              ? statement.Resource
              : [statement.Resource],
        ...(statement.Condition === undefined ? {} : { Condition: statement.Condition }),
        ...(conditional === undefined ? {} : { onlyIf: String(conditional[0]) }),
      });
    }
  }
  return { statements, other };
};

const RULE_TYPES = new Set(['EventBridgeRule', 'CloudWatchEvent']);

/** Every AWS::Serverless::Function of the template, with Globals applied. */
export const functionsOf = (template: Template): FunctionSpec[] => {
  const { body } = template;
  const globals = isRecord(body.Globals?.Function) ? body.Globals.Function : {};
  const params = parameterDefaults(template);
  const scalar = (value: unknown) => resolveIntrinsics(template, value, { parameters: params });

  return Object.entries(body.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]): FunctionSpec => {
      const where = `Resources.${logicalId}`;
      const properties = mergeGlobals(globals, resource.Properties ?? {}) as Record<string, unknown>;
      const handler = scalar(properties.Handler);
      if (typeof handler !== 'string' || !/^[^.]+\..+$/.test(handler)) {
        throw new TemplateError(`${where}.Handler must look like <module>.<export>`);
      }
      const codeUri = scalar(properties.CodeUri ?? '.');
      if (typeof codeUri !== 'string') throw new TemplateError(`${where}.CodeUri must be a local path`);
      const runtime = scalar(properties.Runtime);
      if (typeof runtime !== 'string') throw new TemplateError(`${where}.Runtime is required`);
      // SAM's documented defaults when neither the function nor Globals sets them.
      const timeout = Number(scalar(properties.Timeout ?? 3));
      const memorySize = Number(scalar(properties.MemorySize ?? 128));
      if (!Number.isInteger(timeout) || timeout < 1)
        throw new TemplateError(`${where}.Timeout must be whole seconds`);
      if (!Number.isInteger(memorySize) || memorySize < 128)
        throw new TemplateError(`${where}.MemorySize must be ≥128`);

      const metadata = resource.Metadata ?? {};
      const buildProperties = isRecord(metadata.BuildProperties) ? metadata.BuildProperties : {};
      const moduleName = handler.slice(0, handler.indexOf('.'));
      const entryPoints =
        buildProperties.EntryPoints === undefined
          ? [`${moduleName}.ts`]
          : asStringList(buildProperties.EntryPoints, `${where}.Metadata.BuildProperties.EntryPoints`);

      const environment =
        isRecord(properties.Environment) && isRecord(properties.Environment.Variables)
          ? properties.Environment.Variables
          : {};

      const events: Record<string, { Type: string; Properties: Record<string, unknown> }> = {};
      const rules: FunctionRule[] = [];
      for (const [eventId, event] of Object.entries(isRecord(properties.Events) ? properties.Events : {})) {
        if (!isRecord(event) || typeof event.Type !== 'string') {
          throw new TemplateError(`${where}.Events.${eventId} needs a Type`);
        }
        const eventProperties = isRecord(event.Properties) ? event.Properties : {};
        events[eventId] = { Type: event.Type, Properties: eventProperties };
        if (!RULE_TYPES.has(event.Type)) continue;
        if (!isRecord(eventProperties.Pattern)) {
          throw new TemplateError(`${where}.Events.${eventId}.Properties.Pattern must be a mapping`);
        }
        rules.push({
          eventId,
          pattern: eventProperties.Pattern,
          ...(resource.Condition === undefined ? {} : { condition: resource.Condition }),
          properties: eventProperties,
        });
      }

      const { statements, other } = statementsOf(properties.Policies, where);
      const architectures =
        properties.Architectures === undefined
          ? ['x86_64']
          : asStringList(properties.Architectures, `${where}.Architectures`);
      return {
        logicalId,
        handler,
        codeUri,
        codeDir: path.resolve(template.dir, codeUri),
        runtime,
        architectures,
        timeout,
        memorySize,
        environment,
        entryPoints,
        ...(typeof metadata.BuildMethod === 'string' ? { buildMethod: metadata.BuildMethod } : {}),
        buildProperties,
        rules,
        events,
        policyStatements: statements,
        otherPolicies: other,
        ...(resource.Condition === undefined ? {} : { condition: resource.Condition }),
        properties,
      };
    });
};

/** Default value of every parameter, as CloudFormation would pass it (numbers as strings). */
export const parameterDefaults = (template: Template): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.body.Parameters ?? {})) {
    if (parameter.Default !== undefined) out[name] = String(parameter.Default);
  }
  return out;
};

// --- Intrinsic functions --------------------------------------------------------------------

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

// --- Environment, as `sam local invoke` computes it ----------------------------------------------

/** SAM CLI's stringification: booleans lower-case, lists/maps/unresolvable values blank. */
const envString = (value: unknown): string => {
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
};

export interface ResolveEnvironmentOptions extends ResolveContext {
  /** Template parameter overrides (`--parameter-overrides`). */
  readonly parameterOverrides?: Readonly<Record<string, string>>;
}

/**
 * The function's environment variables as `sam local invoke` sets them: template values with
 * parameters resolved, then `--env-vars` overrides (`Parameters`, then the function's own
 * section). As in SAM, only variables the template declares can be overridden, and a value
 * that needs a deployment (e.g. !GetAtt) becomes the empty string.
 */
export const resolveEnvironment = (
  template: Template,
  fn: FunctionSpec,
  envVars?: SamEnvVars,
  options: ResolveEnvironmentOptions = {},
): Record<string, string> => {
  const ctx: ResolveContext = {
    ...options,
    parameters: { ...parameterDefaults(template), ...options.parameterOverrides },
  };
  const overrides = { ...envVars?.Parameters, ...envVars?.[fn.logicalId] };
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(fn.environment)) {
    if (Object.hasOwn(overrides, name)) {
      out[name] = envString(overrides[name]);
      continue;
    }
    try {
      const value = resolveIntrinsics(template, raw, ctx);
      if (value !== undefined) out[name] = envString(value);
    } catch (error) {
      if (!(error instanceof UnresolvableIntrinsicError)) throw error;
      out[name] = '';
    }
  }
  return out;
};
