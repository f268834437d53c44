/**
 * The world file: a strictly validated description of one AWS account, and the
 * mutable in-memory state the local endpoint serves from it. Replay moves that state forward
 * with `applyChange`, one raw CloudTrail record at a time.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { documentNameOf as nameInArn, parsePrincipalArn } from '../domain/arn.ts';
import { isIamName, isIamPath, isManagedNodeId, isRegion } from '../domain/identifiers.ts';
import { isRecord } from '../domain/json.ts';
import { type FaultRule, FaultRuleError, parseFaultRule } from './faults.ts';
import { InputError } from './inputError.ts';
import { parseQuotaConfig, type QuotaConfig, QuotaError } from './quotas.ts';

export type NodePlatform = 'Linux' | 'MacOS' | 'Windows';
export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';
export type SessionStatus =
  | 'Connected'
  | 'Connecting'
  | 'Disconnected'
  | 'Terminated'
  | 'Terminating'
  | 'Failed';

export interface WorldUser {
  readonly userName: string;
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface WorldRole {
  readonly roleName: string;
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
}

export type DocumentContent = Readonly<Record<string, unknown>>;

export interface WorldDocumentVersion {
  readonly version: string;
  readonly content: DocumentContent;
}

export interface WorldDocument {
  readonly name: string;
  readonly documentType: string;
  readonly owner: string;
  /** Always at least one; a document given with `content` has the single version "1". */
  readonly versions: readonly WorldDocumentVersion[];
  readonly defaultVersion: string;
  readonly latestVersion: string;
}

/** An OS account of a node: a name given alone gets uid and gid 10000 + its position (root: 0). */
export interface WorldNodeUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface WorldNode {
  readonly id: string;
  readonly platform: NodePlatform;
  readonly pingStatus: PingStatus;
  /** OS users on the node; null = unknown (no inventory). */
  readonly users: readonly WorldNodeUser[] | null;
  /**
   * ISO time of the inventory snapshot (`inventoryStale` moved it 30 days before `now`); null:
   * fresh at every event (the time of the event being replayed).
   */
  readonly inventoryCaptureTime: string | null;
}

export interface WorldSession {
  readonly sessionId: string;
  readonly target: string;
  readonly owner: string;
  readonly status: SessionStatus;
  readonly startDate: string;
  readonly documentName?: string;
}

/** A raw CloudTrail record: only `eventName` and `eventTime` are checked. */
export type CloudTrailRecord = Readonly<Record<string, unknown>> & {
  readonly eventName: string;
  readonly eventTime: string;
};

export interface WorldRegion {
  readonly documents: readonly WorldDocument[];
  readonly nodes: readonly WorldNode[];
  readonly sessions: readonly WorldSession[];
  readonly cloudTrail: readonly CloudTrailRecord[];
}

/** A validated world with every default filled in. */
export interface World {
  readonly accountId: string;
  readonly partition: string;
  readonly now: string;
  /** Inventory type whose entries list a node's OS users (the auditor's INVENTORY_TYPE_NAME). */
  readonly inventoryTypeName: string;
  readonly iam: {
    readonly users: readonly WorldUser[];
    readonly roles: readonly WorldRole[];
    /** ListUserTags / ListRoleTags answer AccessDenied. */
    readonly denyTagReads: boolean;
  };
  readonly regions: Readonly<Record<string, WorldRegion>>;
  readonly faults: readonly FaultRule[];
  /** Request-rate quotas; absent = not enforced. */
  readonly quotas?: QuotaConfig;
}

/** Its `path` is the JSON path of the offending value, e.g. `regions.us-east-1.nodes[2].platform`. */
export class WorldError extends InputError {
  override readonly name = 'WorldError';
}

export const DEFAULT_NOW = '2026-01-01T00:00:00Z';
export const DEFAULT_INVENTORY_TYPE_NAME = 'Custom:OSUsers';
const STALE_INVENTORY_MS = 30 * 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Validation

type Json = Readonly<Record<string, unknown>>;

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function object(value: unknown, path: string, keys: readonly string[]): Json {
  if (!isRecord(value)) throw new WorldError(path, 'expected an object');
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      throw new WorldError(join(path, key), `unknown key (allowed: ${keys.join(', ')})`);
  }
  return value;
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new WorldError(path, 'expected an array');
  return value;
}

