/**
 * A raw CloudTrail record (from LookupEvents' CloudTrailEvent, or a trail's log file in S3) in the
 * envelope EventBridge delivers it in, so that every audit path parses the same event: the
 * functions' queues, the sweep, and the command-line audit of history.
 */
import { createHash } from 'node:crypto';
import { isRecord, type JsonRecord } from '../domain/json.ts';

/** CloudTrail's eventType → the detail-type EventBridge gives the record. */
const DETAIL_TYPES: Readonly<Record<string, string>> = {
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Signin via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
  AwsCloudTrailInsight: 'AWS Insight via CloudTrail',
};

/** Whether a value has the three fields every CloudTrail record carries. */
export const isCloudTrailRecord = (value: unknown): value is JsonRecord =>
  isRecord(value) &&
  typeof value.eventVersion === 'string' &&
  typeof value.eventSource === 'string' &&
  typeof value.eventName === 'string';

/** A stable UUID-shaped id from the record's eventID, so the same record is the same event every time. */
const envelopeId = (record: JsonRecord): string => {
  const hex = createHash('sha256')
    .update(String(record.eventID ?? JSON.stringify(record)))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** The event EventBridge delivers for a CloudTrail record: the record is its detail. */
export const wrapCloudTrailRecord = (record: JsonRecord): JsonRecord => {
  const service = String(record.eventSource).replace(/\.amazonaws\.com$/, '');
  const eventTime = typeof record.eventTime === 'string' ? record.eventTime : undefined;
  return {
    version: '0',
    id: envelopeId(record),
    'detail-type': DETAIL_TYPES[String(record.eventType)] ?? DETAIL_TYPES.AwsApiCall,
    source: `aws.${service}`,
    account:
      record.recipientAccountId ?? (isRecord(record.userIdentity) ? record.userIdentity.accountId : ''),
    // EventBridge's time has whole seconds.
    time: eventTime?.replace(/\.\d+Z$/, 'Z') ?? '',
    region: record.awsRegion ?? '',
    resources: [],
    detail: record,
  };
};

/** Whether a record is a StartSession call, the one record every audit path audits. */
export const isStartSessionRecord = (record: JsonRecord): boolean =>
  record.eventSource === 'ssm.amazonaws.com' && record.eventName === 'StartSession';
