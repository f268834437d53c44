/**
 * EventBridge "AWS API Call via CloudTrail" for IAM user and role changes that can move a Run As
 * mapping (tags, creation, deletion) → PrincipalChangeCommand. IAM is global: these events reach
 * EventBridge only in us-east-1 (or the partition's IAM Region). A failed call or another IAM API is
 * out of scope; anything malformed throws MalformedEventError naming the field.
 */
import { iamPrincipalArn, parsePrincipalArn } from '../domain/arn.ts';
import type { Principal } from '../domain/facts.ts';
import { IAM_NAME, isIamPath, MAX_IAM_PATH, type Partition } from '../domain/identifiers.ts';
import { RUN_AS_TAG } from '../domain/sessionManager.ts';
import { MalformedEventError } from '../errors.ts';
import { openEnvelope, parseApiCallRecord } from './envelope.ts';
import {
  asObject,
  type JsonObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  stringAt,
  valueAt,
} from './fields.ts';
import { type Intake, inScope, outOfScope } from './intake.ts';

export const PRINCIPAL_CHANGE_EVENTS = [
  'TagUser',
  'UntagUser',
  'TagRole',
  'UntagRole',
  'CreateUser',
  'CreateRole',
  'DeleteUser',
  'DeleteRole',
] as const;

export type PrincipalChangeEventName = (typeof PRINCIPAL_CHANGE_EVENTS)[number];

export const IAM_SOURCE = { source: 'aws.iam', eventSource: 'iam.amazonaws.com' } as const;

/** The IAM user or role whose mapping may have changed. */
export type ChangedPrincipal = Principal & { readonly kind: 'user' | 'role' };

