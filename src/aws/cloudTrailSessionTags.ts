/**
 * StsRecords over CloudTrail LookupEvents in one account and Region. The record of an AssumeRole*
 * or GetFederationToken call lists the access key it issued as a resource (AWS::IAM::AccessKey),
 * so `ResourceName=<key>` finds it exactly: no time window, no paging through a busy role. Console
 * sessions sign with other keys; their record is the one of the same role issued at their
 * creationDate, found by the role ARN (GetFederationToken records name the calling IAM user, so by
 * event name) within a few seconds of it. Each record is read with the identity function's parser,
 * untagged records included: the record that issued a key proves which session tags it has.
 */
import {
  type CloudTrailClient,
  type Event,
  type LookupAttribute,
  paginateLookupEvents,
} from '@aws-sdk/client-cloudtrail';
import type { StsRecords } from '../app/ports.ts';
import { type Known, known, unknown } from '../domain/facts.ts';
import { type IdentityRecord, ISSUE_TIME_SLACK_MS } from '../domain/identity.ts';
import { parseStsRecord } from '../events/stsRecord.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface CloudTrailStsRecordsOptions {
  /** Epoch milliseconds (records dated past it by more than CloudTrail's skew are refused). */
  readonly now?: () => number;
}

/** LookupEvents allows 2 calls/s per account and Region: a busy role must not starve the rest. */
const MAX_PAGES = 3;
const PAGE_SIZE = 50;
/** CloudTrail times have whole seconds: the window around creationDate that holds its issue. */
const BEFORE_MS = 1000;

/** The record of one LookupEvents event, when it is an STS call that issued credentials. */
const recordOf = (event: Event, now: number): IdentityRecord | undefined => {
  if (typeof event.CloudTrailEvent !== 'string') return undefined;
  try {
    const intake = parseStsRecord(JSON.parse(event.CloudTrailEvent), now, { untagged: 'keep' });
    return intake.inScope ? intake.command : undefined;
  } catch {
    // One unreadable record must not hide the others.
    return undefined;
  }
};

export const createCloudTrailStsRecords = (
  ct: CloudTrailClient,
  options: CloudTrailStsRecordsOptions = {},
): StsRecords => {
  const now = options.now ?? Date.now;
  const lookUp = async (
    attribute: LookupAttribute,
    window?: { readonly StartTime: Date; readonly EndTime: Date },
  ): Promise<Known<readonly IdentityRecord[]>> => {
    const records: IdentityRecord[] = [];
    const pages = paginateLookupEvents(
      { client: ct, pageSize: PAGE_SIZE },
      { LookupAttributes: [attribute], ...window },
    );
    try {
      let count = 0;
      for await (const page of pages) {
        for (const event of page.Events ?? []) {
          const record = recordOf(event, now());
          if (record !== undefined) records.push(record);
        }
        if (!page.NextToken || ++count === MAX_PAGES) break;
      }
      return known(records);
    } catch (err) {
      if (classifySdkError(err) === 'access-denied') {
        return unknown(`the auditor is not allowed cloudtrail:LookupEvents (${sdkErrorName(err)})`);
      }
      throw toAwsCallError('cloudtrail:LookupEvents', err);
    }
  };

  return {
    byAccessKey: (accessKeyId) => lookUp({ AttributeKey: 'ResourceName', AttributeValue: accessKeyId }),
    issuedAt: (issuer, creationDate) => {
      const created = Date.parse(creationDate);
      return lookUp(
        issuer.kind === 'role'
          ? { AttributeKey: 'ResourceName', AttributeValue: issuer.roleArn }
          : { AttributeKey: 'EventName', AttributeValue: 'GetFederationToken' },
        {
          StartTime: new Date(created - BEFORE_MS),
          EndTime: new Date(created + ISSUE_TIME_SLACK_MS + BEFORE_MS),
        },
      );
    },
  };
};
