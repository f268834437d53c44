/**
 * GetFindings' filters and sort over stored findings: string, map and date filters with
 * Security Hub's comparison rules, and SortCriteria.
 */
import type { StoredFinding } from '../world/worldState.ts';
import { AwsApiError, isJsonObject, type JsonObject } from './wire.ts';

type Accessor = (finding: StoredFinding) => string[];

const field =
  (...path: string[]): Accessor =>
  (finding) => {
    let value: unknown = finding;
    for (const key of path) value = isJsonObject(value) ? value[key] : undefined;
    return typeof value === 'string' ? [value] : [];
  };

const resourcesField =
  (key: string): Accessor =>
  (finding) =>
    Array.isArray(finding.Resources)
      ? finding.Resources.flatMap((r: unknown) =>
          isJsonObject(r) && typeof r[key] === 'string' ? [r[key] as string] : [],
        )
      : [];

const STRING_FIELDS: Readonly<Record<string, Accessor>> = {
  ProductArn: field('ProductArn'),
  AwsAccountId: field('AwsAccountId'),
  Id: field('Id'),
  GeneratorId: field('GeneratorId'),
  Region: field('Region'),
  Type: (finding) =>
    Array.isArray(finding.Types) ? finding.Types.filter((t): t is string => typeof t === 'string') : [],
  Title: field('Title'),
  Description: field('Description'),
  SeverityLabel: field('Severity', 'Label'),
  ComplianceStatus: field('Compliance', 'Status'),
  RecordState: field('RecordState'),
  WorkflowStatus: field('Workflow', 'Status'),
  WorkflowState: field('WorkflowState'),
  VerificationState: field('VerificationState'),
  ProductName: field('ProductName'),
  CompanyName: field('CompanyName'),
  ResourceType: resourcesField('Type'),
  ResourceId: resourcesField('Id'),
  ResourcePartition: resourcesField('Partition'),
  ResourceRegion: resourcesField('Region'),
};

const MAP_FIELDS: Readonly<Record<string, (finding: StoredFinding) => unknown>> = {
  ProductFields: (finding) => finding.ProductFields,
  UserDefinedFields: (finding) => finding.UserDefinedFields,
};

const DATE_FIELDS = ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'];

const POSITIVE = new Set(['EQUALS', 'PREFIX', 'CONTAINS', 'CONTAINS_WORD']);
const NEGATIVE = new Set(['NOT_EQUALS', 'PREFIX_NOT_EQUALS', 'NOT_CONTAINS']);

function compare(value: string, wanted: string, comparison: string): boolean {
  switch (comparison) {
    case 'EQUALS':
    case 'NOT_EQUALS':
      return value === wanted;
    case 'PREFIX':
    case 'PREFIX_NOT_EQUALS':
      return value.startsWith(wanted);
    case 'CONTAINS_WORD':
      return value.split(/\W+/).includes(wanted);
    default:
      return value.includes(wanted);
  }
}

type Predicate = (finding: StoredFinding) => boolean;

function filterList(name: string, raw: unknown): JsonObject[] {
  if (!Array.isArray(raw) || raw.some((item) => !isJsonObject(item))) {
    throw new AwsApiError('InvalidInputException', `Filter ${name} must be a list of filters.`);
  }
  if (raw.length > 20)
    throw new AwsApiError('InvalidInputException', `Filter ${name} accepts at most 20 values.`);
  return raw as JsonObject[];
}

/**
 * Filters on one field: positive comparisons (EQUALS, PREFIX, CONTAINS) are OR'ed, negative
 * ones AND'ed, and a field must pass both groups, as Security Hub documents.
 */
