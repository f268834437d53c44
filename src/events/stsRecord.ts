/**
 * A CloudTrail record of an STS call that issues credentials with session tags (AssumeRole,
 * AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetFederationToken) → the identity record the
 * state table keeps. Accepts the EventBridge event or the raw record (LookupEvents, trail log
 * files); a raw record is read as the event's `detail`, so field names are the same either way.
 * Failed calls, other STS calls and records without session tags are out of scope (nothing was
 * issued, or the role's own tags apply); anything malformed throws MalformedEventError.
 */
import {
  type IdentityRecord,
  ISSUE_TIME_SLACK_MS,
  MAX_CREDENTIAL_LIFETIME_MS,
  type StsEventName,
} from '../domain/identity.ts';
import { isRecord } from '../domain/json.ts';
import { MalformedEventError } from '../errors.ts';
import { type ApiCallRecord, openEnvelope, parseApiCallRecord } from './envelope.ts';
import {
  asObject,
  isoTimeAt,
  type JsonObject,
  objectAt,
  optionalObjectAt,
  optionalStringAt,
  stringAt,
  valueAt,
} from './fields.ts';
import { type Intake, inScope, outOfScope } from './intake.ts';

export const STS_SOURCE = { source: 'aws.sts', eventSource: 'sts.amazonaws.com' } as const;

const ISSUING_CALLS: ReadonlySet<string> = new Set<StsEventName>([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetFederationToken',
]);

const isIssuingCall = (eventName: string): eventName is StsEventName => ISSUING_CALLS.has(eventName);

const REQUEST = 'detail.requestParameters';
const RESPONSE = 'detail.responseElements';
const CREDENTIALS = `${RESPONSE}.credentials`;
const ACCESS_KEY_ID = /^\w{16,128}$/;
const PARTITION = '(aws|aws-cn|aws-us-gov)';
const NAME = '[\\w+=,.@-]';
const ASSUMED_ROLE_ARN = new RegExp(
  `^arn:${PARTITION}:sts::(\\d{12}):assumed-role/(${NAME}{1,64})/(${NAME}{2,64})$`,
);
const FEDERATED_USER_ARN = new RegExp(`^arn:${PARTITION}:sts::(\\d{12}):federated-user/(${NAME}{2,32})$`);
const ROLE_ARN = new RegExp(
  `^arn:${PARTITION}:iam::(\\d{12}):role/(?:[\\x21-\\x7e]{1,510}/)?(${NAME}{1,64})$`,
);
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
/** STS `Tag` patterns, counted in characters (code points). */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** STS accepts up to 50 session tags per call (and as many transitive keys). */
const MAX_TAGS = 50;

type Entry = readonly [key: string, value: string, path: string];

const KEY_RULE = 'must be an STS tag key (1 to 128 letters, digits, spaces, _.:/=+-@)';
const VALUE_RULE = 'must be an STS tag value (up to 256 letters, digits, spaces, _.:/=+-@)';

/** An optional list of at most MAX_TAGS items (absent or null: empty). */
const listAt = (request: JsonObject, key: string, items: string): unknown[] => {
  const raw = valueAt(request, key);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_TAGS) {
    throw new MalformedEventError(`${REQUEST}.${key}`, `must be a list of at most ${MAX_TAGS} ${items}`);
  }
  return raw;
};

const tagEntry = (key: unknown, value: unknown, path: string): Entry => {
  if (typeof key !== 'string' || !TAG_KEY.test(key)) throw new MalformedEventError(`${path}.key`, KEY_RULE);
  if (typeof value !== 'string' || !TAG_VALUE.test(value)) {
    throw new MalformedEventError(`${path}.value`, VALUE_RULE);
  }
  return [key, value, path];
};

const tagListAt = (request: JsonObject, key: string): Entry[] =>
  listAt(request, key, '{key, value} tags').map((item, index) => {
    const path = `${REQUEST}.${key}[${index}]`;
    const tag = asObject(item, path);
    return tagEntry(valueAt(tag, 'key'), valueAt(tag, 'value'), path);
  });

const tagMapAt = (request: JsonObject, key: string): Entry[] => {
  const entries = Object.entries(optionalObjectAt(request, key, REQUEST) ?? {});
  const path = `${REQUEST}.${key}`;
  if (entries.length > MAX_TAGS) throw new MalformedEventError(path, `has more than ${MAX_TAGS} tags`);
  return entries.map(([tagKey, value], index) => tagEntry(tagKey, value, `${path}{${index}}`));
};

/** STS refuses a call whose tags repeat a key in any case, so a record that does is not STS's. */
const mergeTags = (entries: readonly Entry[]): Record<string, string> => {
  const seen = new Set<string>();
  for (const [key, , path] of entries) {
    const folded = key.toLowerCase();
    if (seen.has(folded))
      throw new MalformedEventError(`${path}.key`, 'repeats an earlier (case-insensitive) key');
    seen.add(folded);
  }
  // Object.fromEntries defines own properties: a `__proto__` key stays a plain key.
  return Object.fromEntries(entries.map(([key, value]) => [key, value]));
};

