/**
 * Security Hub over restJson1: BatchImportFindings (POST /findings/import) with the service's
 * per-finding validation and upsert rules, and GetFindings (POST /findings) with the filters
 * of securityHubFilters.ts. Findings are stored per account of the signing credentials and per
 * Region of the request signature; an account imports only its own findings.
 *
 * Stored record (what the service keeps): the finding as sent, plus the service-managed fields
 * it fills when absent (Region = request Region, RecordState ACTIVE, Workflow.Status and
 * WorkflowState NEW; for an account's own `product/<account>/default`, ProductName "Default"
 * and CompanyName "Personal", which the console shows and filters on). On update the
 * customer-owned fields (Workflow, WorkflowState, Note, UserDefinedFields, VerificationState)
 * keep their stored values, since a provider cannot change them; CreatedAt is stored as sent
 * (the auditor keeps it stable itself). An update whose UpdatedAt is not later than the stored
 * one is dropped but counted as a success.
 */
import type { StoredFinding } from '../world/worldState.ts';
import { callerArn } from './credentials.ts';
import { predicates, sorter } from './securityHubFilters.ts';
import { AwsApiError, type CallContext, isJsonObject, JsonInput, type JsonObject, paginate } from './wire.ts';

type SecurityHubOperation = (input: JsonInput, ctx: CallContext) => JsonObject;

const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const COMPLIANCE_STATUSES = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'];
const TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];
const MAX_FINDING_BYTES = 240 * 1024;
const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;
const CUSTOMER_FIELDS = [
  'Workflow',
  'WorkflowState',
  'Note',
  'UserDefinedFields',
  'VerificationState',
] as const;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function productArnFor(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

const findingKey = (productArn: string, id: string): string => `${productArn}\n${id}`;

/** What Security Hub names the default product of a custom integration when the finding does not. */
const DEFAULT_PRODUCT = { ProductName: 'Default', CompanyName: 'Personal' } as const;
const isDefaultProduct = (productArn: string): boolean => /:product\/\d{12}\/default$/.test(productArn);

function validString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= max;
}

function typesProblem(value: unknown, field: string): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50)
    return `${field} must list 1 to 50 types`;
  for (const type of value) {
    if (typeof type !== 'string') return `${field} must be strings`;
    const parts = type.split('/');
    if (parts.length > 3 || !TYPE_NAMESPACES.includes(parts[0] ?? '') || parts.some((p) => p === '')) {
      return `${field} value ${JSON.stringify(type)} is not namespace[/category[/classifier]] with a known namespace`;
    }
  }
  return undefined;
}

function severityProblem(value: unknown, field: string): string | undefined {
  if (!isJsonObject(value)) return `${field} must be a structure`;
  if (value.Label !== undefined && !SEVERITY_LABELS.includes(String(value.Label))) {
    return `${field}.Label must be one of ${SEVERITY_LABELS.join(', ')}`;
  }
  const normalized = value.Normalized;
  if (normalized !== undefined && (typeof normalized !== 'number' || normalized < 0 || normalized > 100)) {
    return `${field}.Normalized must be between 0 and 100`;
  }
  if (value.Label === undefined && normalized === undefined) return `${field} needs a Label`;
  return undefined;
}

