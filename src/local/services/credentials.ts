/**
 * Who signs a request to the local endpoint: access key ids mapped to the principal they belong
 * to (an IAM user, an account root, or a role session that STS issued). The local endpoint reads
 * the access key id from the SigV4 Authorization header and asks this registry whose it is, so it
 * can tell the accounts of an organization apart by credentials, as AWS does.
 */
import { randomBytes } from 'node:crypto';
import type { Tag } from '../world/worldState.ts';

/** A role session issued by AssumeRole. */
export interface RoleSession {
  /** `arn:<partition>:iam::<account>:role<path><name>`: what `aws:PrincipalArn` is for the session. */
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  /** The session's tags (passed and incoming transitive), in request order, keys unique case-insensitively. */
  readonly tags: readonly Tag[];
  /** Keys of `tags` that pass to the next session in a role chain. */
  readonly transitiveTagKeys: readonly string[];
  /** Epoch ms. */
  readonly issuedAt: number;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Issued to another role session (role chaining: at most one hour). */
  readonly chained: boolean;
}

export type Principal =
  | {
      readonly type: 'root';
      readonly partition: string;
      readonly accountId: string;
    }
  | {
      readonly type: 'user';
      readonly partition: string;
      readonly accountId: string;
      readonly userName: string;
      readonly path: string;
      /** AIDA… */
      readonly userId: string;
    }
  | {
      readonly type: 'assumed-role';
      readonly partition: string;
      readonly accountId: string;
      readonly session: RoleSession;
    };

/** `aws:PrincipalArn`: the user, the root, or for a role session the role itself. */
export function principalArn(principal: Principal): string {
  switch (principal.type) {
    case 'root':
      return `arn:${principal.partition}:iam::${principal.accountId}:root`;
    case 'user':
      return `arn:${principal.partition}:iam::${principal.accountId}:user${principal.path}${principal.userName}`;
    case 'assumed-role':
      return principal.session.roleArn;
  }
}

/** The ARN GetCallerIdentity returns (a role session's carries no role path). */
export function callerArn(principal: Principal): string {
  return principal.type === 'assumed-role'
    ? `arn:${principal.partition}:sts::${principal.accountId}:assumed-role/${principal.session.roleName}/${principal.session.sessionName}`
    : principalArn(principal);
}

/** `aws:userid` / GetCallerIdentity's UserId. */
export function callerUserId(principal: Principal): string {
  switch (principal.type) {
    case 'root':
      return principal.accountId;
    case 'user':
      return principal.userId;
    case 'assumed-role':
      return `${principal.session.roleId}:${principal.session.sessionName}`;
  }
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch ms. */
  readonly expiration: number;
}

/** Why a signed request is not accepted: the codes and texts AWS answers with. */
export type CredentialProblem =
  | { readonly code: 'InvalidClientTokenId'; readonly message: string }
  | { readonly code: 'ExpiredToken'; readonly message: string };

interface Entry {
  readonly principal: Principal;
  /** Temporary credentials only: the token that must accompany the key. */
  readonly sessionToken?: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ASIA` + 16 base32 characters, as STS issues them. */
function temporaryKeyId(): string {
  let id = 'ASIA';
  for (const byte of randomBytes(16)) id += BASE32[byte % 32];
  return id;
}

export class CredentialRegistry {
  readonly #byKey = new Map<string, Entry>();

  /** A long-term key (an IAM user's or an account root's `AKIA…`), or a role session set up by a test or world. */
  register(accessKeyId: string, principal: Principal, sessionToken?: string): void {
    if (accessKeyId.trim() === '') throw new Error('an access key id must not be blank');
    const existing = this.#byKey.get(accessKeyId);
    if (existing !== undefined && JSON.stringify(existing.principal) !== JSON.stringify(principal)) {
      throw new Error(`access key ${accessKeyId} is already registered to another principal`);
    }
    this.#byKey.set(accessKeyId, sessionToken === undefined ? { principal } : { principal, sessionToken });
  }

  /** New temporary credentials for a role session: distinct on every call. */
  issue(principal: Principal & { readonly type: 'assumed-role' }): IssuedCredentials {
    let accessKeyId = temporaryKeyId();
    while (this.#byKey.has(accessKeyId)) accessKeyId = temporaryKeyId();
    const credentials = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
      expiration: principal.session.expiresAt,
    };
    this.#byKey.set(accessKeyId, { principal, sessionToken: credentials.sessionToken });
    return credentials;
  }

  principalOf(accessKeyId: string): Principal | undefined {
    return this.#byKey.get(accessKeyId)?.principal;
  }

  /**
   * The principal a request signed with this key acts as, or the error AWS returns: unknown keys
   * and temporary keys without their session token are invalid; a session past expiry is expired.
   */
  authenticate(
    accessKeyId: string,
    sessionToken: string | undefined,
    now: number,
  ): { readonly principal: Principal } | { readonly problem: CredentialProblem } {
    const entry = this.#byKey.get(accessKeyId);
    if (entry === undefined || (entry.sessionToken !== undefined && entry.sessionToken !== sessionToken)) {
      return {
        problem: {
          code: 'InvalidClientTokenId',
          message: 'The security token included in the request is invalid.',
        },
      };
    }
    if (entry.principal.type === 'assumed-role' && now >= entry.principal.session.expiresAt) {
      return {
        problem: { code: 'ExpiredToken', message: 'The security token included in the request is expired' },
      };
    }
    return { principal: entry.principal };
  }
}

/** The process's registry: issued keys are random, so one registry serves every local endpoint. */
export const localCredentials = new CredentialRegistry();

/** The principal (and so the account) an access key id belongs to, if the local endpoint knows it. */
export function principalOfAccessKey(accessKeyId: string): Principal | undefined {
  return localCredentials.principalOf(accessKeyId);
}

/** The access key id of a SigV4 `Authorization` header (`Credential=AKID/20260101/us-east-1/sts/aws4_request`). */
export function signingAccessKeyId(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return /Credential=([^/,\s]+)\/\d{8}\/[a-z0-9-]+\/[a-z0-9-]+\/aws4_request/.exec(authorization)?.[1];
}
