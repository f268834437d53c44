/**
 * One finding as the formatters see it: every top-level ASFF field they use, read once and
 * defensively (a stored finding may miss optional fields or carry service-managed ones).
 */
import { allProductFields, type RunAsFields, readRunAsFields } from './productFields.ts';
import type { ReportFinding } from './reportInput.ts';

export interface ResourceView {
  readonly type: string;
  readonly id: string;
  readonly partition: string;
  readonly region: string;
}

export interface FindingView {
  readonly id: string;
  readonly productArn: string;
  readonly generatorId: string;
  readonly accountId: string;
  readonly region: string;
  readonly types: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly firstObservedAt: string;
  readonly lastObservedAt: string;
  readonly title: string;
  readonly description: string;
  /** Severity.Label ('' when the finding has none). */
  readonly severity: string;
  /** Compliance.Status ('' when absent). */
  readonly compliance: string;
  readonly recordState: string;
  /** Workflow.Status as Security Hub keeps it ('' when absent). */
  readonly workflowStatus: string;
  readonly remediation: string;
  readonly remediationUrl: string;
  readonly resources: readonly ResourceView[];
  readonly fields: RunAsFields;
  /** Every string product field, known or not (OCSF `unmapped`, CSV's extra columns). */
  readonly productFields: Readonly<Record<string, string>>;
}

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const member = (value: unknown, key: string): unknown =>
  isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const at = (value: unknown, ...path: string[]): string =>
  text(path.reduce<unknown>((node, key) => member(node, key), value));

const resourceOf = (value: unknown): ResourceView[] =>
  isObject(value)
    ? [
        {
          type: at(value, 'Type'),
          id: at(value, 'Id'),
          partition: at(value, 'Partition'),
          region: at(value, 'Region'),
        },
      ]
    : [];

export const findingView = (finding: ReportFinding): FindingView => {
  const raw: unknown = finding;
  const types = member(raw, 'Types');
  const resources = member(raw, 'Resources');
  const productFields = member(raw, 'ProductFields');
  const updatedAt = at(raw, 'UpdatedAt');
  return {
    id: at(raw, 'Id'),
    productArn: at(raw, 'ProductArn'),
    generatorId: at(raw, 'GeneratorId'),
    accountId: at(raw, 'AwsAccountId'),
    region: at(raw, 'Region'),
    types: Array.isArray(types) ? types.filter((t): t is string => typeof t === 'string') : [],
    createdAt: at(raw, 'CreatedAt'),
    updatedAt,
    firstObservedAt: at(raw, 'FirstObservedAt'),
    lastObservedAt: at(raw, 'LastObservedAt') || updatedAt,
    title: at(raw, 'Title'),
    description: at(raw, 'Description'),
    severity: at(raw, 'Severity', 'Label'),
    compliance: at(raw, 'Compliance', 'Status'),
    recordState: at(raw, 'RecordState') || 'ACTIVE',
    workflowStatus: at(raw, 'Workflow', 'Status'),
    remediation: at(raw, 'Remediation', 'Recommendation', 'Text'),
    remediationUrl: at(raw, 'Remediation', 'Recommendation', 'Url'),
    resources: Array.isArray(resources) ? resources.flatMap(resourceOf) : [],
    fields: readRunAsFields(productFields),
    productFields: allProductFields(productFields),
  };
};

/** Severity labels from most to least severe; anything else ranks after them. */
export const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;

export const severityRank = (label: string): number => {
  const index = (SEVERITY_ORDER as readonly string[]).indexOf(label);
  return index === -1 ? SEVERITY_ORDER.length : index;
};

/** ISO-8601 → epoch ms, or undefined when it is not a time. */
export const epochMs = (iso: string): number | undefined => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};
