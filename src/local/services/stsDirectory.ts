/**
 * The accounts and roles the local STS serves: which roles exist, whom they trust, and which
 * organization each account belongs to. Built from plain data (a world's accounts), so the same
 * STS serves a single-account world and an organization.
 */
import { createHash } from 'node:crypto';
import type { LocalWorld } from '../world/localWorld.ts';
import type { PrincipalState } from '../world/worldState.ts';
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

/** What the local IAM reports for a role the world gives no trust policy: its own account may assume it. */
export function ownAccountTrust(partition: string, accountId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  };
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
      const trust = role.assumeRolePolicyDocument ?? ownAccountTrust(spec.partition, accountId);
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

/** The accounts a local world serves, as STS sees them: live, so a replayed CreateRole can be assumed. */
export function stsDirectoryOfWorld(world: LocalWorld, now: () => number): StsDirectory {
  const parsed = new WeakMap<PrincipalState, TrustPolicy>();
  const trustOf = (account: LocalWorld, role: PrincipalState): TrustPolicy => {
    let policy = parsed.get(role);
    if (policy === undefined) {
      policy = parseTrustPolicy(
        role.trustPolicy ?? ownAccountTrust(world.partition, account.accountId),
        `accounts.${account.accountId}.roles.${role.name}.trustPolicy`,
      );
      parsed.set(role, policy);
    }
    return policy;
  };
  return {
    partition: world.partition,
    role: (accountId, roleName) => {
      const account = world.account(accountId);
      const role = account?.role(roleName);
      if (account === undefined || role === undefined) return undefined;
      return {
        arn: account.principalArn(role),
        roleName: role.name,
        roleId: role.id,
        maxSessionDuration: role.maxSessionDuration ?? 3600,
        trustPolicy: trustOf(account, role),
      };
    },
    organizationId: (accountId) =>
      world.account(accountId) === undefined ? undefined : world.organization?.id,
    now,
  };
}
