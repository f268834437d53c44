/**
 * `asff`: the findings as a JSON array a finding provider can send to BatchImportFindings.
 * Only the fields a provider sets are kept; what Security Hub fills in or owns is dropped:
 * Region, ProductName, CompanyName, ProcessedAt, AwsAccountName, Sample, the customer's
 * Workflow, WorkflowState, Note, UserDefinedFields, VerificationState, Severity.Normalized
 * (when Label is set), control-only Compliance fields and the reserved `aws/` product fields.
 * Send each finding in the Region of its ProductArn, at most 100 per call.
 */
import type { ReportFinding, ReportInput } from './reportInput.ts';

type Json = Readonly<Record<string, unknown>>;

/** Top-level fields this project writes, all provider-owned. */
const PROVIDER_FIELDS = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'FirstObservedAt',
  'LastObservedAt',
  'Severity',
  'Title',
  'Description',
  'Remediation',
  'ProductFields',
  'Resources',
  'Compliance',
  'RecordState',
  'FindingProviderFields',
] as const;

const COMPLIANCE_PROVIDER_FIELDS = ['Status', 'StatusReasons', 'RelatedRequirements'] as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pick = (value: Json, keys: readonly string[]): Json =>
  Object.fromEntries(keys.filter((key) => Object.hasOwn(value, key)).map((key) => [key, value[key]]));

/** Security Hub derives Normalized from Label: keeping both could only disagree. */
const severity = (value: unknown): unknown => {
  if (!isObject(value)) return value;
  return value.Label === undefined
    ? pick(value, ['Normalized', 'Original'])
    : pick(value, ['Label', 'Original']);
};

/** Security Hub adds `aws/securityhub/…` keys when it stores a finding; a provider may not send them. */
const productFields = (value: unknown): unknown =>
  isObject(value)
    ? Object.fromEntries(Object.entries(value).filter(([key]) => !key.toLowerCase().startsWith('aws/')))
    : value;

const providerFinding = (finding: ReportFinding): Json => {
  const raw = finding as unknown as Json;
  const out: Record<string, unknown> = { ...pick(raw, PROVIDER_FIELDS) };
  if (out.Severity !== undefined) out.Severity = severity(out.Severity);
  if (out.ProductFields !== undefined) out.ProductFields = productFields(out.ProductFields);
  if (isObject(out.Compliance)) out.Compliance = pick(out.Compliance, COMPLIANCE_PROVIDER_FIELDS);
  if (isObject(out.FindingProviderFields) && out.FindingProviderFields.Severity !== undefined) {
    out.FindingProviderFields = {
      ...out.FindingProviderFields,
      Severity: severity(out.FindingProviderFields.Severity),
    };
  }
  return out;
};

export const asffFindings = (input: ReportInput): Json[] => input.findings.map(providerFinding);

export const asffReport = (input: ReportInput): string => `${JSON.stringify(asffFindings(input), null, 2)}\n`;
