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
  /** For assumed roles: when the role session was created (sessionContext.attributes.creationDate). */
  readonly sessionCreatedAt?: string;
}

export type Platform = 'Linux' | 'MacOS' | 'Windows';

/** How node user existence is known: present/missing from a fresh inventory or a probe; unknown otherwise. */
export type UserPresence =
  | { readonly status: 'present'; readonly source: string }
  | { readonly status: 'missing'; readonly source: string }
  | { readonly status: 'unknown'; readonly reason: string };

/** Session tags of the caller's role session. `none`: there were none for SSMSessionRunAs. */
export type SessionTagsFact =
  | { readonly status: 'not-a-role-session' }
  | { readonly status: 'known'; readonly tags: Tags }
  | { readonly status: 'unknown'; readonly reason: string };
