/**
 * What the use cases need from the world. Adapters in src/aws implement these; tests use
 * small hand-written fakes. Reads that fail for permission or absence return
 * `{ known: false, reason }`; throttling and 5xx are thrown (after the SDK's retries).
 */
import type {
  DocumentRead,
  Known,
  NameMatch,
  Platform,
  Principal,
  SessionTagsFact,
  Tags,
  UserPresence,
} from '../domain/facts.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import type { IdentityRecord } from '../domain/identity.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { AsffFinding } from '../findings/asff.ts';
import type { SessionVerifications } from './sessionLogPorts.ts';
import type { Ledger, TagHistory } from './statePorts.ts';

export interface PrincipalTags {
  /** Tags of an IAM user or role in this account (all pages). */
  tagsOf(principal: Principal): Promise<Known<Tags>>;
}

export interface SessionTags {
  /**
   * Session tags of the role or federated session that started a session: from the AssumeRole* or
   * GetFederationToken record that issued its credentials. `not-a-role-session` for other principals.
   */
  sessionTagsOf(session: StartSessionCommand): Promise<SessionTagsFact>;
}

/** Who issued a role or federated session, to find its STS record by issue time. */
export type SessionIssuer =
  | { readonly kind: 'role'; readonly roleArn: string }
  | { readonly kind: 'federated-user' };

/** The STS records CloudTrail LookupEvents holds in one account and Region (90 days). */
export interface StsRecords {
  /** The records that list this issued access key as a resource (exact: one for a key STS issued). */
  byAccessKey(accessKeyId: string): Promise<Known<readonly IdentityRecord[]>>;
  /** The records of this issuer issued at `creationDate` (whole seconds, within the issue-time slack). */
  issuedAt(issuer: SessionIssuer, creationDate: string): Promise<Known<readonly IdentityRecord[]>>;
}

export interface PendingSessions {
  /**
   * Files a session whose STS record has not arrived (`reported`: a finding was written for it), to
   * be audited again when the record does, then looks once more: the session tags of a record
   * that arrived meanwhile (the session is taken back), else undefined.
   */
  fileUntilRecord(session: StartSessionCommand, reported: boolean): Promise<SessionTagsFact | undefined>;
}

export interface SessionAccess {
  /** DescribeSessions `AccessType` of a session; undefined when it is not listed or cannot be read. */
  accessTypeOf(sessionId: string): Promise<'Standard' | 'JustInTime' | undefined>;
}

/** `$LATEST`, `$DEFAULT` or a version number. */
export type DocumentVersion = string;

export interface SessionDocuments {
  /** A document by name or ARN at a version. Value null when the document does not exist. */
  documentOf(nameOrArn: string, version: DocumentVersion): Promise<Known<DocumentRead | null>>;
}

export interface NodePlatforms {
  /** Platform of a managed node (`i-…`, `mi-…`); value null when it is not registered with SSM. */
  platformOf(nodeId: string): Promise<Known<Platform | null>>;
}

export interface UserLookup {
  /** The moment in question (ISO time, the session's event time): inventory freshness is judged against it. */
  readonly asOf: string;
  /** How the node compares names. */
  readonly match: NameMatch;
}

export interface NodeUsers {
  /**
   * Whether an OS user exists on a node, by name or (a value of digits, when no account has that
   * name) by uid, and the account it is (uid and primary gid when known). Never "missing" unless
   * that is known for sure.
   */
  presenceOf(nodeId: string, user: string, lookup: UserLookup): Promise<UserPresence>;
}

/**
 * Where a use case writes its findings. In a Lambda batch this is the batch's collector: the
 * findings of every record are imported together once the records have run.
 */
export interface FindingSink {
  importFindings(findings: readonly AsffFinding[]): Promise<void>;
}

/** A finding Security Hub did not store, and why: its FailedFindings entry, or the call that failed. */
export interface FailedFinding {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  /** The error of a call that failed as a whole (after the SDK's retries); absent for a FailedFindings entry. */
  readonly error?: unknown;
}

export interface FindingImporter {
  /**
   * Imports findings into one account and Region, at most 100 and 6 MB per call. Never throws for
   * a refused finding or a failed call: it reports them, so each can be traced to the records
   * that produced it.
   */
  importFindings(findings: readonly AsffFinding[]): Promise<ImportReport>;
}

export interface ImportReport {
  readonly failed: readonly FailedFinding[];
  /** Findings sent in each BatchImportFindings call, in order. */
  readonly calls: readonly number[];
}

