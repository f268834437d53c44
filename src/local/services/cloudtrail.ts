/**
 * CloudTrail LookupEvents over awsJson1_1, served from the world's raw records of the caller's
 * Region: newest first, one lookup attribute, a time window and NextToken pages of ≤50.
 */
import type { CloudTrailRecord } from '../world/world.ts';
import {
  AwsApiError,
  type CallContext,
  epochSeconds,
  isJsonObject,
  type JsonInput,
  type JsonObject,
  paginate,
} from './wire.ts';

type CloudTrailOperation = (input: JsonInput, ctx: CallContext) => JsonObject;

const ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

interface LookupResource {
  readonly ResourceType: string;
  readonly ResourceName: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function identityOf(record: CloudTrailRecord): Record<string, unknown> {
  return isJsonObject(record.userIdentity) ? record.userIdentity : {};
}

/** The `Username` CloudTrail shows: the IAM user name, the role session name, or `root`. */
function usernameOf(record: CloudTrailRecord): string | undefined {
  const identity = identityOf(record);
  switch (identity.type) {
    case 'IAMUser':
      return text(identity.userName);
    case 'AssumedRole':
      return text(identity.arn)?.split('/').at(-1);
    case 'Root':
      return 'root';
    case 'FederatedUser':
      return text(identity.arn)?.split('/').at(-1);
    default:
      return text(identity.userName);
  }
}

/**
 * Resources as LookupEvents derives them: the record's own `resources`, plus what the request
 * names (IAM users/roles, SSM documents and targets, and for AssumeRole* the role, the new
 * session and its access key, which is how a session's AssumeRole record is found).
 */
function resourcesOf(record: CloudTrailRecord): LookupResource[] {
  const found: LookupResource[] = [];
  const add = (type: string, name: unknown): void => {
    const value = text(name);
    if (value !== undefined && !found.some((r) => r.ResourceType === type && r.ResourceName === value)) {
      found.push({ ResourceType: type, ResourceName: value });
    }
  };
  if (Array.isArray(record.resources)) {
    for (const resource of record.resources) {
      if (isJsonObject(resource) && typeof resource.type === 'string') add(resource.type, resource.ARN);
    }
  }
  const params = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const response = isJsonObject(record.responseElements) ? record.responseElements : {};
  add('AWS::IAM::User', params.userName);
  add('AWS::IAM::Role', params.roleName);
  if (record.eventName.startsWith('AssumeRole')) {
    add('AWS::IAM::Role', params.roleArn);
    const credentials = isJsonObject(response.credentials) ? response.credentials : {};
    add('AWS::IAM::AccessKey', credentials.accessKeyId);
    const assumed = isJsonObject(response.assumedRoleUser) ? response.assumedRoleUser : {};
    add('AWS::STS::AssumedRole', assumed.arn);
  }
  if (record.eventSource === 'ssm.amazonaws.com') {
    add('AWS::SSM::Document', params.name ?? params.documentName);
    add('AWS::SSM::ManagedInstance', params.target);
    add('AWS::SSM::Session', params.sessionId ?? response.sessionId);
  }
  return found;
}

function attributeOf(record: CloudTrailRecord, key: AttributeKey): string[] {
  const one = (value: unknown): string[] => {
    const t = typeof value === 'boolean' ? String(value) : text(value);
    return t === undefined ? [] : [t];
  };
  switch (key) {
    case 'EventId':
      return one(record.eventID);
    case 'EventName':
      return [record.eventName];
    case 'ReadOnly':
      return one(record.readOnly);
    case 'Username':
      return one(usernameOf(record));
    case 'EventSource':
      return one(record.eventSource);
    case 'AccessKeyId':
      return one(identityOf(record).accessKeyId);
    case 'ResourceType':
      return resourcesOf(record).map((r) => r.ResourceType);
    case 'ResourceName':
      return resourcesOf(record).map((r) => r.ResourceName);
  }
}

function lookupAttribute(input: JsonInput): { key: AttributeKey; value: string } | undefined {
  const list = input.optionalArray('LookupAttributes') ?? [];
  if (list.length > 1) {
    throw new AwsApiError(
      'InvalidLookupAttributesException',
      'You cannot specify more than one lookup attribute.',
    );
  }
  const [first] = list;
  if (first === undefined) return undefined;
  if (!isJsonObject(first) || typeof first.AttributeValue !== 'string' || first.AttributeValue === '') {
    throw new AwsApiError(
      'InvalidLookupAttributesException',
      'A lookup attribute needs an AttributeKey and an AttributeValue.',
    );
  }
  const key = ATTRIBUTE_KEYS.find((k) => k === first.AttributeKey);
  if (key === undefined) {
    throw new AwsApiError(
      'InvalidLookupAttributesException',
      `AttributeKey must be one of ${ATTRIBUTE_KEYS.join(', ')}.`,
    );
  }
  return { key, value: first.AttributeValue };
}

const lookupEvents: CloudTrailOperation = (input, ctx) => {
  const attribute = lookupAttribute(input);
  const start = input.optionalTime('StartTime');
  const end = input.optionalTime('EndTime');
  if (start !== undefined && end !== undefined && start > end) {
    throw new AwsApiError('InvalidTimeRangeException', 'StartTime must be before EndTime.');
  }
  const category = input.optionalString('EventCategory');
  if (category !== undefined && category !== 'insight') {
    throw new AwsApiError('InvalidEventCategoryException', 'EventCategory must be insight.');
  }
  const pageSize = input.int('MaxResults', 1, 50, 50, 'InvalidMaxResultsException');
  // Insight events are not part of the world.
  const records = category === 'insight' ? [] : ctx.world.region(ctx.region).cloudTrail;
  const matching = records
    .filter((record) => {
      const time = Date.parse(record.eventTime);
      if (start !== undefined && time < start) return false;
      if (end !== undefined && time > end) return false;
      return attribute === undefined || attributeOf(record, attribute.key).includes(attribute.value);
    })
    .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  const scope = JSON.stringify([attribute, start, end]);
  const { items, nextToken } = paginate(matching, input.optionalString('NextToken'), pageSize, scope, () => {
    return new AwsApiError(
      'InvalidNextTokenException',
      'A token that is not valid, or a token that was previously used in a request with different parameters.',
    );
  });
  return {
    Events: items.map((record) => {
      const username = usernameOf(record);
      const accessKeyId = text(identityOf(record).accessKeyId);
      return {
        EventId: text(record.eventID) ?? '',
        EventName: record.eventName,
        ReadOnly: String(record.readOnly ?? 'false'),
        ...(accessKeyId === undefined ? {} : { AccessKeyId: accessKeyId }),
        EventTime: epochSeconds(record.eventTime),
        EventSource: text(record.eventSource) ?? '',
        ...(username === undefined ? {} : { Username: username }),
        Resources: resourcesOf(record),
        CloudTrailEvent: JSON.stringify(record),
      };
    }),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
};

const operations: Readonly<Record<string, CloudTrailOperation>> = { LookupEvents: lookupEvents };

export function cloudTrailOperation(name: string): CloudTrailOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}
