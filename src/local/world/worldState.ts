/**
 * The live state of one account the local endpoint serves, as its services read and change it: principals
 * with their tags, documents with their versions, sessions, command invocations and the findings
 * Security Hub stores. LocalWorld (localWorld.ts) holds one of each per Region.
 */
import type { CloudTrailRecord, DocumentContent, SessionStatus, WorldNode } from './world.ts';
import type { WorldLogGroup } from './worldLogs.ts';

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
  /** Roles: the trust policy document the world gives; absent: the role trusts its own account. */
  readonly trustPolicy?: Readonly<Record<string, unknown>>;
  /** Roles: seconds, 3600–43200. */
  readonly maxSessionDuration?: number;
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
  readonly accessType?: 'Standard' | 'JustInTime';
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
  /** CloudWatch Logs groups, as the world gives them (replay changes none). */
  logGroups: readonly WorldLogGroup[];
}

export function emptyRegion(): RegionState {
  return {
    documents: new Map(),
    nodes: new Map(),
    sessions: [],
    cloudTrail: [],
    findings: new Map(),
    commands: new Map(),
    logGroups: [],
  };
}
