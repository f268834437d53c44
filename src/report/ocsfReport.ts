/**
 * `ocsf`: each finding as an OCSF 1.6.0 event (the version the new Security Hub reads): a
 * Detection Finding (class 2004) for what a session did (`session`, `active-session`), a
 * Compliance Finding (class 2003) for how a principal or a document is set up (`principal`,
 * `preferences`). Timestamps are epoch milliseconds, with the RFC 3339 `_dt` twins of the
 * `datetime` profile. Product fields placed in an OCSF attribute leave `unmapped`; the others
 * stay there under their own keys, so nothing a user filters on is lost.
 */
import { epochMs, type FindingView, findingView, type ResourceView } from './findingView.ts';
import { RUN_AS_FIELDS } from './productFields.ts';
import type { ReportInput, ReportOptions } from './reportInput.ts';

export const OCSF_VERSION = '1.6.0';
export const PRODUCT_NAME = 'ssm-runas-auditor';

type Json = Record<string, unknown>;

const DETECTION = { uid: 2004, name: 'Detection Finding' } as const;
const COMPLIANCE = { uid: 2003, name: 'Compliance Finding' } as const;
const DETECTION_CHECKS: ReadonlySet<string> = new Set(['session', 'active-session']);

const SEVERITY_IDS: Readonly<Record<string, readonly [number, string]>> = {
  INFORMATIONAL: [1, 'Informational'],
  LOW: [2, 'Low'],
  MEDIUM: [3, 'Medium'],
  HIGH: [4, 'High'],
  CRITICAL: [5, 'Critical'],
};

/** ASFF Compliance.Status → compliance.status_id; NOT_AVAILABLE has no OCSF twin (Other). */
const COMPLIANCE_IDS: Readonly<Record<string, readonly [number, string]>> = {
  PASSED: [1, 'Pass'],
  WARNING: [2, 'Warning'],
  FAILED: [3, 'Fail'],
  NOT_AVAILABLE: [99, 'Not Available'],
};

/** Security Hub's Workflow.Status → the finding's status_id. */
const WORKFLOW_IDS: Readonly<Record<string, readonly [number, string]>> = {
  NEW: [1, 'New'],
  NOTIFIED: [2, 'In Progress'],
  SUPPRESSED: [3, 'Suppressed'],
  RESOLVED: [4, 'Resolved'],
};

const OS_TYPES: Readonly<Record<string, number>> = { Linux: 200, MacOS: 300, Windows: 100 };

const lookup = (
  table: Readonly<Record<string, readonly [number, string]>>,
  key: string,
  fallback: readonly [number, string],
): readonly [number, string] => (Object.hasOwn(table, key) ? (table[key] ?? fallback) : fallback);

/** `{name: ms, name_dt: iso}` for a valid time, nothing otherwise. */
const timeFields = (name: string, iso: string): Json => {
  const ms = epochMs(iso);
  return ms === undefined ? {} : { [name]: ms, [`${name}_dt`]: new Date(ms).toISOString() };
};

const activityOf = (view: FindingView): readonly [number, string] => {
  if (view.recordState === 'ARCHIVED') return [3, 'Close'];
  const created = epochMs(view.createdAt);
  const updated = epochMs(view.updatedAt);
  return created !== undefined && updated !== undefined && updated > created ? [2, 'Update'] : [1, 'Create'];
};

const statusOf = (view: FindingView): readonly [number, string] =>
  view.recordState === 'ARCHIVED' ? [5, 'Archived'] : lookup(WORKFLOW_IDS, view.workflowStatus, [1, 'New']);

const partitionOf = (view: FindingView): string =>
  view.resources.find((r) => r.partition !== '')?.partition ?? view.productArn.split(':')[1] ?? '';

const PRINCIPAL_TYPES: ReadonlySet<string> = new Set(['AwsIamUser', 'AwsIamRole']);

const resourceDetails =
  (detection: boolean, view: FindingView) => (resource: ResourceView, index: number) => {
    const isPrincipal = PRINCIPAL_TYPES.has(resource.type) || resource.id === view.fields.principal;
    // A detection's principal acted; in a compliance check the first resource is the subject.
    const [roleId, role] = detection
      ? isPrincipal
        ? [2, 'Actor']
        : [1, 'Target']
      : index === 0
        ? [1, 'Target']
        : [4, 'Related'];
    return {
      uid: resource.id,
      type: resource.type,
      role_id: roleId,
      role,
      ...(resource.region === '' ? {} : { region: resource.region }),
      ...(resource.partition === '' ? {} : { cloud_partition: resource.partition }),
    };
  };

/** Marks the product fields an OCSF attribute took, so `unmapped` keeps only the rest. */
class FieldTaker {
  readonly taken = new Set<string>();
  constructor(private readonly view: FindingView) {}
  take(key: string): string {
    const value = this.view.productFields[key] ?? '';
    if (value !== '') this.taken.add(key);
    return value;
  }
  rest(): Json {
    return Object.fromEntries(
      Object.entries(this.view.productFields).filter(([key]) => !this.taken.has(key)),
    );
  }
}

