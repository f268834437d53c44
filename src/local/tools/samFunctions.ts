/**
 * The AWS::Serverless::Function resources of a template with Globals.Function merged in, and
 * their environment as `sam local invoke` computes it.
 */
import path from 'node:path';
import { isRecord } from '../../domain/json.ts';
import { type ResolveContext, resolveIntrinsics, UnresolvableIntrinsicError } from './intrinsics.ts';
import {
  type FunctionRule,
  type FunctionSpec,
  type PolicyStatement,
  parameterDefaults,
  type SamEnvVars,
  type Template,
  TemplateError,
} from './template.ts';

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
