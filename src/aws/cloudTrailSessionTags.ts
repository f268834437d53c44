/**
 * SessionTags from CloudTrail: the AssumeRole* (or, for a federated user, GetFederationToken)
 * record that issued the caller's access key carries the session tags (which override the role's
 * SSMSessionRunAs tag). IAM never exposes session tags, so CloudTrail LookupEvents is the only
 * place to read them.
 */
import {
  type CloudTrailClient,
  type Event,
  type LookupAttribute,
  paginateLookupEvents,
} from '@aws-sdk/client-cloudtrail';
import type { SessionTags } from '../app/ports.ts';
import type { SessionTagsFact } from '../domain/facts.ts';
import { isRecord } from '../domain/json.ts';
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

const ASSUME_ROLE_EVENTS: ReadonlySet<string> = new Set([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
]);
const FEDERATION_EVENTS: ReadonlySet<string> = new Set(['GetFederationToken']);

export const NOT_FOUND_REASON = "no STS record found for the session's access key in CloudTrail";

type Json = Readonly<Record<string, unknown>>;

const parseRecord = (event: Event): Json | undefined => {
  if (typeof event.CloudTrailEvent !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(event.CloudTrailEvent);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    // One unreadable record must not hide the others.
    return undefined;
  }
};

const issuedAccessKey = (record: Json): string | undefined => {
  const response = record.responseElements;
  if (!isRecord(response) || !isRecord(response.credentials)) return undefined;
  const key = response.credentials.accessKeyId;
  return typeof key === 'string' ? key : undefined;
};

const addMap = (into: Record<string, string>, map: unknown): void => {
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'string') into[key] = value;
  }
};

const addList = (into: Record<string, string>, list: unknown): void => {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (isRecord(item) && typeof item.key === 'string' && typeof item.value === 'string') {
      into[item.key] = item.value;
    }
  }
};

/** Session tags as STS applied them, read from the request the record carries. */
export const sessionTagsOfRecord = (record: Json): Record<string, string> => {
  const request = isRecord(record.requestParameters) ? record.requestParameters : {};
  const tags: Record<string, string> = {};
  if (record.eventName === 'AssumeRole') {
    // Tags inherited from the previous session in a role chain apply to this one too.
    addMap(tags, request.incomingTransitiveTags);
    addList(tags, request.tags);
  } else if (record.eventName === 'GetFederationToken') {
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

  /** The record among those the attribute finds (within the window) that issued the access key. */
  const lookUp = async (
    attribute: LookupAttribute,
    events: ReadonlySet<string>,
    accessKeyId: string,
    createdAt: number,
  ): Promise<SessionTagsFact> => {
    const pages = paginateLookupEvents(
      { client: ct, pageSize: PAGE_SIZE },
      {
        LookupAttributes: [attribute],
        StartTime: new Date(createdAt - WINDOW_MS),
        EndTime: new Date(createdAt + WINDOW_MS),
      },
    );
    try {
      let count = 0;
      for await (const page of pages) {
        for (const event of page.Events ?? []) {
          if (event.EventName !== undefined && !events.has(event.EventName)) continue;
          const record = parseRecord(event);
          if (record === undefined || typeof record.eventName !== 'string') continue;
          if (!events.has(record.eventName)) continue;
          if (issuedAccessKey(record) !== accessKeyId) continue;
          return { status: 'known', tags: sessionTagsOfRecord(record) };
        }
        if (!page.NextToken) return { status: 'unknown', reason: NOT_FOUND_REASON };
        if (++count === MAX_PAGES) break;
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
      if (principal.kind !== 'role' && principal.kind !== 'federated-user')
        return { status: 'not-a-role-session' };
      const accessKeyId = principal.accessKeyId.trim();
      if (accessKeyId === '') {
        return { status: 'unknown', reason: 'CloudTrail recorded no access key id for the session' };
      }
      const createdAt =
        principal.sessionCreatedAt === undefined ? Number.NaN : Date.parse(principal.sessionCreatedAt);
      if (!Number.isFinite(createdAt)) {
        return { status: 'unknown', reason: 'CloudTrail recorded no creation date for the session' };
      }
      // A role's records are found by the role; GetFederationToken records name the calling
      // IAM user, not the federated user, so they are found by event name.
      const [attribute, events]: [LookupAttribute, ReadonlySet<string>] =
        principal.kind === 'role'
          ? [{ AttributeKey: 'ResourceName', AttributeValue: principal.arn }, ASSUME_ROLE_EVENTS]
          : [{ AttributeKey: 'EventName', AttributeValue: 'GetFederationToken' }, FEDERATION_EVENTS];
      const fact = await cache.get(accessKeyId, () => lookUp(attribute, events, accessKeyId, createdAt));
      if (fact.status === 'unknown' && fact.reason.startsWith(NOT_FOUND_REASON)) {
        // CloudTrail can deliver a record minutes late: a later look-up may find it.
        cache.delete(accessKeyId);
      }
      return fact;
    },
  };
};
