/**
 * What replaying a raw CloudTrail record does to the local world: IAM tag, create and delete
 * events move principals; SSM document events move document versions. A record that is unknown,
 * failed (errorCode) or names something the world does not know changes nothing.
 */
import { documentNameOf as nameInArn } from '../../domain/arn.ts';
import { isIamName, isIamPath } from '../../domain/identifiers.ts';
import { isRecord, type JsonRecord } from '../../domain/json.ts';
import type { LocalWorld } from './localWorld.ts';
import { toIsoSeconds } from './world.ts';
import type { PrincipalState, Tag } from './worldState.ts';

/** Returns true when the world changed; sets the world's event time from every record it sees. */
export function applyChange(world: LocalWorld, record: unknown): boolean {
  if (
    isRecord(record) &&
    typeof record.eventTime === 'string' &&
    !Number.isNaN(Date.parse(record.eventTime))
  ) {
    world.eventTime = toIsoSeconds(Date.parse(record.eventTime));
  }
  if (!isRecord(record) || typeof record.eventName !== 'string') return false;
  if (record.errorCode !== undefined && record.errorCode !== null) return false;
  const params = isRecord(record.requestParameters) ? record.requestParameters : {};
  const response = isRecord(record.responseElements) ? record.responseElements : {};
  const source = record.eventSource;
  const from = (service: string): boolean => source === undefined || source === `${service}.amazonaws.com`;
  switch (record.eventName) {
    case 'TagUser':
    case 'TagRole':
      return from('iam') && tag(iamTarget(world, record.eventName, params), params.tags);
    case 'UntagUser':
    case 'UntagRole':
      return from('iam') && untag(iamTarget(world, record.eventName, params), params.tagKeys);
    case 'CreateUser':
    case 'CreateRole':
      return from('iam') && create(world, record.eventName === 'CreateUser' ? 'user' : 'role', params);
    case 'DeleteUser':
    case 'DeleteRole':
      return from('iam') && remove(world, record.eventName === 'DeleteUser' ? 'user' : 'role', params);
    case 'CreateDocument':
    case 'UpdateDocument':
    case 'UpdateDocumentDefaultVersion':
    case 'DeleteDocument':
      return (
        from('ssm') &&
        typeof record.awsRegion === 'string' &&
        changeDocument(world, record.eventName, record.awsRegion, params, response)
      );
    default:
      return false;
  }
}

function iamTarget(world: LocalWorld, eventName: string, params: JsonRecord): PrincipalState | undefined {
  const isUser = eventName.endsWith('User');
  const name = isUser ? params.userName : params.roleName;
  if (typeof name !== 'string') return undefined;
  return isUser ? world.user(name) : world.role(name);
}

function tag(principal: PrincipalState | undefined, rawTags: unknown): boolean {
  const tags = recordTags(rawTags);
  if (principal === undefined || tags === undefined || tags.length === 0) return false;
  for (const added of tags) {
    const lower = added.Key.toLowerCase();
    const index = principal.tags.findIndex((existing) => existing.Key.toLowerCase() === lower);
    // The new spelling of the key wins, as IAM does.
    if (index === -1) principal.tags.push(added);
    else principal.tags[index] = added;
  }
  return true;
}

function untag(principal: PrincipalState | undefined, rawKeys: unknown): boolean {
  if (principal === undefined || !Array.isArray(rawKeys)) return false;
  const keys = new Set(rawKeys.filter((k): k is string => typeof k === 'string').map((k) => k.toLowerCase()));
  const before = principal.tags.length;
  principal.tags = principal.tags.filter((tag) => !keys.has(tag.Key.toLowerCase()));
  return principal.tags.length !== before;
}

function create(world: LocalWorld, kind: 'user' | 'role', params: JsonRecord): boolean {
  const name = kind === 'user' ? params.userName : params.roleName;
  if (typeof name !== 'string' || !isIamName(name)) return false;
  const path = typeof params.path === 'string' && isIamPath(params.path) ? params.path : '/';
  const tags = params.tags === undefined ? [] : recordTags(params.tags);
  if (tags === undefined) return false;
  world.putPrincipal(kind, name, path, dedupeTags(tags));
  return true;
}

function remove(world: LocalWorld, kind: 'user' | 'role', params: JsonRecord): boolean {
  const name = kind === 'user' ? params.userName : params.roleName;
  if (typeof name !== 'string') return false;
  return (kind === 'user' ? world.users : world.roles).delete(name.toLowerCase());
}

function changeDocument(
  world: LocalWorld,
  eventName: string,
  region: string,
  params: JsonRecord,
  response: JsonRecord,
): boolean {
  const name = documentNameOf(params.name);
  const doc = name === undefined ? undefined : world.storedDocument(region, name);
  // Content is never in CloudTrail: only documents the world knows (with their versions) can move.
  if (doc === undefined) return false;
  const description = isRecord(response.documentDescription) ? response.documentDescription : {};
  const has = (version: unknown): version is string =>
    typeof version === 'string' && doc.versions.has(version);
  switch (eventName) {
    case 'CreateDocument':
    case 'UpdateDocument': {
      const latest = description.latestVersion ?? description.documentVersion;
      const defaultVersion =
        description.defaultVersion ?? (eventName === 'CreateDocument' ? latest : undefined);
      if (!has(latest) || (defaultVersion !== undefined && !has(defaultVersion))) return false;
      doc.latestVersion = latest;
      if (defaultVersion !== undefined) doc.defaultVersion = defaultVersion;
      if (typeof params.documentType === 'string' && eventName === 'CreateDocument')
        doc.documentType = params.documentType;
      doc.deleted = false;
      return true;
    }
    case 'UpdateDocumentDefaultVersion': {
      if (doc.deleted) return false;
      const requested = params.documentVersion === '$LATEST' ? doc.latestVersion : params.documentVersion;
      if (!has(requested) || Number(requested) > Number(doc.latestVersion)) return false;
      doc.defaultVersion = requested;
      return true;
    }
    default: {
      // DeleteDocument; with a documentVersion only that version goes (SSM refuses the default one).
      if (doc.deleted) return false;
      const version = params.documentVersion;
      if (version === undefined || version === null) {
        doc.deleted = true;
        return true;
      }
      if (!has(version) || version === doc.defaultVersion) return false;
      doc.versions.delete(version);
      if (doc.latestVersion === version) {
        // The newest remaining version SSM has created (pending ones stay pending).
        const below = [...doc.versions.keys()].map(Number).filter((v) => v < Number(version));
        doc.latestVersion = String(Math.max(...below));
      }
      return true;
    }
  }
}

/** CloudTrail writes IAM tags as `[{ key, value }]`; anything else is not a tag list. */
function recordTags(raw: unknown): Tag[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const tags: Tag[] = [];
  for (const item of raw) {
    if (!isRecord(item) || typeof item.key !== 'string' || typeof item.value !== 'string') return undefined;
    tags.push({ Key: item.key, Value: item.value });
  }
  return tags;
}

function dedupeTags(tags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const tag of tags) byKey.set(tag.Key.toLowerCase(), tag);
  return [...byKey.values()];
}

/** A document name from a name or a document ARN (`arn:…:document/<name>`). */
function documentNameOf(nameOrArn: unknown): string | undefined {
  if (typeof nameOrArn !== 'string' || nameOrArn.length === 0) return undefined;
  return nameInArn(nameOrArn);
}