const transitiveKeysAt = (request: JsonObject): string[] =>
  listAt(request, 'transitiveTagKeys', 'tag keys').map((key, index) => {
    if (typeof key !== 'string' || !TAG_KEY.test(key)) {
      throw new MalformedEventError(`${REQUEST}.transitiveTagKeys[${index}]`, KEY_RULE);
    }
    return key;
  });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// CloudTrail writes credential expirations as Java's en-US medium format, in UTC:
// "Mar 1, 2026, 12:49:05 PM" (newer JDKs put a narrow no-break space before PM).
const LEGACY_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})[ \u00a0\u202f]([AP]M)$/;

const expirationAt = (credentials: JsonObject): string => {
  const value = stringAt(credentials, 'expiration', CREDENTIALS, { max: 64 });
  const match = LEGACY_TIME.exec(value);
  if (match === null) {
    if (/^\d{4}-/.test(value)) return isoTimeAt(credentials, 'expiration', CREDENTIALS);
    throw new MalformedEventError(
      `${CREDENTIALS}.expiration`,
      'must be a time such as "Mar 1, 2026, 12:49:05 PM" or 2026-03-01T12:49:05Z',
    );
  }
  const [, month = '', day = '', year = '', hour = '', minute = '', second = '', half = ''] = match;
  const monthIndex = MONTHS.indexOf(month);
  const [d, h, m, s] = [Number(day), Number(hour), Number(minute), Number(second)];
  const date = new Date(Date.UTC(Number(year), monthIndex, d, (h % 12) + (half === 'PM' ? 12 : 0), m, s));
  if (monthIndex < 0 || h < 1 || h > 12 || m > 59 || s > 59 || date.getUTCDate() !== d) {
    throw new MalformedEventError(`${CREDENTIALS}.expiration`, 'is not a real time');
  }
  return date.toISOString();
};

interface Session {
  readonly sessionArn: string;
  readonly accountId: string;
  readonly sessionName: string;
  readonly issuerArn: string;
}

const matchAt = (pattern: RegExp, value: string, path: string, expected: string): RegExpExecArray => {
  const match = pattern.exec(value);
  if (match === null) throw new MalformedEventError(path, `must be ${expected}`);
  return match;
};

const checkSame = (recorded: string | undefined, expected: string, path: string, what: string): void => {
  if (recorded !== undefined && recorded !== expected) {
    throw new MalformedEventError(path, `must equal the ${what} of the issued session`);
  }
};

const roleSession = (record: ApiCallRecord, request: JsonObject, response: JsonObject): Session => {
  const userPath = `${RESPONSE}.assumedRoleUser`;
  const sessionArn = stringAt(objectAt(response, 'assumedRoleUser', RESPONSE), 'arn', userPath);
  const session = matchAt(ASSUMED_ROLE_ARN, sessionArn, `${userPath}.arn`, 'an assumed-role ARN');
  const [, partition, accountId = '', roleName = '', sessionName = ''] = session;
  const issuerArn = stringAt(request, 'roleArn', REQUEST);
  const role = matchAt(ROLE_ARN, issuerArn, `${REQUEST}.roleArn`, 'an IAM role ARN');
  if (partition !== record.partition || role[1] !== partition) {
    throw new MalformedEventError(`${userPath}.arn`, `must be in the ${record.partition} partition`);
  }
  // IAM role names are case-insensitive; the assumed-role ARN carries the role's own spelling.
  if (role[2] !== accountId || role[3]?.toLowerCase() !== roleName.toLowerCase()) {
    throw new MalformedEventError(`${REQUEST}.roleArn`, 'must name the role of the assumed-role ARN');
  }
  checkSame(
    optionalStringAt(request, 'roleSessionName', REQUEST),
    sessionName,
    `${REQUEST}.roleSessionName`,
    'name',
  );
  return { sessionArn, accountId, sessionName, issuerArn };
};

const federatedSession = (record: ApiCallRecord, request: JsonObject, response: JsonObject): Session => {
  const userPath = `${RESPONSE}.federatedUser`;
  const sessionArn = stringAt(objectAt(response, 'federatedUser', RESPONSE), 'arn', userPath);
  const session = matchAt(FEDERATED_USER_ARN, sessionArn, `${userPath}.arn`, 'a federated-user ARN');
  const [, partition, accountId = '', sessionName = ''] = session;
  if (partition !== record.partition) {
    throw new MalformedEventError(`${userPath}.arn`, `must be in the ${record.partition} partition`);
  }
  // Only an IAM user's (or root's) long-term keys can call GetFederationToken; its tags are the base.
  const { principal } = record;
  if ((principal.kind !== 'user' && principal.kind !== 'root') || principal.accountId !== accountId) {
    throw new MalformedEventError('detail.userIdentity', "must be the federated user's IAM user or root");
  }
  checkSame(optionalStringAt(request, 'name', REQUEST), sessionName, `${REQUEST}.name`, 'name');
  return { sessionArn, accountId, sessionName, issuerArn: principal.arn };
};

