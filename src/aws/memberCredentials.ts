/**
 * Credentials for the accounts of an organization: each member account is read through its
 * member role (sts:AssumeRole from the function's own Region's STS endpoint), assumed once per
 * account and reused until shortly before it expires; concurrent callers share one AssumeRole.
 * A member whose role is missing, or whose trust refuses the function, is remembered for a short
 * while, so a burst of its events fails fast instead of calling STS for each.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Partition } from '../domain/identifiers.ts';
import { MemberRoleError } from '../errors.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

/** What an SDK client's `credentials` accepts (the SDK's AwsCredentialIdentity). */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export interface MemberRoleSettings {
  readonly partition: Partition;
  /** The role's name (with its path, if any) in every member account. */
  readonly roleName: string;
  /** The function assuming it: names the role session, so member CloudTrail says who called. */
  readonly sessionName: string;
  readonly externalId?: string;
}

export interface MemberCredentialOptions {
  readonly now?: () => number;
  /** Credentials are assumed again this long before they expire. */
  readonly refreshBeforeMs?: number;
  /** How long a refused AssumeRole is answered from memory. */
  readonly refusalTtlMs?: number;
  /** Requested session length; role chaining (a Lambda function) allows at most one hour. */
  readonly durationSeconds?: number;
}

const REFRESH_BEFORE_MS = 5 * 60_000;
const REFUSAL_TTL_MS = 60_000;
const DURATION_SECONDS = 3600;

/** STS's answers that mean the role is missing or its trust (or our own policy) refuses us. */
const REFUSED = new Set(['AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId']);

/** RoleSessionName allows `[\w+=,.@-]{2,64}`; a function name is at most 64 of `[\w-]`. */
export const roleSessionNameOf = (functionName: string): string => {
  const cleaned = functionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : 'ssm-runas-auditor';
};

export const memberRoleArn = (settings: MemberRoleSettings, accountId: string): string =>
  `arn:${settings.partition}:iam::${accountId}:role/${settings.roleName.replace(/^\/+/, '')}`;

type Entry =
  | { readonly kind: 'credentials'; readonly value: AwsCredentialIdentity; readonly refreshAt: number }
  | { readonly kind: 'refused'; readonly error: MemberRoleError; readonly until: number };

/** One credential provider per member account, all sharing one STS client and one cache. */
export const createMemberCredentials = (
  sts: STSClient,
  settings: MemberRoleSettings,
  options: MemberCredentialOptions = {},
): ((accountId: string) => AwsCredentialIdentityProvider) => {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  const refusalTtlMs = options.refusalTtlMs ?? REFUSAL_TTL_MS;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<AwsCredentialIdentity>>();
  const providers = new Map<string, AwsCredentialIdentityProvider>();

  const assume = async (accountId: string): Promise<AwsCredentialIdentity> => {
    const roleArn = memberRoleArn(settings, accountId);
    try {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: settings.sessionName,
          DurationSeconds: options.durationSeconds ?? DURATION_SECONDS,
          ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
        }),
      );
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.Expiration === undefined) {
        throw new Error('AssumeRole answered without complete credentials');
      }
      const value: AwsCredentialIdentity = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
        expiration: c.Expiration,
      };
      entries.set(accountId, {
        kind: 'credentials',
        value,
        refreshAt: c.Expiration.getTime() - refreshBeforeMs,
      });
      return value;
    } catch (err) {
      const code = sdkErrorName(err);
      if (!REFUSED.has(code) && classifySdkError(err) !== 'access-denied') {
        throw toAwsCallError(`sts:AssumeRole on ${roleArn}`, err);
      }
      const message = err instanceof Error ? err.message : String(err);
      const error = new MemberRoleError(accountId, roleArn, `${code}: ${message}`, { cause: err });
      entries.set(accountId, { kind: 'refused', error, until: now() + refusalTtlMs });
      throw error;
    }
  };

  const credentialsOf = (accountId: string): Promise<AwsCredentialIdentity> => {
    const entry = entries.get(accountId);
    if (entry?.kind === 'credentials' && now() < entry.refreshAt) return Promise.resolve(entry.value);
    if (entry?.kind === 'refused' && now() < entry.until) return Promise.reject(entry.error);
    const pending = inFlight.get(accountId);
    if (pending !== undefined) return pending;
    const started = assume(accountId).finally(() => inFlight.delete(accountId));
    inFlight.set(accountId, started);
    return started;
  };

  return (accountId) => {
    let provider = providers.get(accountId);
    if (provider === undefined) {
      provider = () => credentialsOf(accountId);
      providers.set(accountId, provider);
    }
    return provider;
  };
};