/** The reason Security Hub would reject this finding, or undefined when it is valid. */
function findingProblem(finding: JsonObject, ctx: CallContext): string | undefined {
  for (const field of REQUIRED) {
    if (finding[field] === undefined || finding[field] === null)
      return `Finding is missing the required field ${field}`;
  }
  if (finding.SchemaVersion !== '2018-10-08') return 'SchemaVersion must be 2018-10-08';
  if (!validString(finding.Id, 512)) return 'Id must be 1 to 512 characters';
  const productArn = productArnFor(ctx.world.partition, ctx.region, ctx.world.accountId);
  if (finding.ProductArn !== productArn)
    return `ProductArn must be ${productArn} for this account and Region`;
  if (!validString(finding.GeneratorId, 512)) return 'GeneratorId must be 1 to 512 characters';
  if (typeof finding.AwsAccountId !== 'string' || !/^\d{12}$/.test(finding.AwsAccountId))
    return 'AwsAccountId must be a 12-digit account id';
  const typesIssue = typesProblem(finding.Types, 'Types');
  if (typesIssue !== undefined) return typesIssue;
  for (const field of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
    const value = finding[field];
    if (
      value !== undefined &&
      (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value)))
    ) {
      return `${field} must be an RFC 3339 timestamp`;
    }
  }
  const severityIssue = severityProblem(finding.Severity, 'Severity');
  if (severityIssue !== undefined) return severityIssue;
  if (!validString(finding.Title, 256)) return 'Title must be 1 to 256 characters';
  if (!validString(finding.Description, 1024)) return 'Description must be 1 to 1024 characters';
  const resources = finding.Resources;
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32)
    return 'Resources must list 1 to 32 resources';
  for (const [index, resource] of resources.entries()) {
    // The API limits Type to 256; Id has no length limit (an IAM ARN with a long path exceeds 512).
    if (!isJsonObject(resource) || !validString(resource.Type, 256) || !validString(resource.Id, Infinity)) {
      return `Resources[${index}] needs a Type and an Id`;
    }
  }
  const fieldsIssue = productFieldsProblem(finding.ProductFields);
  if (fieldsIssue !== undefined) return fieldsIssue;
  const compliance = finding.Compliance;
  if (
    compliance !== undefined &&
    (!isJsonObject(compliance) || !COMPLIANCE_STATUSES.includes(String(compliance.Status)))
  ) {
    return `Compliance.Status must be one of ${COMPLIANCE_STATUSES.join(', ')}`;
  }
  if (
    finding.RecordState !== undefined &&
    finding.RecordState !== 'ACTIVE' &&
    finding.RecordState !== 'ARCHIVED'
  ) {
    return 'RecordState must be ACTIVE or ARCHIVED';
  }
  const provider = finding.FindingProviderFields;
  if (provider !== undefined) {
    if (!isJsonObject(provider)) return 'FindingProviderFields must be a structure';
    if (provider.Severity !== undefined) {
      const issue = severityProblem(provider.Severity, 'FindingProviderFields.Severity');
      if (issue !== undefined) return issue;
    }
    if (provider.Types !== undefined) {
      const issue = typesProblem(provider.Types, 'FindingProviderFields.Types');
      if (issue !== undefined) return issue;
    }
  }
  if (Buffer.byteLength(JSON.stringify(finding), 'utf8') > MAX_FINDING_BYTES) return 'Finding exceeds 240 KB';
  return undefined;
}

function productFieldsProblem(fields: unknown): string | undefined {
  if (fields === undefined) return undefined;
  if (!isJsonObject(fields)) return 'ProductFields must be a map of strings';
  const entries = Object.entries(fields);
  if (entries.length > 50) return 'ProductFields may hold at most 50 pairs';
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128)
      return `ProductFields key ${JSON.stringify(key.slice(0, 40))} must be 1 to 128 characters`;
    if (typeof value !== 'string' || value.length > 2048)
      return `ProductFields value of ${key} must be a string of at most 2048 characters`;
    // FieldMap values are NonEmptyString (pattern .*\S.*): blank values fail the import.
    if (value.trim() === '') return `ProductFields value of ${key} must not be empty or blank`;
    // Security Hub reserves the aws/ namespace for its own fields.
    if (key.toLowerCase().startsWith('aws/')) return `ProductFields key ${key} uses the reserved aws/ prefix`;
  }
  return undefined;
}

/** `product/<company>/<product>` of a Security Hub product ARN (the default product's company is the account). */
const PRODUCT_ARN = /^arn:[a-z-]+:securityhub:[a-z0-9-]*:(\d{12})?:product\/([^/]+)\/([^/]+)$/;

/**
 * With the default product ARN only the finding's own account may import it: another account's
 * AwsAccountId, or another account's (or a partner's) product, denies the whole call, as AWS
 * Support confirmed for BatchImportFindings (AccessDeniedException on the product resource).
 */