function fieldPredicate(
  name: string,
  filters: JsonObject[],
  allowed: ReadonlySet<string>,
  valuesOf: (finding: StoredFinding, filter: JsonObject) => string[],
): Predicate {
  const comparisons = filters.map((f) => String(f.Comparison));
  for (const comparison of comparisons) {
    if (!allowed.has(comparison))
      throw new AwsApiError('InvalidInputException', `Comparison ${comparison} is not valid for ${name}.`);
  }
  const has = (c: string): boolean => comparisons.includes(c);
  if (
    (has('EQUALS') && (has('NOT_EQUALS') || has('PREFIX_NOT_EQUALS'))) ||
    (has('CONTAINS') && has('NOT_CONTAINS'))
  ) {
    throw new AwsApiError(
      'InvalidInputException',
      `Filter ${name} combines comparisons Security Hub does not allow together.`,
    );
  }
  for (const filter of filters) {
    if (typeof filter.Value !== 'string')
      throw new AwsApiError('InvalidInputException', `Filter ${name} needs a Value.`);
  }
  const positive = filters.filter((f) => POSITIVE.has(String(f.Comparison)));
  const negative = filters.filter((f) => NEGATIVE.has(String(f.Comparison)));
  return (finding) => {
    const matches = (filter: JsonObject): boolean =>
      valuesOf(finding, filter).some((value) =>
        compare(value, filter.Value as string, String(filter.Comparison)),
      );
    return (positive.length === 0 || positive.some(matches)) && negative.every((filter) => !matches(filter));
  };
}

function datePredicate(name: string, filters: JsonObject[], now: string): Predicate {
  const windows = filters.map((filter) => {
    const range = filter.DateRange;
    if (isJsonObject(range)) {
      if (typeof range.Value !== 'number' || range.Unit !== 'DAYS') {
        throw new AwsApiError('InvalidInputException', `Filter ${name} DateRange needs a Value in DAYS.`);
      }
      return { start: Date.parse(now) - range.Value * 86_400_000, end: Number.POSITIVE_INFINITY };
    }
    const bound = (value: unknown, fallback: number): number => {
      if (value === undefined) return fallback;
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms))
        throw new AwsApiError('InvalidInputException', `Filter ${name} has an invalid date.`);
      return ms;
    };
    return {
      start: bound(filter.Start, Number.NEGATIVE_INFINITY),
      end: bound(filter.End, Number.POSITIVE_INFINITY),
    };
  });
  return (finding) => {
    const value = finding[name];
    if (typeof value !== 'string') return false;
    const ms = Date.parse(value);
    return windows.some((w) => ms >= w.start && ms <= w.end);
  };
}

/** One test per filtered field; a finding is returned when it passes them all. */
export function predicates(filters: JsonObject, now: string): Predicate[] {
  return Object.entries(filters).map(([name, raw]) => {
    // Own keys only: a filter named `constructor` must not reach Object.prototype.
    const stringField = Object.hasOwn(STRING_FIELDS, name) ? STRING_FIELDS[name] : undefined;
    if (stringField !== undefined) {
      return fieldPredicate(name, filterList(name, raw), new Set([...POSITIVE, ...NEGATIVE]), (finding) =>
        stringField(finding),
      );
    }
    const mapField = Object.hasOwn(MAP_FIELDS, name) ? MAP_FIELDS[name] : undefined;
    if (mapField !== undefined) {
      const list = filterList(name, raw);
      for (const filter of list) {
        if (typeof filter.Key !== 'string')
          throw new AwsApiError('InvalidInputException', `Filter ${name} needs a Key.`);
      }
      const allowed = new Set(['EQUALS', 'NOT_EQUALS', 'CONTAINS', 'NOT_CONTAINS']);
      return fieldPredicate(name, list, allowed, (finding, filter) => {
        const map = mapField(finding);
        const value = isJsonObject(map) ? map[filter.Key as string] : undefined;
        return typeof value === 'string' ? [value] : [];
      });
    }
    if (DATE_FIELDS.includes(name)) return datePredicate(name, filterList(name, raw), now);
    throw new AwsApiError('InvalidInputException', `Filter ${name} is not supported by the local endpoint.`);
  });
}

/** SortCriteria (UpdatedAt descending when none), then Id, so pages are stable. */
export function sorter(criteria: unknown[] | undefined): (a: StoredFinding, b: StoredFinding) => number {
  const list = (criteria ?? []).map((criterion) => {
    if (!isJsonObject(criterion) || typeof criterion.Field !== 'string') {
      throw new AwsApiError('InvalidInputException', 'SortCriteria needs a Field.');
    }
    return { field: criterion.Field, direction: criterion.SortOrder === 'asc' ? 1 : -1 };
  });
  if (list.length === 0) list.push({ field: 'UpdatedAt', direction: -1 });
  list.push({ field: 'Id', direction: 1 });
  return (a, b) => {
    for (const { field: name, direction } of list) {
      const x = String(a[name] ?? '');
      const y = String(b[name] ?? '');
      if (x !== y) return x < y ? -direction : direction;
    }
    return 0;
  };
}
