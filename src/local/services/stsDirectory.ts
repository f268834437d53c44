/**
 * The accounts and roles the local STS serves: which roles exist, whom they trust, and which
 * organization each account belongs to. Built from plain data (a world's accounts), so the same
 * STS serves a single-account world and an organization.
 */
import { createHash } from 'node:crypto';
import { parseTrustPolicy, type TrustPolicy } from './stsTrust.ts';

export interface StsRole {
  /** `arn:<partition>:iam::<account>:role<path><name>`. */
  readonly arn: string;
  readonly roleName: string;
  /** AROA… */
  readonly roleId: string;
  /** Seconds, 3600–43200. */
  readonly maxSessionDuration: number;
  readonly trustPolicy: TrustPolicy;
}

/** What STS needs to know about the accounts it serves. */
export interface StsDirectory {
  readonly partition: string;
  /** A role by account and name (IAM names are case-insensitive). */
  role(accountId: string, roleName: string): StsRole | undefined;
  /** `aws:PrincipalOrgID` of an account, when it belongs to an organization. */
  organizationId(accountId: string): string | undefined;
  /** Epoch ms: the world's clock. */
  now(): number;
}

export interface StsRoleSpec {
  readonly roleName: string;
  /** Default `/`. */
  readonly path?: string;
  /** Default: derived from the name, as the local IAM derives it. */
  readonly roleId?: string;
  /** Seconds; default 3600. */
  readonly maxSessionDuration?: number;
  /** Default: trusts its own account (what the local IAM reports for a role without one). */
  readonly assumeRolePolicyDocument?: unknown;
}

export interface StsAccountSpec {
  readonly organizationId?: string;
  readonly roles: readonly StsRoleSpec[];
}

/** The stable role id the local IAM gives a role name (AROA + 17 base32 characters). */
function roleIdOf(roleName: string): string {
  const digest = createHash('sha256').update(`AROA:${roleName}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'AROA';
  for (let i = 0; i < 17; i++) id += alphabet[(digest[i] ?? 0) % 32];
  return id;
}

/** A directory over fixed accounts; trust policies are parsed (and rejected) here, not per call. */
export function stsDirectoryOf(spec: {
  readonly partition: string;
  readonly accounts: Readonly<Record<string, StsAccountSpec>>;
  readonly now: () => number;
}): StsDirectory {
  const roles = new Map<string, StsRole>();
  for (const [accountId, account] of Object.entries(spec.accounts)) {
    for (const [index, role] of account.roles.entries()) {
      const where = `accounts.${accountId}.roles[${index}]`;
      const path = role.path ?? '/';
      const maxSessionDuration = role.maxSessionDuration ?? 3600;
      if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
        throw new RangeError(`${where}.maxSessionDuration must be whole seconds from 3600 to 43200`);
      }
      const trust = role.assumeRolePolicyDocument ?? {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:${spec.partition}:iam::${accountId}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      };
      roles.set(`${accountId}/${role.roleName.toLowerCase()}`, {
        arn: `arn:${spec.partition}:iam::${accountId}:role${path}${role.roleName}`,
        roleName: role.roleName,
        roleId: role.roleId ?? roleIdOf(role.roleName),
        maxSessionDuration,
        trustPolicy: parseTrustPolicy(trust, `${where}.assumeRolePolicyDocument`),
      });
    }
  }
  return {
    partition: spec.partition,
    role: (accountId, roleName) => roles.get(`${accountId}/${roleName.toLowerCase()}`),
    organizationId: (accountId) => spec.accounts[accountId]?.organizationId,
    now: spec.now,
  };
}
