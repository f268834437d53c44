/**
 * Reads template.yaml the way the SAM CLI does for local work: CloudFormation short-form tags
 * become their long form. Its functions (Globals merged) are in samFunctions.ts, the intrinsic
 * functions a local run can know in intrinsics.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CollectionTag, isMap, isSeq, parseDocument, type ScalarTag } from 'yaml';
import { isRecord } from '../../domain/json.ts';
import { InputError, type InputErrorOptions } from './inputError.ts';

/** The template is not one the local tools can read (YAML, shape, intrinsic functions). */
export class TemplateError extends InputError {
  override readonly name = 'TemplateError';
  constructor(problem: string, options: InputErrorOptions = {}) {
    super('', problem, options);
  }
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
  /** All properties after the Globals merge (Runtime, Environment, LoggingConfig, …). */
  readonly properties: Readonly<Record<string, TemplateValue>>;
}

/** SAM CLI `--env-vars` file: `Parameters` applies to every function, `<LogicalId>` to one (and wins). */
export type SamEnvVars = Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;

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

/** The long form of a tag written on a sequence or a mapping: `!Sub [text, vars]` → `{ 'Fn::Sub': […] }`. */
const collectionTag = (tag: string, key: string, collection: 'seq' | 'map'): CollectionTag => ({
  tag,
  collection,
  resolve: (node) => {
    if (collection === 'seq' ? !isSeq(node) : !isMap(node))
      throw new TemplateError(`${tag} expects a ${collection === 'seq' ? 'sequence' : 'mapping'}`);
    return { [key]: node.toJSON() };
  },
});

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
    return [scalar, collectionTag(tag, key, 'seq'), collectionTag(tag, key, 'map')];
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

/** Default value of every parameter, as CloudFormation would pass it (numbers as strings). */
export const parameterDefaults = (template: Template): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.body.Parameters ?? {})) {
    if (parameter.Default !== undefined) out[name] = String(parameter.Default);
  }
  return out;
};