/** The node (finding-level `device`) with its OS, when the finding names one. */
const deviceOf = (view: FindingView, fields: FieldTaker): Json | undefined => {
  const target = fields.take(RUN_AS_FIELDS.target);
  if (target === '') return undefined;
  const ec2 = /^i-[0-9a-f]+$/.test(target);
  const platform = view.fields.platform;
  const osType = Object.hasOwn(OS_TYPES, platform) ? OS_TYPES[platform] : undefined;
  if (osType !== undefined) fields.take(RUN_AS_FIELDS.platform);
  return {
    uid: target,
    ...(ec2 ? { instance_uid: target, type_id: 6, type: 'Virtual' } : { type_id: 0, type: 'Unknown' }),
    ...(view.region === '' ? {} : { region: view.region }),
    ...(osType === undefined ? {} : { os: { name: platform, type_id: osType } }),
  };
};

/** Who started the session and as which OS user it ran: the StartSession call as evidence. */
const evidenceOf = (view: FindingView, fields: FieldTaker): Json[] => {
  const principal = fields.take(RUN_AS_FIELDS.principal);
  const osUser = fields.take(RUN_AS_FIELDS.sessionUser);
  const kind = /^arn:[^:]+:iam::\d{12}:(user|role)\//.exec(principal)?.[1];
  const evidence: Json = {
    api: { operation: 'StartSession', service: { name: 'ssm.amazonaws.com' } },
    ...(principal === ''
      ? {}
      : {
          actor: {
            user: {
              uid: principal,
              ...(kind === undefined
                ? {}
                : {
                    account: {
                      uid: view.accountId,
                      type_id: kind === 'user' ? 3 : 4,
                      type: kind === 'user' ? 'AWS IAM User' : 'AWS IAM Role',
                    },
                  }),
            },
          },
        }),
    ...(osUser === '' ? {} : { user: { name: osUser } }),
  };
  return [evidence];
};

export const ocsfEvent = (view: FindingView, options: ReportOptions = {}): Json => {
  const fields = new FieldTaker(view);
  const check = fields.take(RUN_AS_FIELDS.check);
  const outcome = fields.take(RUN_AS_FIELDS.outcome);
  const detection = DETECTION_CHECKS.has(check);
  const cls = detection ? DETECTION : COMPLIANCE;
  const [activityId, activityName] = activityOf(view);
  const [severityId, severity] = lookup(SEVERITY_IDS, view.severity, [0, 'Unknown']);
  const [statusId, status] = statusOf(view);
  const partition = partitionOf(view);
  // `time` is required: a finding whose times are unreadable is placed at the epoch rather than dropped.
  const time = timeFields('time', view.updatedAt || view.createdAt);
  const device = detection ? deviceOf(view, fields) : undefined;
  const classFields: Json = detection
    ? {
        is_alert: view.compliance === 'FAILED' && view.recordState === 'ACTIVE',
        ...(device === undefined ? {} : { device }),
        evidences: evidenceOf(view, fields),
      }
    : {
        compliance: {
          control: view.generatorId,
          status_id: lookup(COMPLIANCE_IDS, view.compliance, [0, 'Unknown'])[0],
          status: lookup(COMPLIANCE_IDS, view.compliance, [0, 'Unknown'])[1],
          ...(view.compliance === '' ? {} : { status_code: view.compliance }),
          ...(outcome === '' ? {} : { status_detail: outcome }),
        },
      };
  const unmapped: Json = {
    ...(detection && view.compliance !== '' ? { 'Compliance.Status': view.compliance } : {}),
    ...fields.rest(),
  };
  return {
    category_uid: 2,
    category_name: 'Findings',
    class_uid: cls.uid,
    class_name: cls.name,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: cls.uid * 100 + activityId,
    type_name: `${cls.name}: ${activityName}`,
    severity_id: severityId,
    severity,
    status_id: statusId,
    status,
    ...(outcome === '' ? {} : { status_code: outcome }),
    ...(time.time === undefined ? { time: 0 } : time),
    message: view.title,
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud', 'datetime'],
      uid: `${view.id}@${view.updatedAt}`,
      original_time: view.updatedAt,
      product: {
        name: PRODUCT_NAME,
        vendor_name: PRODUCT_NAME,
        ...(options.productVersion === undefined ? {} : { version: options.productVersion }),
        ...(check === '' ? {} : { feature: { name: check, uid: view.generatorId } }),
      },
    },
    cloud: {
      provider: 'AWS',
      ...(view.region === '' ? {} : { region: view.region }),
      ...(partition === '' ? {} : { cloud_partition: partition }),
      ...(view.accountId === ''
        ? {}
        : { account: { uid: view.accountId, type_id: 10, type: 'AWS Account' } }),
    },
    finding_info: {
      uid: view.id,
      title: view.title,
      desc: view.description,
      types: view.types,
      product_uid: view.productArn,
      analytic: { uid: view.generatorId, name: check || view.generatorId, type_id: 1, type: 'Rule' },
      ...timeFields('created_time', view.createdAt),
      ...timeFields('modified_time', view.updatedAt),
      ...timeFields('first_seen_time', view.firstObservedAt),
      ...timeFields('last_seen_time', view.lastObservedAt),
    },
    resources: view.resources.map(resourceDetails(detection, view)),
    ...(view.remediation === ''
      ? {}
      : {
          remediation: {
            desc: view.remediation,
            ...(view.remediationUrl === '' ? {} : { references: [view.remediationUrl] }),
          },
        }),
    ...classFields,
    ...(Object.keys(unmapped).length === 0 ? {} : { unmapped }),
  };
};

export const ocsfEvents = (input: ReportInput, options: ReportOptions = {}): Json[] =>
  input.findings.map((finding) => ocsfEvent(findingView(finding), options));

export const ocsfReport = (input: ReportInput, options: ReportOptions = {}): string =>
  `${JSON.stringify(ocsfEvents(input, options), null, 2)}\n`;
