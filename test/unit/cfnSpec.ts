/**
 * Checks a template's resource properties against the CloudFormation resource specification
 * (the CDK team's @aws-cdk/aws-service-spec, which also carries the SAM resources): unknown
 * properties, missing required ones, and values of the wrong type or outside the allowed values.
 * A value that is an intrinsic function is known only at deployment and is accepted as is,
 * except `Fn::If`, whose two branches are checked.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

interface PropertyType {
  readonly type: string;
  readonly allowedValues?: readonly (string | number)[];
  readonly element?: PropertyType;
  readonly types?: readonly PropertyType[];
  readonly reference?: { readonly $ref: string };
}

interface SpecProperty {
  readonly required?: boolean;
  readonly type: PropertyType;
  readonly previousTypes?: readonly PropertyType[];
}

type SpecProperties = Readonly<Record<string, SpecProperty>>;

let database: SpecDatabase | undefined;
const spec = (): SpecDatabase => {
  database ??= loadAwsServiceSpecSync();
  return database;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const intrinsicName = (value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 &&
    key !== undefined &&
    (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
    ? key
    : undefined;
};

const isNoValue = (value: unknown): boolean => isRecord(value) && value.Ref === 'AWS::NoValue';

/** Problems of `value` against `type`, each prefixed with its path; [] when it fits. */
const check = (value: unknown, type: PropertyType, path: string): string[] => {
  const intrinsic = intrinsicName(value);
  if (intrinsic === 'Fn::If' && isRecord(value) && Array.isArray(value['Fn::If'])) {
    const [, then, otherwise] = value['Fn::If'] as unknown[];
    return [then, otherwise]
      .filter((branch) => !isNoValue(branch))
      .flatMap((branch) => check(branch, type, path));
  }
  if (intrinsic !== undefined) return [];
  const fail = (expected: string): string[] => [
    `${path}: expected ${expected}, got ${JSON.stringify(value)}`,
  ];
  switch (type.type) {
    case 'string':
    case 'date-time': {
      // CloudFormation passes scalars as strings.
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        return fail('a string');
      const allowed = type.allowedValues;
      return allowed !== undefined && !allowed.includes(String(value))
        ? fail(`one of ${allowed.join(', ')}`)
        : [];
    }
    case 'number':
    case 'integer': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || Number.isNaN(number)) return fail(`a ${type.type}`);
      if (type.type === 'integer' && !Number.isInteger(number)) return fail('an integer');
      const allowed = type.allowedValues;
      return allowed !== undefined && !allowed.includes(number) ? fail(`one of ${allowed.join(', ')}`) : [];
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : fail('a boolean');
    case 'json':
      return isRecord(value) || Array.isArray(value) || typeof value === 'string' ? [] : fail('JSON');
    case 'null':
      return value === null ? [] : fail('null');
    case 'tag':
      return isRecord(value) && 'Key' in value && 'Value' in value ? [] : fail('a {Key, Value} tag');
    case 'array':
      if (!Array.isArray(value)) return fail('a list');
      return value.flatMap((item, index) =>
        type.element ? check(item, type.element, `${path}[${index}]`) : [],
      );
    case 'map':
      if (!isRecord(value)) return fail('a map');
      return Object.entries(value).flatMap(([key, item]) =>
        type.element ? check(item, type.element, `${path}.${key}`) : [],
      );
    case 'ref': {
      if (!isRecord(value)) return fail('an object');
      const definition = spec().get('typeDefinition', type.reference?.$ref ?? '') as unknown as {
        readonly name: string;
        readonly properties: SpecProperties;
      };
      return checkProperties(value, definition.properties, path, true);
    }
    case 'union': {
      const attempts = (type.types ?? []).map((member) => check(value, member, path));
      return attempts.some((problems) => problems.length === 0) ? [] : (attempts[0] ?? fail('a known type'));
    }
    default:
      return [`${path}: the specification has a type ${type.type} this check does not know`];
  }
};

const checkProperties = (
  properties: Readonly<Record<string, unknown>>,
  specProperties: SpecProperties,
  path: string,
  requireAll: boolean,
): string[] => {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const property = Object.hasOwn(specProperties, name) ? specProperties[name] : undefined;
    if (property === undefined) {
      problems.push(`${path}.${name}: not a property of the specification`);
      continue;
    }
    // The current type or one the property had before: CloudFormation accepts both.
    const types = [property.type, ...(property.previousTypes ?? [])];
    const attempts = types.map((type) => check(value, type, `${path}.${name}`));
    if (!attempts.some((found) => found.length === 0)) problems.push(...(attempts[0] ?? []));
  }
  if (requireAll) {
    for (const [name, property] of Object.entries(specProperties)) {
      if (property.required === true && !Object.hasOwn(properties, name))
        problems.push(`${path}.${name}: required by the specification`);
    }
  }
  return problems;
};

/** Problems of one resource's Properties; `requireAll: false` for a partial set (SAM Globals). */
export const resourceProblems = (
  type: string,
  properties: Readonly<Record<string, unknown>>,
  path: string,
  requireAll = true,
): string[] => {
  const resources = spec().lookup('resource', 'cloudFormationType', 'equals', type);
  const [resource] = resources;
  if (resource === undefined) return [`${path}: ${type} is not a resource type of the specification`];
  return checkProperties(properties, resource.properties as unknown as SpecProperties, path, requireAll);
};