function crossAccountDenial(findings: readonly unknown[], ctx: CallContext): AwsApiError | undefined {
  const account = ctx.world.accountId;
  for (const raw of findings) {
    if (!isJsonObject(raw) || typeof raw.ProductArn !== 'string') continue;
    const product = PRODUCT_ARN.exec(raw.ProductArn);
    const ownProduct = product !== null && product[2] === account && product[3] === 'default';
    const foreignFinding = typeof raw.AwsAccountId === 'string' && raw.AwsAccountId !== account;
    if ((product !== null && !ownProduct) || foreignFinding) {
      const who =
        ctx.caller === undefined ? `arn:${ctx.world.partition}:iam::${account}:root` : callerArn(ctx.caller);
      return new AwsApiError(
        'AccessDeniedException',
        `User: ${who} is not authorized to perform: securityhub:BatchImportFindings on resource: ${raw.ProductArn}`,
        403,
      );
    }
  }
  return undefined;
}

const batchImportFindings: SecurityHubOperation = (input, ctx) => {
  const findings = input.optionalArray('Findings');
  if (findings === undefined || findings.length === 0 || findings.length > 100) {
    throw new AwsApiError('InvalidInputException', 'Findings must contain between 1 and 100 findings.');
  }
  const denial = crossAccountDenial(findings, ctx);
  if (denial !== undefined) throw denial;
  const store = ctx.world.region(ctx.region).findings;
  const failed: JsonObject[] = [];
  for (const raw of findings) {
    const finding = isJsonObject(raw) ? raw : {};
    const id = typeof finding.Id === 'string' ? finding.Id : '';
    const problem = findingProblem(finding, ctx);
    if (problem !== undefined) {
      failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: problem });
      continue;
    }
    const key = findingKey(finding.ProductArn as string, id);
    const stored = store.get(key);
    if (stored !== undefined && Date.parse(finding.UpdatedAt as string) <= Date.parse(stored.UpdatedAt))
      continue;
    const record: JsonObject = {
      ...(isDefaultProduct(finding.ProductArn as string) ? DEFAULT_PRODUCT : {}),
      ...finding,
      Region: typeof finding.Region === 'string' ? finding.Region : ctx.region,
      RecordState: finding.RecordState ?? 'ACTIVE',
      Workflow: finding.Workflow ?? { Status: 'NEW' },
      WorkflowState: finding.WorkflowState ?? 'NEW',
    };
    if (stored !== undefined) {
      for (const field of CUSTOMER_FIELDS) {
        if (stored[field] === undefined) delete record[field];
        else record[field] = stored[field];
      }
    }
    store.set(key, structuredClone(record) as StoredFinding);
  }
  return {
    FailedCount: failed.length,
    SuccessCount: findings.length - failed.length,
    FailedFindings: failed,
  };
};

const getFindings: SecurityHubOperation = (input, ctx) => {
  const filters = input.optionalObject('Filters') ?? {};
  const tests = predicates(filters, ctx.world.now);
  const sortCriteria = input.optionalArray('SortCriteria');
  const pageSize = input.int('MaxResults', 1, 100, 100);
  const findings = [...ctx.world.region(ctx.region).findings.values()]
    .filter((finding) => tests.every((test) => test(finding)))
    .sort(sorter(sortCriteria));
  const scope = JSON.stringify([filters, sortCriteria ?? null]);
  const { items, nextToken } = paginate(findings, input.optionalString('NextToken'), pageSize, scope, () => {
    return new AwsApiError('InvalidInputException', 'The NextToken is not valid.');
  });
  return { Findings: items, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
};

/** restJson1 routes: method and path decide the operation. */
export function securityHubRoute(method: string, path: string): string | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/findings/import') return 'BatchImportFindings';
  if (path === '/findings') return 'GetFindings';
  return undefined;
}

const operations: Readonly<Record<string, SecurityHubOperation>> = {
  BatchImportFindings: batchImportFindings,
  GetFindings: getFindings,
};

export function securityHubOperation(name: string): SecurityHubOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}

export const securityHubInput = (body: JsonObject): JsonInput => new JsonInput(body, 'InvalidInputException');
