/**
 * The world file: a description of one AWS account, or of an organization's accounts, that the
 * local endpoint serves, validated strictly by its schema (worldSchema.ts), with every default
 * filled in. LocalWorld (localWorld.ts) holds the live state built from it.
 */
import { readFile } from 'node:fs/promises';
import type { FaultRule } from '../services/faults.ts';
import type { QuotaConfig } from '../services/quotas.ts';
import { InputError } from '../tools/inputError.ts';
import { parseInput } from './inputSchema.ts';
import type { WorldLogGroup } from './worldLogs.ts';
import { worldSchema } from './worldSchema.ts';

export type { StoredFinding } from './worldState.ts';

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
  /** Long-term access key ids (`AKIA…`) whose signed requests act as this user. */
  readonly accessKeyIds: readonly string[];
}

export interface WorldRole {
  readonly roleName: string;
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The role's trust policy; absent: it trusts its own account (the root principal). */
  readonly trustPolicy?: Readonly<Record<string, unknown>>;
  /** Seconds, 3600–43200. */
  readonly maxSessionDuration: number;
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
  readonly accessType?: 'Standard' | 'JustInTime';
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
  /** CloudWatch Logs groups (session logs) of the Region. */
  readonly logGroups: readonly WorldLogGroup[];
}

export interface WorldIam {
  readonly users: readonly WorldUser[];
  readonly roles: readonly WorldRole[];
  /** ListUserTags / ListRoleTags answer AccessDenied. */
  readonly denyTagReads: boolean;
}

/** One account: its IAM (global) and, per Region, what the Regional services serve. */
export interface WorldAccount {
  readonly accountId: string;
  readonly iam: WorldIam;
  readonly regions: Readonly<Record<string, WorldRegion>>;
}

/** The AWS Organization a world of several accounts belongs to. */
export interface WorldOrganization {
  /** `o-…`: what `aws:PrincipalOrgID` is for every account of the world. */
  readonly id: string;
  readonly managementAccountId: string;
  /** The account the audit stack runs in: whom credentials the endpoint did not issue act for. */
  readonly auditAccountId: string;
}

/**
 * A validated world with every default filled in. `accountId`, `iam` and `regions` are the
 * default account's: the one account of a single-account world, the audit account of an
 * organization. `accounts` lists every account, the default one included.
 */
export interface World {
  readonly accountId: string;
  readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly now: string;
  /** Inventory type whose entries list a node's OS users (the auditor's INVENTORY_TYPE_NAME). */
  readonly inventoryTypeName: string;
  readonly iam: WorldIam;
  readonly regions: Readonly<Record<string, WorldRegion>>;
  readonly accounts: readonly WorldAccount[];
  /** Present when the world describes an organization. */
  readonly organization?: WorldOrganization;
  readonly faults: readonly FaultRule[];
  /** Request-rate quotas; absent = not enforced. */
  readonly quotas?: QuotaConfig;
}

/** Its `path` is the JSON path of the offending value, e.g. `regions.us-east-1.nodes[2].platform`. */
export class WorldError extends InputError {
  override readonly name = 'WorldError';
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the format inventory and findings use. */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A world as a world file would hold it, to edit and parse again: a single-account world without
 * the `accounts` list its parsed form adds (an edit of its regions would otherwise disagree with it).
 */
export function worldFileOf(world: World): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(world)) as Record<string, unknown>;
  if (world.organization === undefined) delete json.accounts;
  return json;
}

/** Validates a world strictly; every error names the JSON path of the offending value. */
export function parseWorld(json: unknown): World {
  return parseInput(worldSchema, json, '', (path, problem) => new WorldError(path, problem));
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
