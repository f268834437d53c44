/**
 * What the use cases need from the world. Adapters in src/aws implement these; tests use
 * small hand-written fakes. Reads that fail for permission or absence return
 * `{ known: false, reason }`; throttling and 5xx are thrown (after the SDK's retries).
 */
import type { Known, Platform, Principal, SessionTagsFact, Tags, UserPresence } from '../domain/facts.ts';
import type { AsffFinding } from '../findings/asff.ts';

export interface PrincipalTags {
  /** Tags of an IAM user or role in this account (all pages). */
  tagsOf(principal: Principal): Promise<Known<Tags>>;
}

export interface SessionTags {
  /**
   * Session tags of the role session that made a call (from the AssumeRole* record in
   * CloudTrail, matched by access key id). `not-a-role-session` for non-role principals.
   */
  sessionTagsOf(principal: Principal): Promise<SessionTagsFact>;
}

export interface DocumentContent {
  readonly name: string;
  /** Parsed JSON content of the document. */
  readonly content: unknown;
  readonly documentType: string;
  readonly documentVersion: string;
}

export interface SessionDocuments {
  /**
   * A document by name or ARN; `version` is `$DEFAULT` (when omitted), `$LATEST` or a number.
   * Value null when the document does not exist.
   */
  documentOf(nameOrArn: string, version?: string): Promise<Known<DocumentContent | null>>;
}

export interface NodePlatforms {
  /** Platform of a managed node (`i-…`, `mi-…`); value null when it is not registered with SSM. */
  platformOf(nodeId: string): Promise<Known<Platform | null>>;
}

export interface NodeUsers {
  /**
   * Whether an OS user exists on a node at `asOf` (ISO time, the session's event time). Never
   * "missing" unless that is known for sure.
   */
  presenceOf(nodeId: string, user: string, asOf: string): Promise<UserPresence>;
}

export interface FindingSink {
  /** Imports findings (any number; batched ≤100 per call). Throws FindingImportError on FailedFindings. */
  importFindings(findings: readonly AsffFinding[]): Promise<void>;
}

/** Everything auditing one StartSession needs, bound to one account and Region. */
export interface SessionAuditPorts {
  readonly principalTags: PrincipalTags;
  readonly sessionTags: SessionTags;
  readonly documents: SessionDocuments;
  readonly platforms: NodePlatforms;
  readonly nodeUsers: NodeUsers;
  readonly findings: FindingSink;
}