const sourceIdentityOf = (
  detail: JsonObject,
  request: JsonObject,
  response: JsonObject,
): string | undefined => {
  const rule = { pattern: SOURCE_IDENTITY, expected: 'a source identity' };
  const caller = optionalObjectAt(
    objectAt(detail, 'userIdentity', 'detail'),
    'sessionContext',
    'detail.userIdentity',
  );
  // A source identity, once set, stays with every session chained from it.
  return (
    optionalStringAt(response, 'sourceIdentity', RESPONSE, rule) ??
    optionalStringAt(request, 'sourceIdentity', REQUEST, rule) ??
    (caller === undefined
      ? undefined
      : optionalStringAt(caller, 'sourceIdentity', 'detail.userIdentity.sessionContext', rule))
  );
};

const openRecord = (event: unknown): { detail: JsonObject; envelope: JsonObject; eventName: string } => {
  if (isRecord(event) && Object.hasOwn(event, 'detail-type')) return openEnvelope(event, STS_SOURCE);
  const detail = asObject(event, 'detail');
  const eventSource = stringAt(detail, 'eventSource', 'detail', { max: 256 });
  if (eventSource !== STS_SOURCE.eventSource) {
    throw new MalformedEventError('detail.eventSource', `must be "${STS_SOURCE.eventSource}"`);
  }
  const eventName = stringAt(detail, 'eventName', 'detail', { max: 128 });
  return { detail, envelope: {}, eventName };
};

export interface StsRecordOptions {
  /** `keep`: a record without session tags proves the session has none (found by LookupEvents). */
  readonly untagged?: 'out-of-scope' | 'keep';
}

/** Parses one STS record (EventBridge event or raw record). Throws MalformedEventError naming the field. */
export const parseStsRecord = (
  event: unknown,
  now: number = Date.now(),
  options: StsRecordOptions = {},
): Intake<IdentityRecord> => {
  const { detail, envelope, eventName } = openRecord(event);
  if (!isIssuingCall(eventName)) {
    return outOfScope(`${eventName} does not issue credentials with session tags`);
  }
  const record = parseApiCallRecord(detail, envelope, now);
  if (record.errorCode !== null) {
    return outOfScope(`${eventName} failed (${record.errorCode}): no credentials were issued`);
  }
  const request = objectAt(detail, 'requestParameters', 'detail');
  const entries = [
    ...tagMapAt(request, 'incomingTransitiveTags'),
    ...tagMapAt(request, 'principalTags'),
    ...tagListAt(request, 'tags'),
  ];
  const tags = mergeTags(entries);
  const inherited = Object.keys(optionalObjectAt(request, 'incomingTransitiveTags', REQUEST) ?? {});
  const transitive = [...inherited, ...transitiveKeysAt(request)];
  if (entries.length === 0 && options.untagged !== 'keep') {
    return outOfScope(`${eventName} passed no session tags: the principal's own tags apply`);
  }
  const response = optionalObjectAt(detail, 'responseElements', 'detail');
  if (response === undefined) {
    return outOfScope(`${eventName} has no responseElements: the issued credentials are not recorded`);
  }
  const session =
    eventName === 'GetFederationToken'
      ? federatedSession(record, request, response)
      : roleSession(record, request, response);
  const credentials = objectAt(response, 'credentials', RESPONSE);
  const accessKeyId = stringAt(credentials, 'accessKeyId', CREDENTIALS, {
    pattern: ACCESS_KEY_ID,
    expected: 'an access key id',
  });
  const expiresAt = expirationAt(credentials);
  const lifetime = Date.parse(expiresAt) - Date.parse(record.eventTime);
  if (lifetime <= 0 || lifetime > MAX_CREDENTIAL_LIFETIME_MS + ISSUE_TIME_SLACK_MS) {
    throw new MalformedEventError(`${CREDENTIALS}.expiration`, 'must be within 36 hours after eventTime');
  }
  const sourceIdentity = sourceIdentityOf(detail, request, response);
  return inScope({
    eventName,
    eventId: record.eventId,
    recordedIn: record.region,
    accountId: session.accountId,
    accessKeyId,
    sessionArn: session.sessionArn,
    issuerArn: session.issuerArn,
    sessionName: session.sessionName,
    issuedAt: record.eventTime,
    expiresAt,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    tags,
    transitiveTagKeys: [...new Map(transitive.map((key) => [key.toLowerCase(), key])).values()],
  });
};
