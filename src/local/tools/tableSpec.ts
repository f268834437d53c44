/**
 * The template's `AWS::DynamoDB::Table` resources as local table specs, so the local DynamoDB
 * has exactly the keys, indexes and expiry attribute a deployment gets. A table without a
 * TableName (CloudFormation generates one) is named after its logical id, which is what the
 * local run passes to the functions in place of the `!Ref`.
 */

import { isRecord, type JsonRecord as Json } from '../../domain/json.ts';
import type { AttributeDefinition, KeyElement, SecondaryIndex, TableSpec } from '../services/dynamo.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import { type Template, TemplateError } from './template.ts';

const TABLE_TYPE = 'AWS::DynamoDB::Table';

const listOf = (value: unknown, where: string): Json[] => {
  if (!Array.isArray(value) || !value.every(isRecord))
    throw new TemplateError(`${where} must be a list of mappings`);
  return value;
};

const oneOf = <T extends string>(value: unknown, allowed: readonly T[], where: string): T => {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TemplateError(`${where} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
};

const nameAt = (item: Json, where: string): string => {
  const name = item.AttributeName;
  if (typeof name !== 'string' || name === '')
    throw new TemplateError(`${where}.AttributeName must be a name`);
  return name;
};

const keySchemaOf = (value: unknown, where: string): KeyElement[] =>
  listOf(value, where).map((item, index) => ({
    AttributeName: nameAt(item, `${where}[${index}]`),
    KeyType: oneOf(item.KeyType, ['HASH', 'RANGE'] as const, `${where}[${index}].KeyType`),
  }));

const indexesOf = (value: unknown, where: string): SecondaryIndex[] =>
  listOf(value, where).map((index, i) => {
    const at = `${where}[${i}]`;
    if (typeof index.IndexName !== 'string') throw new TemplateError(`${at}.IndexName must be a name`);
    if (index.ProvisionedThroughput !== undefined) {
      throw new TemplateError(`${at} has ProvisionedThroughput, but the table is on demand`);
    }
    const projection = isRecord(index.Projection) ? index.Projection : {};
    const attributes = projection.NonKeyAttributes;
    if (
      attributes !== undefined &&
      !(Array.isArray(attributes) && attributes.every((a) => typeof a === 'string'))
    ) {
      throw new TemplateError(`${at}.Projection.NonKeyAttributes must be a list of names`);
    }
    return {
      IndexName: index.IndexName,
      KeySchema: keySchemaOf(index.KeySchema, `${at}.KeySchema`),
      Projection: {
        ProjectionType: oneOf(
          projection.ProjectionType,
          ['ALL', 'KEYS_ONLY', 'INCLUDE'] as const,
          `${at}.Projection.ProjectionType`,
        ),
        ...(attributes === undefined ? {} : { NonKeyAttributes: attributes as string[] }),
      },
    };
  });

/** One table resource's spec. Throws TemplateError naming what the local DynamoDB cannot create. */
export const tableSpecOf = (template: Template, logicalId: string): TableSpec => {
  const resource = template.body.Resources[logicalId];
  if (resource?.Type !== TABLE_TYPE)
    throw new TemplateError(`Resources.${logicalId} is not an ${TABLE_TYPE}`);
  const where = `Resources.${logicalId}.Properties`;
  const properties = resolveIntrinsics(template, resource.Properties ?? {});
  if (!isRecord(properties)) throw new TemplateError(`${where} must be a mapping`);
  // The local DynamoDB creates on-demand tables only; provisioned capacity would not be exercised.
  if (properties.BillingMode !== 'PAY_PER_REQUEST')
    throw new TemplateError(`${where}.BillingMode must be PAY_PER_REQUEST`);
  const tableName = properties.TableName ?? logicalId;
  if (typeof tableName !== 'string') throw new TemplateError(`${where}.TableName must be a string`);
  const attributes: AttributeDefinition[] = listOf(
    properties.AttributeDefinitions,
    `${where}.AttributeDefinitions`,
  ).map((item, index) => ({
    AttributeName: nameAt(item, `${where}.AttributeDefinitions[${index}]`),
    AttributeType: oneOf(
      item.AttributeType,
      ['S', 'N', 'B'] as const,
      `${where}.AttributeDefinitions[${index}].AttributeType`,
    ),
  }));
  const ttl = properties.TimeToLiveSpecification;
  if (
    ttl !== undefined &&
    !(isRecord(ttl) && typeof ttl.AttributeName === 'string' && typeof ttl.Enabled === 'boolean')
  ) {
    throw new TemplateError(`${where}.TimeToLiveSpecification needs AttributeName and Enabled`);
  }
  return {
    TableName: tableName,
    AttributeDefinitions: attributes,
    KeySchema: keySchemaOf(properties.KeySchema, `${where}.KeySchema`),
    ...(properties.GlobalSecondaryIndexes === undefined
      ? {}
      : {
          GlobalSecondaryIndexes: indexesOf(
            properties.GlobalSecondaryIndexes,
            `${where}.GlobalSecondaryIndexes`,
          ),
        }),
    ...(properties.LocalSecondaryIndexes === undefined
      ? {}
      : {
          LocalSecondaryIndexes: indexesOf(
            properties.LocalSecondaryIndexes,
            `${where}.LocalSecondaryIndexes`,
          ),
        }),
    ...(ttl === undefined
      ? {}
      : {
          TimeToLiveSpecification: {
            AttributeName: String(ttl.AttributeName),
            Enabled: ttl.Enabled === true,
          },
        }),
  };
};

/** Every table the template declares, in template order. */
export const tableSpecsOf = (template: Template): TableSpec[] =>
  Object.entries(template.body.Resources)
    .filter(([, resource]) => resource.Type === TABLE_TYPE)
    .map(([logicalId]) => tableSpecOf(template, logicalId));

/**
 * The variables whose template value is a `!Ref` to a table, as a local run sets them: the table's
 * name (a deployment's is generated; locally the table is named after its logical id).
 */
export const tableEnvironment = (
  template: Template,
  functions: readonly { readonly environment: Readonly<Record<string, unknown>> }[],
): Record<string, string> => {
  const names = new Map(
    Object.entries(template.body.Resources)
      .filter(([, resource]) => resource.Type === TABLE_TYPE)
      .map(([logicalId]) => [logicalId, tableSpecOf(template, logicalId).TableName]),
  );
  const out: Record<string, string> = {};
  for (const fn of functions) {
    for (const [variable, value] of Object.entries(fn.environment)) {
      const ref = isRecord(value) && typeof value.Ref === 'string' ? names.get(value.Ref) : undefined;
      if (ref !== undefined) out[variable] = ref;
    }
  }
  return out;
};
