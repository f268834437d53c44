/**
 * The EventBridge envelope of a CloudTrail API call ("AWS API Call via CloudTrail") and the
 * record fields every audited call shares. Each CloudTrail concern (StartSession, IAM tag
 * changes, document changes) opens the envelope here, then reads its own requestParameters.
 */
import type { Principal } from '../domain/facts.ts';
import { ACCOUNT_ID, isRegion, type Partition, partitionOf } from '../domain/identifiers.ts';
import { MalformedEventError } from '../errors.ts';
import {
  asObject,
  isoTimeAt,
  type JsonObject,
  objectAt,
  optionalStringAt,
  stringAt,
  textAt,
  valueAt,
} from './fields.ts';
import { parsePrincipal } from './principal.ts';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

export interface ExpectedSource {
  /** EventBridge `source`, e.g. `aws.ssm`. */
  readonly source: string;
  /** CloudTrail `detail.eventSource`, e.g. `ssm.amazonaws.com`. */
  readonly eventSource: string;
}

export interface OpenedEnvelope {
  readonly envelope: JsonObject;
  readonly detail: JsonObject;
  readonly eventName: string;
}

/** Fields shared by every CloudTrail API call record this project audits. */
export interface ApiCallRecord {
  readonly eventId: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly eventTime: string;
  /** The account the event belongs to: `account`, else `detail.recipientAccountId`. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: Partition;
  readonly principal: Principal;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
}

// The envelope's own fields are reported without a prefix: `account`, `region`, `source`.
const TOP = '';
const EVENT_NAME = /^[A-Za-z0-9]{1,128}$/;
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;
const ERROR_CODE = /^[\x20-\x7e]{1,256}$/;

/**
 * Checks the envelope is a CloudTrail API call from the expected service and returns its
 * detail and eventName. Whether the eventName concerns the caller is the caller's decision.
 */
export const openEnvelope = (event: unknown, expected: ExpectedSource): OpenedEnvelope => {
  const envelope = asObject(event, 'event');
  const detailType = stringAt(envelope, 'detail-type', TOP, { max: 256 });
  if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
    throw new MalformedEventError('detail-type', `must be "${CLOUDTRAIL_DETAIL_TYPE}"`);
  }
  const source = stringAt(envelope, 'source', TOP, { max: 256 });
  if (source !== expected.source) throw new MalformedEventError('source', `must be "${expected.source}"`);
  const detail = objectAt(envelope, 'detail', TOP);
  const eventSource = stringAt(detail, 'eventSource', 'detail', { max: 256 });
  if (eventSource !== expected.eventSource) {
    throw new MalformedEventError('detail.eventSource', `must be "${expected.eventSource}"`);
  }
  const eventName = stringAt(detail, 'eventName', 'detail', { pattern: EVENT_NAME, expected: 'an API name' });
  return { envelope, detail, eventName };
};

const accountOf = (envelope: JsonObject, detail: JsonObject): string => {
  const rule = { pattern: ACCOUNT_ID, expected: 'a 12-digit account id' };
  const account = optionalStringAt(envelope, 'account', TOP, rule);
  if (account !== undefined) return account;
  const recipient = optionalStringAt(detail, 'recipientAccountId', 'detail', rule);
  if (recipient !== undefined) return recipient;
  throw new MalformedEventError('account', 'is missing (and so is detail.recipientAccountId)');
};

const regionOf = (envelope: JsonObject, detail: JsonObject): string => {
  const eventRegion = optionalStringAt(envelope, 'region', TOP, { max: 32 });
  const awsRegion = optionalStringAt(detail, 'awsRegion', 'detail', { max: 32 });
  if (eventRegion !== undefined && awsRegion !== undefined && eventRegion !== awsRegion) {
    throw new MalformedEventError('detail.awsRegion', `must equal region ("${eventRegion}")`);
  }
  const region = eventRegion ?? awsRegion;
  const field = eventRegion === undefined ? 'detail.awsRegion' : 'region';
  if (region === undefined)
    throw new MalformedEventError('region', 'is missing (and so is detail.awsRegion)');
  if (!isRegion(region)) throw new MalformedEventError(field, 'must be an AWS Region such as us-east-1');
  return region;
};

/**
 * CloudTrail delivers events minutes after they happen, never before: an event time further
 * ahead of the clock than this is not a real record (it would outdate every later finding).
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Reads the shared record fields of an opened envelope. Throws MalformedEventError naming the field. */
export const parseApiCallRecord = (detail: JsonObject, envelope: JsonObject, now: number): ApiCallRecord => {
  const eventId = stringAt(detail, 'eventID', 'detail', {
    pattern: EVENT_ID,
    expected: 'a CloudTrail event id',
  });
  const eventTime = isoTimeAt(detail, 'eventTime', 'detail');
  if (Date.parse(eventTime) > now + MAX_CLOCK_SKEW_MS) {
    throw new MalformedEventError(
      'detail.eventTime',
      `is more than 15 minutes after the clock (${new Date(now).toISOString()})`,
    );
  }
  const accountId = accountOf(envelope, detail);
  const region = regionOf(envelope, detail);
  const partition = partitionOf(region);
  const userIdentity = valueAt(detail, 'userIdentity');
  if (userIdentity === undefined || userIdentity === null) {
    throw new MalformedEventError('detail.userIdentity', 'is missing');
  }
  const principal = parsePrincipal(userIdentity, { partition, accountId });
  const errorCode = optionalStringAt(detail, 'errorCode', 'detail', {
    pattern: ERROR_CODE,
    expected: 'an error code',
  });
  const errorMessage = textAt(detail, 'errorMessage', 'detail', '');
  return {
    eventId,
    eventTime,
    accountId,
    region,
    partition,
    principal,
    errorCode: errorCode ?? null,
    errorMessage: errorMessage === '' ? null : errorMessage,
    sourceIPAddress: textAt(detail, 'sourceIPAddress', 'detail', '', 256),
    userAgent: textAt(detail, 'userAgent', 'detail', ''),
  };
};