function string(
  value: unknown,
  path: string,
  pattern?: { test(value: string): boolean },
  expected?: string,
): string {
  if (typeof value !== 'string') throw new WorldError(path, `expected ${expected ?? 'a string'}`);
  if (pattern !== undefined && !pattern.test(value)) {
    throw new WorldError(
      path,
      `expected ${expected ?? `a string matching ${pattern}`}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function nonEmpty(value: unknown, path: string): string {
  return string(value, path, /\S/, 'a non-blank string');
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new WorldError(path, `expected ${allowed.map((a) => `"${a}"`).join(' | ')}`);
  return found;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new WorldError(path, 'expected true | false');
  return value;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 time, normalised to `YYYY-MM-DDTHH:MM:SSZ` (the format inventory and findings use). */
function isoTime(value: unknown, path: string): string {
  const text = string(value, path, ISO_TIME, 'an ISO time like "2026-01-01T00:00:00Z"');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new WorldError(path, `expected a valid ISO time, got ${JSON.stringify(text)}`);
  return toIsoSeconds(ms);
}

export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function tags(value: unknown, path: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new WorldError(path, 'expected an object of tag key → string value');
  const seen = new Set<string>();
  const result: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value)) {
    if (key.length === 0 || key.length > 128) throw new WorldError(path, 'tag keys are 1–128 characters');
    // IAM tag keys are case-insensitive: two spellings of one key cannot coexist.
    if (seen.has(key.toLowerCase()))
      throw new WorldError(join(path, key), 'duplicate tag key (keys are case-insensitive)');
    seen.add(key.toLowerCase());
    result[key] = string(tagValue, join(path, key));
  }
  return result;
}

const IAM_PATH = { test: isIamPath } as const;
const IAM_NAME = { test: isIamName } as const;

function iamPath(value: unknown, path: string): string {
  return value === undefined ? '/' : string(value, path, IAM_PATH, 'an IAM path like "/" or "/ops/"');
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string, path: string, what: string): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const k = key(item);
    if (seen.has(k)) throw new WorldError(`${path}[${index}]`, `duplicate ${what} ${JSON.stringify(k)}`);
    seen.add(k);
  });
}

function parseUsers(value: unknown, path: string): WorldUser[] {
  if (value === undefined) return [];
  const users = array(value, path).map((raw, index) => {
    const at = `${path}[${index}]`;
    const o = object(raw, at, ['userName', 'path', 'tags']);
    return {
      userName: string(o.userName, join(at, 'userName'), IAM_NAME, 'an IAM user name'),
      path: iamPath(o.path, join(at, 'path')),
      tags: tags(o.tags, join(at, 'tags')),
    };
  });
  uniqueBy(users, (u) => u.userName.toLowerCase(), path, 'user');
  return users;
}

function parseRoles(value: unknown, path: string): WorldRole[] {
  if (value === undefined) return [];
  const roles = array(value, path).map((raw, index) => {
    const at = `${path}[${index}]`;
    const o = object(raw, at, ['roleName', 'path', 'tags']);
    return {
      roleName: string(o.roleName, join(at, 'roleName'), IAM_NAME, 'an IAM role name'),
      path: iamPath(o.path, join(at, 'path')),
      tags: tags(o.tags, join(at, 'tags')),
    };
  });
  uniqueBy(roles, (r) => r.roleName.toLowerCase(), path, 'role');
  return roles;
}

const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.]{3,128}$/;
const DOCUMENT_VERSION = /^[1-9]\d*$/;
const DOCUMENT_TYPES = [
  'Session',
  'Command',
  'Automation',
  'Policy',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
] as const;

function content(value: unknown, path: string): DocumentContent {
  if (!isRecord(value)) throw new WorldError(path, 'expected an object (the document content as JSON)');
  return value;
}

function parseDocument(raw: unknown, at: string): WorldDocument {
  const o = object(raw, at, [
    'name',
    'documentType',
    'owner',
    'content',
    'versions',
    'defaultVersion',
    'latestVersion',
  ]);
  const name = string(o.name, join(at, 'name'), DOCUMENT_NAME, 'an SSM document name');
  const documentType =
    o.documentType === undefined
      ? 'Session'
      : oneOf(o.documentType, DOCUMENT_TYPES, join(at, 'documentType'));
  const owner = o.owner === undefined ? 'Self' : nonEmpty(o.owner, join(at, 'owner'));
  if ((o.content === undefined) === (o.versions === undefined)) {
    throw new WorldError(at, 'expected exactly one of "content" and "versions"');
  }
  if (o.content !== undefined) {
    for (const key of ['defaultVersion', 'latestVersion'] as const) {
      if (o[key] !== undefined)
        throw new WorldError(join(at, key), 'only a document with "versions" names versions');
    }
    return {
      name,
      documentType,
      owner,
      versions: [{ version: '1', content: content(o.content, join(at, 'content')) }],
      defaultVersion: '1',
      latestVersion: '1',
    };
  }
  const versionsPath = join(at, 'versions');
  const versions = array(o.versions, versionsPath).map((rawVersion, index) => {
    const vat = `${versionsPath}[${index}]`;
    const v = object(rawVersion, vat, ['version', 'content']);
    return {
      version: string(
        v.version,
        join(vat, 'version'),
        DOCUMENT_VERSION,
        'a version number as a string, e.g. "2"',
      ),
      content: content(v.content, join(vat, 'content')),
    };
  });
  const last = versions.at(-1);
  if (last === undefined) throw new WorldError(versionsPath, 'expected at least one version');
  uniqueBy(versions, (v) => v.version, versionsPath, 'version');
  // Versions above latestVersion stand for versions replayed change events create: SSM serves none
  // of them until then, so the default cannot be one of them.
  const pointer = (key: 'defaultVersion' | 'latestVersion'): string => {
    if (o[key] === undefined) return last.version;
    const named = string(o[key], join(at, key));
    if (!versions.some((v) => v.version === named)) {
      throw new WorldError(
        join(at, key),
        `expected one of the listed versions, got ${JSON.stringify(named)}`,
      );
    }
    return named;
  };
  const defaultVersion = pointer('defaultVersion');
  const latestVersion = pointer('latestVersion');
  if (Number(defaultVersion) > Number(latestVersion)) {
    throw new WorldError(
      join(at, 'defaultVersion'),
      `expected a version at most latestVersion (${latestVersion})`,
    );
  }
  return { name, documentType, owner, versions, defaultVersion, latestVersion };
}

const NODE_ID = { test: isManagedNodeId } as const;

/** `"alice"` or `{ "name": "alice", "uid": 1000, "gid": 1000 }`; a name alone gets uid and gid 10000 + index (root: 0). */
function parseNodeUser(raw: unknown, at: string, index: number): WorldNodeUser {
  if (typeof raw === 'string') {
    const name = nonEmpty(raw, at);
    const id = name === 'root' ? 0 : 10000 + index;
    return { name, uid: id, gid: id };
  }
  const o = object(raw, at, ['name', 'uid', 'gid']);
  const id = (key: 'uid' | 'gid'): number => {
    const value = o[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 4294967294) {
      throw new WorldError(join(at, key), 'expected a whole number from 0 to 4294967294');
    }
    return value;
  };
  return { name: nonEmpty(o.name, join(at, 'name')), uid: id('uid'), gid: id('gid') };
}

function parseNode(raw: unknown, at: string, now: string): WorldNode {
  const o = object(raw, at, [
    'id',
    'platform',
    'pingStatus',
    'users',
    'inventoryCaptureTime',
    'inventoryStale',
  ]);
  const id = string(o.id, join(at, 'id'), NODE_ID, 'a managed node id ("i-…" or "mi-…")');
  const platform = oneOf(o.platform, ['Linux', 'MacOS', 'Windows'] as const, join(at, 'platform'));
  const pingStatus =
    o.pingStatus === undefined
      ? 'Online'
      : oneOf(o.pingStatus, ['Online', 'ConnectionLost', 'Inactive'] as const, join(at, 'pingStatus'));
  const users =
    o.users === undefined
      ? null
      : array(o.users, join(at, 'users')).map((user, index) =>
          parseNodeUser(user, `${join(at, 'users')}[${index}]`, index),
        );
  if (users !== null) uniqueBy(users, (u) => u.name, join(at, 'users'), 'user');
  const stale =
    o.inventoryStale === undefined ? false : boolean(o.inventoryStale, join(at, 'inventoryStale'));
  if (stale && o.inventoryCaptureTime !== undefined) {
    throw new WorldError(
      join(at, 'inventoryStale'),
      'expected either inventoryStale or inventoryCaptureTime, not both',
    );
  }
  const inventoryCaptureTime = stale
    ? toIsoSeconds(Date.parse(now) - STALE_INVENTORY_MS)
    : o.inventoryCaptureTime === undefined
      ? null
      : isoTime(o.inventoryCaptureTime, join(at, 'inventoryCaptureTime'));
  return { id, platform, pingStatus, users, inventoryCaptureTime };
}

const SESSION_STATUSES = [
  'Connected',
  'Connecting',
  'Disconnected',
  'Terminated',
  'Terminating',
  'Failed',
] as const;

function parseSession(raw: unknown, at: string): WorldSession {
  const o = object(raw, at, ['sessionId', 'target', 'owner', 'status', 'startDate', 'documentName']);
  const session = {
    sessionId: nonEmpty(o.sessionId, join(at, 'sessionId')),
    target: nonEmpty(o.target, join(at, 'target')),
    owner: string(o.owner, join(at, 'owner'), { test: (arn) => parsePrincipalArn(arn).ok }, 'an IAM/STS ARN'),
    status: oneOf(o.status, SESSION_STATUSES, join(at, 'status')),
    startDate: isoTime(o.startDate, join(at, 'startDate')),
  };
  return o.documentName === undefined
    ? session
    : { ...session, documentName: nonEmpty(o.documentName, join(at, 'documentName')) };
}

function parseCloudTrailRecord(raw: unknown, at: string): CloudTrailRecord {
  if (!isRecord(raw)) throw new WorldError(at, 'expected an object (a raw CloudTrail record)');
  const eventName = nonEmpty(raw.eventName, join(at, 'eventName'));
  const eventTime = string(raw.eventTime, join(at, 'eventTime'), ISO_TIME, 'an ISO time');
  if (Number.isNaN(Date.parse(eventTime)))
    throw new WorldError(join(at, 'eventTime'), 'expected a valid ISO time');
  return { ...raw, eventName, eventTime };
}

function parseRegion(raw: unknown, at: string, now: string): WorldRegion {
  const o = object(raw, at, ['documents', 'nodes', 'sessions', 'cloudTrail']);
  const list = <T>(key: string, parse: (item: unknown, path: string) => T): T[] =>
    o[key] === undefined
      ? []
      : array(o[key], join(at, key)).map((item, index) => parse(item, `${join(at, key)}[${index}]`));
  const documents = list('documents', parseDocument);
  uniqueBy(documents, (d) => d.name, join(at, 'documents'), 'document');
  const nodes = list('nodes', (item, path) => parseNode(item, path, now));
  uniqueBy(nodes, (n) => n.id, join(at, 'nodes'), 'node');
  const sessions = list('sessions', parseSession);
  uniqueBy(sessions, (s) => s.sessionId, join(at, 'sessions'), 'session');
  return { documents, nodes, sessions, cloudTrail: list('cloudTrail', parseCloudTrailRecord) };
}

/** Validates a world strictly; every error names the JSON path of the offending value. */
export function parseWorld(json: unknown): World {
  const o = object(json, '', [
    'accountId',
    'partition',
    'now',
    'inventoryTypeName',
    'iam',
    'regions',
    'faults',
    'quotas',
  ]);
  const accountId = string(o.accountId, 'accountId', /^\d{12}$/, 'a 12-digit account id');
  const partition =
    o.partition === undefined
      ? 'aws'
      : oneOf(o.partition, ['aws', 'aws-cn', 'aws-us-gov'] as const, 'partition');
  const now = o.now === undefined ? DEFAULT_NOW : isoTime(o.now, 'now');
  const inventoryTypeName =
    o.inventoryTypeName === undefined
      ? DEFAULT_INVENTORY_TYPE_NAME
      : string(o.inventoryTypeName, 'inventoryTypeName', /^(AWS|Custom):[\w.-]+$/, 'an inventory type name');
  const iam = o.iam === undefined ? {} : object(o.iam, 'iam', ['users', 'roles', 'denyTagReads']);
  const regions: Record<string, WorldRegion> = {};
  if (o.regions !== undefined) {
    if (!isRecord(o.regions)) throw new WorldError('regions', 'expected an object keyed by Region');
    for (const [region, raw] of Object.entries(o.regions)) {
      if (!isRegion(region))
        throw new WorldError(`regions.${region}`, 'expected a Region name like "us-east-1"');
      regions[region] = parseRegion(raw, `regions.${region}`, now);
    }
  }
  const faults =
    o.faults === undefined
      ? []
      : array(o.faults, 'faults').map((rule, index) => {
          try {
            return parseFaultRule(rule, `faults[${index}]`);
          } catch (error) {
            if (error instanceof FaultRuleError)
              throw new WorldError(error.path, error.message.slice(error.path.length + 2), { cause: error });
            throw error;
          }
        });
  return {
    accountId,
    partition,
    now,
    inventoryTypeName,
    iam: {
      users: parseUsers(iam.users, 'iam.users'),
      roles: parseRoles(iam.roles, 'iam.roles'),
      denyTagReads: iam.denyTagReads === undefined ? false : boolean(iam.denyTagReads, 'iam.denyTagReads'),
    },
    regions,
    faults,
    ...(o.quotas === undefined ? {} : { quotas: worldQuotas(o.quotas) }),
  };
}

function worldQuotas(json: unknown): QuotaConfig {
  try {
    return parseQuotaConfig(json, 'quotas');
  } catch (error) {
    if (error instanceof QuotaError)
      throw new WorldError(error.path, error.message.slice(error.path.length + 2), { cause: error });
    throw error;
  }
}

export async function loadWorld(path: string): Promise<World> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WorldError('', `cannot read world file ${path}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WorldError('', `world file ${path} is not valid JSON`, { cause: error });
  }
  return parseWorld(json);
}

// ---------------------------------------------------------------------------------------------
// Mutable state

// A type alias (not an interface) so tags pass as plain records, e.g. into the IAM XML renderer.
export type Tag = {
  readonly Key: string;
  readonly Value: string;
};

export interface PrincipalState {
  readonly kind: 'user' | 'role';
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly createDate: string;
  /** In insertion order; keys are unique case-insensitively. */
  tags: Tag[];
}

export interface DocumentState {
  readonly name: string;
  documentType: string;
  readonly owner: string;
  /** Content by version number; kept after deletion so a replayed CreateDocument can restore it. */
  readonly versions: Map<string, DocumentContent>;
  defaultVersion: string;
  latestVersion: string;
  deleted: boolean;
  readonly createdDate: string;
}

export interface SessionState {
  readonly sessionId: string;
  readonly target: string;
  readonly owner: string;
  status: SessionStatus;
  readonly startDate: string;
  endDate?: string;
  readonly documentName?: string;
}

export type CommandOutcome =
  | { readonly status: 'Success'; readonly stdout: string }
  | { readonly status: 'Failed'; readonly responseCode: number; readonly stderr: string };

export interface CommandInvocationState {
  readonly commandId: string;
  readonly instanceId: string;
  readonly documentName: string;
  readonly comment: string;
  readonly commands: readonly string[];
  readonly requestedAt: string;
  /** Polls left that report Pending/InProgress; `forever` never completes (probe timeout). */
  pendingPolls: number | 'forever';
  polls: number;
  readonly outcome: CommandOutcome;
}

/**
 * A finding as the local Security Hub stores it: these fields were validated on import (Region
 * and RecordState are filled by the service when absent); every other field is kept as sent.
 */
export type StoredFinding = Readonly<Record<string, unknown>> & {
  readonly SchemaVersion: '2018-10-08';
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Severity: { readonly Label?: string; readonly Normalized?: number };
  readonly Title: string;
  readonly Description: string;
  readonly Resources: readonly ({ readonly Type: string; readonly Id: string } & Readonly<
    Record<string, unknown>
  >)[];
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  readonly ProductFields?: Readonly<Record<string, string>>;
  readonly Compliance?: { readonly Status: string } & Readonly<Record<string, unknown>>;
};

export interface RegionState {
  readonly documents: Map<string, DocumentState>;
  readonly nodes: Map<string, WorldNode>;
  readonly sessions: SessionState[];
  readonly cloudTrail: CloudTrailRecord[];
  /** Keyed by `${ProductArn}\n${Id}`, in first-import order. */
  readonly findings: Map<string, StoredFinding>;
  readonly commands: Map<string, CommandInvocationState[]>;
}

function emptyRegion(): RegionState {
  return {
    documents: new Map(),
    nodes: new Map(),
    sessions: [],
    cloudTrail: [],
    findings: new Map(),
    commands: new Map(),
  };
}

/** Stable pseudo-random IAM unique id (AIDA… users, AROA… roles) so output is reproducible. */
function iamUniqueId(prefix: string, name: string): string {
  const digest = createHash('sha256').update(`${prefix}:${name}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = prefix;
  for (let i = 0; i < 17; i++) id += alphabet[(digest[i] ?? 0) % 32];
  return id;
}

function tagList(record: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/** The account as the local endpoint serves it right now. */
export class LocalWorld {
  readonly accountId: string;
  readonly partition: string;
  readonly now: string;
  readonly inventoryTypeName: string;
  readonly initialFaults: readonly FaultRule[];
  denyTagReads: boolean;
  /** The time of the event being replayed (applyChange sets it from every record it sees). */
  eventTime: string | undefined;
  /** Keyed by lower-cased name: IAM names are unique case-insensitively. */
  readonly users = new Map<string, PrincipalState>();
  readonly roles = new Map<string, PrincipalState>();
  readonly #regions = new Map<string, RegionState>();
  #commandCounter = 0;

  constructor(world: World) {
    this.accountId = world.accountId;
    this.partition = world.partition;
    this.now = world.now;
    this.inventoryTypeName = world.inventoryTypeName;
    this.initialFaults = world.faults;
    this.denyTagReads = world.iam.denyTagReads;
    this.eventTime = undefined;
    for (const user of world.iam.users)
      this.#putPrincipal('user', user.userName, user.path, tagList(user.tags));
    for (const role of world.iam.roles)
      this.#putPrincipal('role', role.roleName, role.path, tagList(role.tags));
    for (const [name, region] of Object.entries(world.regions)) {
      const state = this.region(name);
      for (const doc of region.documents) {
        state.documents.set(doc.name, {
          name: doc.name,
          documentType: doc.documentType,
          owner: doc.owner,
          versions: new Map(doc.versions.map((v) => [v.version, v.content])),
          defaultVersion: doc.defaultVersion,
          latestVersion: doc.latestVersion,
          deleted: false,
          createdDate: world.now,
        });
      }
      for (const node of region.nodes) state.nodes.set(node.id, node);
      for (const session of region.sessions) state.sessions.push({ ...session });
      state.cloudTrail.push(...region.cloudTrail);
    }
  }

  /** State of a Region, created empty on first use (any Region can receive findings). */
  region(name: string): RegionState {
    let state = this.#regions.get(name);
    if (state === undefined) {
      state = emptyRegion();
      this.#regions.set(name, state);
    }
    return state;
  }

  regionNames(): string[] {
    return [...this.#regions.keys()];
  }

  user(name: string): PrincipalState | undefined {
    return this.users.get(name.toLowerCase());
  }

  role(name: string): PrincipalState | undefined {
    return this.roles.get(name.toLowerCase());
  }

  principalArn(principal: PrincipalState): string {
    return `arn:${this.partition}:iam::${this.accountId}:${principal.kind}${principal.path}${principal.name}`;
  }

  /** The live document (not deleted) of a Region. */
  document(region: string, name: string): DocumentState | undefined {
    const doc = this.#regions.get(region)?.documents.get(name);
    return doc === undefined || doc.deleted ? undefined : doc;
  }

  /** Findings Security Hub stores, in first-import order; one Region or all of them. */
  findings(region?: string): StoredFinding[] {
    const one = region === undefined ? undefined : this.#regions.get(region);
    const regions = region === undefined ? [...this.#regions.values()] : one === undefined ? [] : [one];
    return regions.flatMap((state) =>
      [...state.findings.values()].map((finding) => structuredClone(finding)),
    );
  }

  /** A node's inventory capture time: the world's, or fresh at the event being replayed. */
  inventoryTimeOf(node: WorldNode): string {
    return node.inventoryCaptureTime ?? this.eventTime ?? this.now;
  }

  /** A deterministic command id (UUID-shaped) so replays print the same output. */
  nextCommandId(): string {
    this.#commandCounter += 1;
    return `00000000-0000-4000-8000-${this.#commandCounter.toString(16).padStart(12, '0')}`;
  }

  /**
   * Replays one raw CloudTrail record (an EventBridge event's `detail`). Returns true when the
   * world changed; unknown, failed (errorCode) or inapplicable records change nothing.
   */
  applyChange(record: unknown): boolean {
    if (
      isRecord(record) &&
      typeof record.eventTime === 'string' &&
      !Number.isNaN(Date.parse(record.eventTime))
    ) {
      this.eventTime = toIsoSeconds(Date.parse(record.eventTime));
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
        return from('iam') && this.#tag(this.#iamTarget(record.eventName, params), params.tags);
      case 'UntagUser':
      case 'UntagRole':
        return from('iam') && this.#untag(this.#iamTarget(record.eventName, params), params.tagKeys);
      case 'CreateUser':
      case 'CreateRole':
        return from('iam') && this.#create(record.eventName === 'CreateUser' ? 'user' : 'role', params);
      case 'DeleteUser':
      case 'DeleteRole':
        return from('iam') && this.#delete(record.eventName === 'DeleteUser' ? 'user' : 'role', params);
      case 'CreateDocument':
      case 'UpdateDocument':
      case 'UpdateDocumentDefaultVersion':
      case 'DeleteDocument':
        return (
          from('ssm') &&
          typeof record.awsRegion === 'string' &&
          this.#document(record.eventName, record.awsRegion, params, response)
        );
      default:
        return false;
    }
  }

  #putPrincipal(kind: 'user' | 'role', name: string, path: string, tags: Tag[]): void {
    const map = kind === 'user' ? this.users : this.roles;
    map.set(name.toLowerCase(), {
      kind,
      name,
      path,
      id: iamUniqueId(kind === 'user' ? 'AIDA' : 'AROA', name),
      createDate: this.now,
      tags,
    });
  }

  #iamTarget(eventName: string, params: Json): PrincipalState | undefined {
    const isUser = eventName.endsWith('User');
    const name = isUser ? params.userName : params.roleName;
    if (typeof name !== 'string') return undefined;
    return isUser ? this.user(name) : this.role(name);
  }

  #tag(principal: PrincipalState | undefined, rawTags: unknown): boolean {
    const tags = recordTags(rawTags);
    if (principal === undefined || tags === undefined || tags.length === 0) return false;
    for (const tag of tags) {
      const lower = tag.Key.toLowerCase();
      const index = principal.tags.findIndex((existing) => existing.Key.toLowerCase() === lower);
      // The new spelling of the key wins, as IAM does.
      if (index === -1) principal.tags.push(tag);
      else principal.tags[index] = tag;
    }
    return true;
  }

  #untag(principal: PrincipalState | undefined, rawKeys: unknown): boolean {
    if (principal === undefined || !Array.isArray(rawKeys)) return false;
    const keys = new Set(
      rawKeys.filter((k): k is string => typeof k === 'string').map((k) => k.toLowerCase()),
    );
    const before = principal.tags.length;
    principal.tags = principal.tags.filter((tag) => !keys.has(tag.Key.toLowerCase()));
    return principal.tags.length !== before;
  }

  #create(kind: 'user' | 'role', params: Json): boolean {
    const name = kind === 'user' ? params.userName : params.roleName;
    if (typeof name !== 'string' || !IAM_NAME.test(name)) return false;
    const path = typeof params.path === 'string' && IAM_PATH.test(params.path) ? params.path : '/';
    const tags = params.tags === undefined ? [] : recordTags(params.tags);
    if (tags === undefined) return false;
    this.#putPrincipal(kind, name, path, dedupeTags(tags));
    return true;
  }

  #delete(kind: 'user' | 'role', params: Json): boolean {
    const name = kind === 'user' ? params.userName : params.roleName;
    if (typeof name !== 'string') return false;
    return (kind === 'user' ? this.users : this.roles).delete(name.toLowerCase());
  }

  #document(eventName: string, region: string, params: Json, response: Json): boolean {
    const name = documentNameOf(params.name);
    const doc = name === undefined ? undefined : this.#regions.get(region)?.documents.get(name);
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
export function documentNameOf(nameOrArn: unknown): string | undefined {
  if (typeof nameOrArn !== 'string' || nameOrArn.length === 0) return undefined;
  return nameInArn(nameOrArn);
}