/** Everything auditing one StartSession needs, bound to one account and Region. */
export interface SessionAuditPorts {
  readonly principalTags: PrincipalTags;
  readonly sessionTags: SessionTags;
  readonly documents: SessionDocuments;
  readonly platforms: NodePlatforms;
  readonly nodeUsers: NodeUsers;
  readonly findings: FindingSink;
  /** Where streamed sessions are queued for their session log to be read; absent: no queue. */
  readonly verifications?: SessionVerifications;
  /** The state table's record of tag changes (sessions are judged by the tags of their time). */
  readonly tagHistory?: TagHistory;
  /** Where an audited StartSession is marked, so the sweep leaves it alone; absent without a state table. */
  readonly ledger?: Pick<Ledger, 'mark'>;
  /** Sessions that wait for their STS record. Absent without a state table. */
  readonly pendingSessions?: PendingSessions;
}

/** What the adapters provide for a session audit: its reads (the batch supplies the sink). */
export type SessionReadPorts = Omit<SessionAuditPorts, 'findings'>;

// ----- re-evaluation after a change (IAM tags, session documents, open sessions) -----------------

export interface PrincipalDirectory {
  /**
   * The IAM user or role of this account as it exists now (its ARN carries the IAM path, which
   * tag and delete events do not); value null when it does not exist.
   */
  principalOf(kind: 'user' | 'role', name: string): Promise<Known<Principal | null>>;
}

/** What re-evaluation needs to know about a finding already in Security Hub. */
export interface StoredFinding {
  readonly Id: string;
  readonly GeneratorId: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly RecordState: string;
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Compliance: { readonly Status: string } | undefined;
  readonly Resources: readonly { readonly Type: string; readonly Id: string }[];
}

export interface FindingReader {
  /** The findings among ids that exist (any record state), keyed by Id. */
  findingsByIds(ids: readonly string[]): Promise<ReadonlyMap<string, StoredFinding>>;
  /**
   * All ACTIVE findings of a generator, optionally narrowed by ProductFields values (all must
   * match) and to those last updated before a time (ISO; Security Hub deletes an active finding
   * not updated for 90 days).
   */
  activeFindings(filter: {
    readonly generatorId: string;
    readonly productFields?: Readonly<Record<string, string>>;
    readonly updatedBefore?: string;
  }): Promise<readonly StoredFinding[]>;
}

/** A Session Manager session that is still open (DescribeSessions, State Active). */
export interface OpenSession {
  readonly sessionId: string;
  readonly target: string;
  /** The ARN that started it: an IAM user ARN, or an assumed-role session ARN for a role. */
  readonly owner: string;
  readonly documentName?: string;
  /** ISO-8601 UTC. */
  readonly startDate: string;
}

export interface ActiveSessions {
  /** Open sessions of this Region (all pages); `owner` narrows to sessions whose Owner is that exact ARN. */
  openSessions(filter?: { readonly owner?: string }): Promise<readonly OpenSession[]>;
  /** Ends a session; one that has already ended counts as terminated. */
  terminate(sessionId: string): Promise<void>;
}

export interface FleetUsers {
  /**
   * Whether an OS user exists on the Region's managed Linux and macOS nodes at `asOf` (ISO time,
   * the change event's time), from their OS users inventory only: nothing is run on a node. A
   * node counts as missing only when a fresh inventory does not list the user. Unknown when the
   * nodes cannot be listed (permission).
   */
  nodesMissing(user: string, asOf: string): Promise<Known<FleetPresence>>;
}

/** Everything a change needs in one Region: its documents, findings and sessions. */
export interface RegionChangePorts {
  readonly documents: SessionDocuments;
  readonly findings: FindingSink;
  readonly findingReader: FindingReader;
  readonly sessions: ActiveSessions;
  /** The fleet pre-check; absent when USER_DIRECTORY is none, which skips it. */
  readonly fleetUsers?: FleetUsers;
}

/** Ports of a principal or document change in one account: IAM is global, the rest per Region. */
export interface ChangeAuditPorts {
  readonly principalTags: PrincipalTags;
  readonly principals: PrincipalDirectory;
  readonly inRegion: (region: string) => RegionChangePorts;
}

/** What the adapters provide for a change: its reads in every Region (the batch supplies the sink). */
export interface ChangeReadPorts {
  readonly principalTags: PrincipalTags;
  readonly principals: PrincipalDirectory;
  readonly inRegion: (region: string) => Omit<RegionChangePorts, 'findings'>;
}
