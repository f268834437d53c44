/** Local SSM: Documents: GetDocument and DescribeDocument, by name or ARN, at a version. */
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { parseDocumentArn } from '../../domain/arn.ts';
import type { DocumentState } from '../world/worldState.ts';
import type { SsmOperation } from './ssmContext.ts';
import {
  AwsApiError,
  type CallContext,
  epochSeconds,
  isJsonObject,
  type JsonInput,
  type JsonObject,
} from './wire.ts';

/** Resolves a name or `arn:<p>:ssm:<region>:<account>:document/<name>` in the caller's Region. */
function findDocument(ctx: CallContext, nameOrArn: string): DocumentState {
  let name = nameOrArn;
  const arn = parseDocumentArn(nameOrArn);
  if (arn !== undefined) {
    // Documents shared from other accounts or Regions are not part of the world.
    const ours =
      arn.partition === ctx.world.partition &&
      arn.region === ctx.region &&
      (arn.accountId === '' || arn.accountId === ctx.world.accountId);
    if (!ours) throw new AwsApiError('InvalidDocument', `Document with name ${nameOrArn} does not exist.`);
    name = arn.name;
  } else if (nameOrArn.startsWith('arn:')) {
    throw new AwsApiError('InvalidDocument', `Document with name ${nameOrArn} does not exist.`);
  }
  const doc = ctx.world.document(ctx.region, name);
  if (doc === undefined)
    throw new AwsApiError('InvalidDocument', `Document with name ${name} does not exist.`);
  return doc;
}

function resolveVersion(doc: DocumentState, requested: string | undefined): string {
  const version =
    requested === undefined || requested === '$DEFAULT'
      ? doc.defaultVersion
      : requested === '$LATEST'
        ? doc.latestVersion
        : requested;
  // Versions above $LATEST are ones replayed change events have not created yet: SSM has none.
  if (!doc.versions.has(version) || Number(version) > Number(doc.latestVersion)) {
    throw new AwsApiError(
      'InvalidDocumentVersion',
      `Document ${doc.name} does not have version ${requested ?? '$DEFAULT'}.`,
    );
  }
  return version;
}

function versionContent(doc: DocumentState, version: string): Readonly<Record<string, unknown>> {
  const content = doc.versions.get(version);
  if (content === undefined)
    throw new AwsApiError('InvalidDocumentVersion', `Document ${doc.name} does not have version ${version}.`);
  return content;
}

function renderContent(content: Readonly<Record<string, unknown>>, format: string): string {
  return format === 'YAML' ? toYaml(content) : JSON.stringify(content, null, 2);
}

function documentFormat(input: JsonInput): 'JSON' | 'YAML' {
  const format = input.optionalString('DocumentFormat') ?? 'JSON';
  if (format === 'JSON' || format === 'YAML') return format;
  if (format === 'TEXT')
    throw new AwsApiError('InvalidDocumentOperation', 'TEXT is only valid for text documents.');
  return input.fail(`DocumentFormat must be one of JSON, YAML, TEXT`);
}

function rejectVersionName(input: JsonInput): void {
  // The world has no version names; asking for one is asking for something that does not exist.
  const versionName = input.optionalString('VersionName');
  if (versionName !== undefined)
    throw new AwsApiError('InvalidDocumentVersion', `Version name ${versionName} does not exist.`);
}

export const getDocument: SsmOperation = (input, ctx) => {
  const doc = findDocument(ctx, input.string('Name'));
  rejectVersionName(input);
  const version = resolveVersion(doc, input.optionalString('DocumentVersion'));
  const format = documentFormat(input);
  return {
    Name: doc.name,
    CreatedDate: epochSeconds(doc.createdDate),
    DocumentVersion: version,
    Status: 'Active',
    Content: renderContent(versionContent(doc, version), format),
    DocumentType: doc.documentType,
    DocumentFormat: format,
  };
};

function documentParameters(content: Readonly<Record<string, unknown>>): JsonObject[] {
  const parameters = content.parameters;
  if (!isJsonObject(parameters)) return [];
  return Object.entries(parameters).map(([name, definition]) => {
    const d = isJsonObject(definition) ? definition : {};
    const fallback = d.default;
    return {
      Name: name,
      Type: typeof d.type === 'string' ? d.type : 'String',
      ...(typeof d.description === 'string' ? { Description: d.description } : {}),
      ...(fallback === undefined
        ? {}
        : { DefaultValue: typeof fallback === 'string' ? fallback : JSON.stringify(fallback) }),
    };
  });
}

export const describeDocument: SsmOperation = (input, ctx) => {
  const doc = findDocument(ctx, input.string('Name'));
  rejectVersionName(input);
  const version = resolveVersion(doc, input.optionalString('DocumentVersion'));
  const content = versionContent(doc, version);
  const text = renderContent(content, 'JSON');
  return {
    Document: {
      Hash: createHash('sha256').update(text).digest('hex'),
      HashType: 'Sha256',
      Name: doc.name,
      Owner: doc.owner,
      CreatedDate: epochSeconds(doc.createdDate),
      Status: 'Active',
      DocumentVersion: version,
      Parameters: documentParameters(content),
      PlatformTypes: doc.documentType === 'Session' ? ['Windows', 'Linux', 'MacOS'] : ['Linux', 'MacOS'],
      DocumentType: doc.documentType,
      ...(typeof content.schemaVersion === 'string' ? { SchemaVersion: content.schemaVersion } : {}),
      LatestVersion: doc.latestVersion,
      DefaultVersion: doc.defaultVersion,
      DocumentFormat: 'JSON',
      Tags: [],
    },
  };
};