/**
 * Properties of AWS::Serverless::Function that SAM handles itself (the specification's SAM part is
 * years behind SAM, so it cannot judge them); every other property is passed to the
 * AWS::Lambda::Function that SAM generates and is checked against that resource.
 */
const SAM_FUNCTION_ONLY = new Set([
  'AssumeRolePolicyDocument',
  'AutoPublishAlias',
  'AutoPublishAliasAllProperties',
  'AutoPublishCodeSha256',
  'CodeUri',
  'DeadLetterQueue',
  'DeploymentPreference',
  'EventInvokeConfig',
  'Events',
  'FunctionUrlConfig',
  'InlineCode',
  'PermissionsBoundary',
  'Policies',
  'ProvisionedConcurrencyConfig',
  'RolePath',
  'Tags',
  'Tracing',
  'VersionDescription',
]);

/** The event sources of SAM's EventBridgeRule, and what each becomes in AWS::Events::Rule. */
const EVENTBRIDGE_RULE_PROPERTIES: Readonly<
  Record<string, { readonly type: string; readonly path: readonly string[] } | null>
> = {
  Pattern: { type: 'AWS::Events::Rule', path: ['EventPattern'] },
  EventBusName: { type: 'AWS::Events::Rule', path: ['EventBusName'] },
  RuleName: { type: 'AWS::Events::Rule', path: ['Name'] },
  State: { type: 'AWS::Events::Rule', path: ['State'] },
  RetryPolicy: { type: 'AWS::Events::Rule', path: ['Targets', 'RetryPolicy'] },
  Input: { type: 'AWS::Events::Rule', path: ['Targets', 'Input'] },
  InputPath: { type: 'AWS::Events::Rule', path: ['Targets', 'InputPath'] },
  InputTransformer: { type: 'AWS::Events::Rule', path: ['Targets', 'InputTransformer'] },
  // SAM's own shape ({Type: SQS, QueueLogicalId} or {Arn}), turned into the target's DeadLetterConfig.
  DeadLetterConfig: null,
  Target: null,
};

/** The specification's type of `path` inside resource `type` (following lists and object types). */
const typeAt = (type: string, path: readonly string[]): PropertyType | undefined => {
  const [resource] = spec().lookup('resource', 'cloudFormationType', 'equals', type);
  let properties = resource?.properties as unknown as SpecProperties | undefined;
  let found: PropertyType | undefined;
  for (const name of path) {
    found = properties?.[name]?.type;
    while (found?.type === 'array' && found.element !== undefined) found = found.element;
    properties =
      found?.type === 'ref'
        ? (
            spec().get('typeDefinition', found.reference?.$ref ?? '') as unknown as {
              properties: SpecProperties;
            }
          ).properties
        : undefined;
  }
  return found;
};

const eventProblems = (event: unknown, path: string): string[] => {
  if (!isRecord(event) || event.Type !== 'EventBridgeRule') return [];
  const properties = isRecord(event.Properties) ? event.Properties : {};
  return Object.entries(properties).flatMap(([name, value]) => {
    if (!Object.hasOwn(EVENTBRIDGE_RULE_PROPERTIES, name))
      return [`${path}.Properties.${name}: not a property of SAM's EventBridgeRule`];
    const target = EVENTBRIDGE_RULE_PROPERTIES[name];
    if (target === null || target === undefined) return [];
    const type = typeAt(target.type, target.path);
    return type === undefined
      ? [`${path}: ${target.path.join('.')} is not in the specification`]
      : check(value, type, `${path}.Properties.${name}`);
  });
};

/** Problems of a SAM function's Properties (or of Globals.Function when `requireAll` is false). */
export const samFunctionProblems = (
  properties: Readonly<Record<string, unknown>>,
  path: string,
  requireAll = true,
): string[] => {
  const [lambda] = spec().lookup('resource', 'cloudFormationType', 'equals', 'AWS::Lambda::Function');
  const lambdaProperties = (lambda?.properties ?? {}) as unknown as SpecProperties;
  const passed = Object.fromEntries(
    Object.entries(properties).filter(([name]) => !SAM_FUNCTION_ONLY.has(name)),
  );
  // SAM fills Code from CodeUri and Role from Policies; nothing else the generated function requires.
  const required = Object.fromEntries(
    Object.entries(lambdaProperties).map(([name, p]) => [
      name,
      name === 'Code' || name === 'Role' ? { ...p, required: false } : p,
    ]),
  );
  const events = isRecord(properties.Events) ? properties.Events : {};
  const tags = properties.Tags;
  return [
    ...checkProperties(passed, required, path, requireAll),
    ...Object.entries(events).flatMap(([id, event]) => eventProblems(event, `${path}.Events.${id}`)),
    ...(tags === undefined ? [] : check(tags, { type: 'map', element: { type: 'string' } }, `${path}.Tags`)),
  ];
};
