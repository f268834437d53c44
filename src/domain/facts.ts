/**
 * Plain facts the Run As decision is made from. Adapters gather them; the domain never
 * fetches anything. A fact that could not be read is `{ known: false, reason }` so the
 * decision can say exactly why the expectation is unverified.
 */

export type Known<T> =
  | { readonly known: true; readonly value: T }
  | { readonly known: false; readonly reason: string };

export const known = <T>(value: T): Known<T> => ({ known: true, value });
export const unknown = <T = never>(reason: string): Known<T> => ({ known: false, reason });

/** Tags keyed exactly as AWS returned them; lookups of SSMSessionRunAs are case-insensitive. */
export type Tags = Readonly<Record<string, string>>;

export type PrincipalKind = 'user' | 'role' | 'root' | 'federated-user' | 'other';

export interface Principal {
  readonly kind: PrincipalKind;
  /** The IAM user or role ARN (for an assumed role, the role: sessionContext.sessionIssuer.arn). */
  readonly arn: string;
  readonly accountId: string;
  /** User or role name without path; for root/federated/other, a display name. */
  readonly name: string;
  /** IAM path, e.g. "/" or "/ops/" (users and roles). */
  readonly path: string;
  /** The caller ARN as CloudTrail recorded it (e.g. the assumed-role session ARN). */
  readonly callerArn: string;
  /** Access key the call was signed with; blank when CloudTrail left it blank. */
  readonly accessKeyId: string;
  /** For assumed roles: the role session name. */
  readonly sessionName?: string;
  /** For role and federated sessions: when the session was created (sessionContext.attributes.creationDate). */
  readonly sessionCreatedAt?: string;
}

export type Platform = 'Linux' | 'MacOS' | 'Windows';

/** A document version as GetDocument returned it. */
export interface DocumentRead {
  /** The document's name (GetDocument answers with the name even when asked by ARN). */
  readonly name: string;
  /** The version number GetDocument returned ('' when it did not say). */
  readonly version: string;
  /** `Session`, or another type ('' when not said). */
  readonly documentType: string;
  /** Parsed JSON content. */
  readonly content: unknown;
}

/** An OS account as the node resolves it (uid and primary gid when the source records them). */
export interface NodeAccount {
  readonly name: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** How user existence is known: present/missing from a fresh inventory or a probe; unknown otherwise. */
export type UserPresence =
  | { readonly status: 'present'; readonly source: string; readonly account?: NodeAccount }
  | { readonly status: 'missing'; readonly source: string }
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * How a node compares user names: Linux name services match exactly; macOS Directory Services
 * is reported to ignore case.
 */
export type NameMatch = 'exact' | 'ignore-case';

/**
 * A principal's SSMSessionRunAs around a session's time, from the tag changes the change function
 * recorded: empty when no change came at or after that time (its tags now are its tags then).
 */
export interface TagHistoryAt {
  /** The newest change before the time: the value then (ambiguous: two values in that second). */
  readonly before?: {
    readonly value: string | null;
    readonly eventTime: string;
    readonly ambiguous: boolean;
  };
  /** The first change at or after the time: tags read now are not the tags then. */
  readonly changedAt?: string;
}

/** The STS record that issued a session's credentials, and how it was tied to the session. */
export interface SessionTagsSource {
  readonly eventName: string;
  readonly eventId: string;
  /** Region whose CloudTrail recorded the call. */
  readonly recordedIn: string;
  /** The issued access key itself, or the role session and its issue time (console sessions). */
  readonly match: 'access-key' | 'issue-time' | 'earlier-issue';
}

/** Session tags of the caller's role or federated session. */
export type SessionTagsFact =
  | { readonly status: 'not-a-role-session' }
  | { readonly status: 'known'; readonly tags: Tags; readonly source?: SessionTagsSource }
  | {
      readonly status: 'unknown';
      readonly reason: string;
      /** The STS record has not arrived yet: the session waits for it and is audited again then. */
      readonly pending?: true;
      /** Just-in-time node access: the credentials come from ssm:GetAccessToken, no STS record. */
      readonly justInTime?: true;
    };