export interface PrincipalChangeCommand {
  readonly eventId: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly eventTime: string;
  readonly eventName: PrincipalChangeEventName;
  readonly accountId: string;
  readonly partition: Partition;
  /**
   * The changed principal. Its ARN is built from partition, account, path and name; only
   * CreateUser/CreateRole carry the path, so for other events `pathKnown` is false and the path
   * is assumed to be "/" until IAM says otherwise.
   */
  readonly principal: ChangedPrincipal;
  readonly pathKnown: boolean;
  /** The SSMSessionRunAs key (any case) is among the tags set or the tag keys removed. */
  readonly runAsTagInvolved: boolean;
  /**
   * SSMSessionRunAs after the change, as the event says it: the value set, or null (removed, created
   * without it, deleted); undefined when the event does not touch it.
   */
  readonly runAsValue: string | null | undefined;
  /** DeleteUser / DeleteRole. */
  readonly deleted: boolean;
  /** Who made the change (the caller ARN as CloudTrail recorded it). */
  readonly changedBy: string;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(PRINCIPAL_CHANGE_EVENTS);
const isPrincipalChangeEvent = (name: string): name is PrincipalChangeEventName => KNOWN_EVENTS.has(name);

/** IAM allows at most 50 tags per principal; a request with more cannot have succeeded. */
const MAX_TAGS = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
const RUN_AS_KEY = RUN_AS_TAG.toLowerCase();

const base = 'detail.requestParameters';

/** `tags: [{ key, value }]`: checks each entry and returns them. */
const tagsOf = (requestParameters: JsonObject, required: boolean): [key: string, value: string][] => {
  const raw = valueAt(requestParameters, 'tags');
  const path = `${base}.tags`;
  if (raw === undefined || raw === null) {
    if (required) throw new MalformedEventError(path, 'is missing');
    return [];
  }
  if (!Array.isArray(raw)) throw new MalformedEventError(path, 'must be an array of { key, value }');
  if (raw.length > MAX_TAGS) throw new MalformedEventError(path, `has more than ${MAX_TAGS} tags`);
  return raw.map((item: unknown, index) => {
    const at = `${path}[${index}]`;
    const tag = asObject(item, at);
    const key = stringAt(tag, 'key', at, { max: MAX_TAG_KEY });
    const value = valueAt(tag, 'value');
    // IAM accepts an empty tag value.
    if (typeof value !== 'string') throw new MalformedEventError(`${at}.value`, 'must be a string');
    if (value.length > MAX_TAG_VALUE) {
      throw new MalformedEventError(`${at}.value`, `is longer than ${MAX_TAG_VALUE} characters`);
    }
    return [key, value];
  });
};

/** `tagKeys: ["…"]` of an untag call. */
const tagKeysRemoved = (requestParameters: JsonObject): string[] => {
  const raw = valueAt(requestParameters, 'tagKeys');
  const path = `${base}.tagKeys`;
  if (!Array.isArray(raw)) throw new MalformedEventError(path, 'must be an array of tag keys');
  if (raw.length > MAX_TAGS) throw new MalformedEventError(path, `has more than ${MAX_TAGS} keys`);
  return raw.map((key: unknown, index) => {
    const at = `${path}[${index}]`;
    if (typeof key !== 'string' || key.trim() === '') throw new MalformedEventError(at, 'must be a tag key');
    if (key.length > MAX_TAG_KEY)
      throw new MalformedEventError(at, `is longer than ${MAX_TAG_KEY} characters`);
    return key;
  });
};

const isRunAsKey = (key: string): boolean => key.toLowerCase() === RUN_AS_KEY;

/** The SSMSessionRunAs value of a tag list: the exact spelling first, any case otherwise. */
const runAsValueOf = (tags: readonly [string, string][]): string | undefined =>
  (tags.find(([key]) => key === RUN_AS_TAG) ?? tags.find(([key]) => isRunAsKey(key)))?.[1];

/** Whether the change touches SSMSessionRunAs, and its value after the change. */
const runAsChange = (
  eventName: PrincipalChangeEventName,
  requestParameters: JsonObject,
): { involved: boolean; value: string | null | undefined } => {
  switch (eventName) {
    case 'TagUser':
    case 'TagRole': {
      const value = runAsValueOf(tagsOf(requestParameters, true));
      return { involved: value !== undefined, value };
    }
    case 'UntagUser':
    case 'UntagRole': {
      const involved = tagKeysRemoved(requestParameters).some(isRunAsKey);
      return { involved, value: involved ? null : undefined };
    }
    case 'CreateUser':
    case 'CreateRole': {
      const value = runAsValueOf(tagsOf(requestParameters, false));
      return { involved: value !== undefined, value: value ?? null };
    }
    case 'DeleteUser':
    case 'DeleteRole':
      return { involved: false, value: null };
  }
};

/**
 * CreateUser / CreateRole responseElements.user|role.arn, when present: it names the path for
 * sure. It must be this account's principal of that kind and name.
 */
const createdPath = (
  detail: JsonObject,
  kind: 'user' | 'role',
  name: string,
  accountId: string,
): string | undefined => {
  const responseElements = optionalObjectAt(detail, 'responseElements', 'detail');
  if (responseElements === undefined) return undefined;
  const created = optionalObjectAt(responseElements, kind, 'detail.responseElements');
  if (created === undefined) return undefined;
  const at = `detail.responseElements.${kind}`;
  const arn = optionalStringAt(created, 'arn', at);
  if (arn === undefined) return undefined;
  const parsed = parsePrincipalArn(arn);
  if (parsed.ok) {
    const found = parsed.arn;
    if (found.kind === kind && found.accountId === accountId && found.name === name) return found.path;
  } else if (parsed.problem === 'bad-path') {
    throw new MalformedEventError(`${at}.arn`, 'has an invalid IAM path');
  }
  throw new MalformedEventError(`${at}.arn`, `must be the ARN of ${kind} ${name} in account ${accountId}`);
};

const requestedPath = (requestParameters: JsonObject): string | undefined =>
  optionalStringAt(requestParameters, 'path', base, {
    max: MAX_IAM_PATH,
    pattern: isIamPath,
    expected: 'an IAM path such as "/" or "/ops/"',
  });

/** `now` is the clock (epoch ms): an event dated more than 15 minutes after it is malformed. */
export const parsePrincipalChangeEvent = (
  event: unknown,
  now: number = Date.now(),
): Intake<PrincipalChangeCommand> => {
  const { envelope, detail, eventName } = openEnvelope(event, IAM_SOURCE);
  if (!isPrincipalChangeEvent(eventName)) return outOfScope(`${eventName} does not change a Run As mapping`);
  const record = parseApiCallRecord(detail, envelope, now);
  if (record.errorCode !== null) return outOfScope(`${eventName} failed (${record.errorCode})`);

  const kind = eventName.endsWith('User') ? 'user' : 'role';
  const requestParameters = objectAt(detail, 'requestParameters', 'detail');
  const name = stringAt(requestParameters, kind === 'user' ? 'userName' : 'roleName', base, {
    max: 128,
    pattern: IAM_NAME,
    expected: `an IAM ${kind} name`,
  });
  const creates = eventName === 'CreateUser' || eventName === 'CreateRole';
  const asked = creates ? requestedPath(requestParameters) : undefined;
  const answered = creates ? createdPath(detail, kind, name, record.accountId) : undefined;
  // IAM creates a principal at "/" when the request names no path.
  const path = answered ?? asked ?? '/';
  const arn = iamPrincipalArn(record.partition, record.accountId, kind, path, name);
  const runAs = runAsChange(eventName, requestParameters);

  return inScope({
    eventId: record.eventId,
    eventTime: record.eventTime,
    eventName,
    accountId: record.accountId,
    partition: record.partition,
    principal: {
      kind,
      arn,
      accountId: record.accountId,
      name,
      path,
      callerArn: arn,
      accessKeyId: '',
    },
    pathKnown: creates,
    runAsTagInvolved: runAs.involved,
    runAsValue: runAs.value,
    deleted: eventName === 'DeleteUser' || eventName === 'DeleteRole',
    changedBy: record.principal.callerArn,
  });
};
