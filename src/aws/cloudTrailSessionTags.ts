/**
 * SessionTags from CloudTrail: the AssumeRole* record that issued the caller's access key
 * carries the session tags (which override the role's SSMSessionRunAs tag). IAM never
 * exposes session tags, so CloudTrail LookupEvents is the only place to read them.
 */
import { type CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { SessionTags } from '../app/ports.ts';
import type { SessionTagsFact } from '../domain/facts.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface CloudTrailSessionTagsOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
}

/** AssumeRole is recorded within seconds of the session's creationDate; 5 minutes covers clock skew. */
const WINDOW_MS = 5 * 60 * 1000;
/** LookupEvents allows 2 calls/s per account and Region: a busy role must not starve the rest. */
const MAX_PAGES = 5;
const PAGE_SIZE = 50;

const ASSUME_ROLE_EVENTS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

export const NOT_FOUND_REASON = "no AssumeRole record found for the session's access key in CloudTrail";

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseRecord = (event: Event): Json | undefined => {
  if (typeof event.CloudTrailEvent !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(event.CloudTrailEvent);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    // One unreadable record must not hide the others.
    return undefined;
  }
};

const issuedAccessKey = (record: Json): string | undefined => {
  const response = record.responseElements;
  if (!isObject(response) || !isObject(response.credentials)) return undefined;
  const key = response.credentials.accessKeyId;
  return typeof key === 'string' ? key : undefined;
};

const addMap = (into: Record<string, string>, map: unknown): void => {
  if (!isObject(map)) return;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'string') into[key] = value;
  }
};

const addList = (into: Record<string, string>, list: unknown): void => {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (isObject(item) && typeof item.key === 'string' && typeof item.value === 'string') {
      into[item.key] = item.value;
    }
  }
};

/** Session tags as STS applied them, read from the request the record carries. */
export const sessionTagsOfRecord = (record: Json): Record<string, string> => {
  const request = isObject(record.requestParameters) ? record.requestParameters : {};
  const tags: Record<string, string> = {};
  if (record.eventName === 'AssumeRole') {
    // Tags inherited from the previous session in a role chain apply to this one too.
    addMap(tags, request.incomingTransitiveTags);
    addList(tags, request.tags);
  } else {
    addMap(tags, request.principalTags);
  }
  return tags;
};

export const createCloudTrailSessionTags = (
  ct: CloudTrailClient,
  options: CloudTrailSessionTagsOptions,
): SessionTags => {
  const cache = createTtlCache<SessionTagsFact>({
    ttlMs: options.ttlMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const lookUp = async (
    roleArn: string,
    accessKeyId: string,
    createdAt: number,
  ): Promise<SessionTagsFact> => {
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const response = await ct.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: roleArn }],
            StartTime: new Date(createdAt - WINDOW_MS),
            EndTime: new Date(createdAt + WINDOW_MS),
            MaxResults: PAGE_SIZE,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
        for (const event of response.Events ?? []) {
          if (event.EventName !== undefined && !ASSUME_ROLE_EVENTS.has(event.EventName)) continue;
          const record = parseRecord(event);
          if (record === undefined || typeof record.eventName !== 'string') continue;
          if (!ASSUME_ROLE_EVENTS.has(record.eventName)) continue;
          if (issuedAccessKey(record) !== accessKeyId) continue;
          return { status: 'known', tags: sessionTagsOfRecord(record) };
        }
        if (!response.NextToken) return { status: 'unknown', reason: NOT_FOUND_REASON };
        nextToken = response.NextToken;
      }
      return { status: 'unknown', reason: `${NOT_FOUND_REASON} (searched ${MAX_PAGES} pages)` };
    } catch (err) {
      if (classifySdkError(err) === 'access-denied') {
        return {
          status: 'unknown',
          reason: `the auditor is not allowed cloudtrail:LookupEvents (${sdkErrorName(err)})`,
        };
      }
      throw toAwsCallError('cloudtrail:LookupEvents', err);
    }
  };

  return {
    sessionTagsOf: async (principal) => {
      if (principal.kind !== 'role') return { status: 'not-a-role-session' };
      const accessKeyId = principal.accessKeyId.trim();
      if (accessKeyId === '') {
        return { status: 'unknown', reason: 'CloudTrail recorded no access key id for the session' };
      }
      const createdAt =
        principal.sessionCreatedAt === undefined ? Number.NaN : Date.parse(principal.sessionCreatedAt);
      if (!Number.isFinite(createdAt)) {
        return { status: 'unknown', reason: 'CloudTrail recorded no creation date for the role session' };
      }
      const fact = await cache.get(accessKeyId, () => lookUp(principal.arn, accessKeyId, createdAt));
      if (fact.status === 'unknown' && fact.reason.startsWith(NOT_FOUND_REASON)) {
        // CloudTrail can deliver a record minutes late: a later look-up may find it.
        cache.delete(accessKeyId);
      }
      return fact;
    },
  };
};
