/**
 * The only place SDK clients are constructed. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables; nothing here special-cases them.
 * Every client is paced (src/aws/pacing.ts) and retries in the SDK's adaptive mode: exponential
 * back-off with full jitter, and a client-side rate that drops when the service throttles.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { FindingImporter } from '../app/ports.ts';
import {
  type AwsCredentialIdentityProvider,
  createMemberCredentials,
  roleSessionNameOf,
} from '../aws/memberCredentials.ts';
import { createPacer, type Pacer, type PacingClock, pace } from '../aws/pacing.ts';
import { createSecurityHubFindingImporter } from '../aws/securityHubFindingSink.ts';
import type { Config } from '../config.ts';
import { partitionOf } from '../domain/identifiers.ts';
import { countThrottled } from '../metrics.ts';

/** Test and benchmark knobs for every client (a fast retry strategy instead of sleeps; the pacing clock). */
export interface ClientOptions {
  readonly maxAttempts?: number;
  readonly retryStrategy?: SSMClientConfig['retryStrategy'];
  /** Time for pacing waits: replay moves through event time instead of sleeping. */
  readonly pacingClock?: PacingClock;
  /** The clock of the warm-container caches (the bench models a busy container's pace). */
  readonly cacheNow?: () => number;
  /** The state table's clock (item expiry, claim leases): replay's event time. */
  readonly stateNow?: () => number;
  /** A shared config profile (`runas-audit audit --profile`): its credentials and Region, SSO included. */
  readonly profile?: string;
}

export interface RegionClients {
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly cloudTrail: CloudTrailClient;
  readonly securityHub: SecurityHubClient;
}

/**
 * The container's pacer: the quotas of each account are shared by up to MAXIMUM_CONCURRENCY
 * invocations of the function, so each takes that share. `remainingTimeMs` is the current
 * invocation's: a wait past its deadline fails the record instead of the invocation.
 */
export const createContainerPacer = (
  config: Config,
  options: ClientOptions,
  remainingTimeMs: () => number,
): Pacer =>
  createPacer({
    share: config.maximumConcurrency,
    ...(options.pacingClock === undefined ? {} : { clock: options.pacingClock }),
    remainingTimeMs,
    onThrottled: countThrottled,
  });

/**
 * The settings of every client: its Region, the retry mode, and whose credentials sign its calls
 * (`credentials` absent: the SDK's default chain, the function's own).
 */
export const sdkConfig = (
  region: string,
  options: ClientOptions,
  credentials?: AwsCredentialIdentityProvider,
) => ({
  region,
  ...(options.retryStrategy === undefined
    ? { retryMode: 'adaptive' }
    : { retryStrategy: options.retryStrategy }),
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  ...(credentials === undefined
    ? options.profile === undefined
      ? {}
      : { profile: options.profile }
    : { credentials }),
});

/** Whose credentials read an account; undefined: the function's own (the SDK's default chain). */
export type CredentialsFor = (accountId: string) => AwsCredentialIdentityProvider | undefined;

/**
 * The function's own credentials for its own account, and for every account when no
 * organization is configured; the member role's for every other account of the organization,
 * assumed through one STS client in the function's own Region (its regional endpoint, or
 * AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL like every client) and cached for the container.
 */
export const createAccountCredentials = (config: Config, options: ClientOptions = {}): CredentialsFor => {
  const organization = config.organization;
  if (organization === undefined) return () => undefined;
  const member = createMemberCredentials(new STSClient(sdkConfig(config.region, options)), {
    partition: partitionOf(config.region),
    roleName: organization.memberRoleName,
    sessionName: roleSessionNameOf(organization.functionName),
    ...(organization.externalId === undefined ? {} : { externalId: organization.externalId }),
  });
  return (accountId) => (accountId === organization.auditAccountId ? undefined : member(accountId));
};

/**
 * Clients for one account and Region; callers keep them for the life of the container
 * (connection reuse). `account` is whose quotas the calls spend: the member role's credentials
 * spend that account's.
 */
export const createClients = (
  scope: { readonly account: string; readonly region: string },
  pacer: Pacer,
  options: ClientOptions = {},
  credentials?: AwsCredentialIdentityProvider,
): RegionClients => {
  const config = sdkConfig(scope.region, options, credentials);
  const paced = <C extends Parameters<typeof pace>[0]>(client: C, service: string): C =>
    pace(client, pacer, { ...scope, service });
  return {
    iam: paced(new IAMClient(config), 'iam'),
    ssm: paced(new SSMClient(config), 'ssm'),
    cloudTrail: paced(new CloudTrailClient(config), 'cloudtrail'),
    securityHub: paced(new SecurityHubClient(config), 'securityhub'),
  };
};

/** CloudWatch Logs of one account and Region, paced (GetLogEvents has a per-account quota). */
export const createLogsClient = (
  scope: { readonly account: string; readonly region: string },
  pacer: Pacer,
  options: ClientOptions = {},
  credentials?: AwsCredentialIdentityProvider,
): CloudWatchLogsClient =>
  pace(new CloudWatchLogsClient(sdkConfig(scope.region, options, credentials)), pacer, {
    ...scope,
    service: 'logs',
  });

/**
 * SQS in the function's own Region, for its verification queue. Not paced: a standard queue
 * takes a nearly unlimited number of calls per second.
 */
export const createSqsClient = (region: string, options: ClientOptions = {}): SQSClient =>
  new SQSClient(sdkConfig(region, options));

/** One value per key for the life of the container (clients, adapters and their caches). */
export const memoize = <V>(build: (key: string) => V): ((key: string) => V) => {
  const values = new Map<string, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      value = build(key);
      values.set(key, value);
    }
    return value;
  };
};

/** Where findings go: the account and Region of the finding. */
export interface Placement {
  readonly accountId: string;
  readonly region: string;
}

/**
 * What every function's wiring shares for the life of its container: one pacer, the clients of
 * each account and Region (connection reuse) signed with that account's credentials, their
 * importers (a finding is imported by its own account, in its Region), and the current invocation's
 * remaining time for the adapters that outlive an invocation (the probe, the pacer).
 */
export const createContainerWiring = (config: Config, options: ClientOptions) => {
  let current: () => number = () => Number.POSITIVE_INFINITY;
  const remainingTimeMs = (): number => current();
  const pacer = createContainerPacer(config, options, remainingTimeMs);
  const credentialsFor = createAccountCredentials(config, options);
  const clients = memoize((key) => {
    const [account = '', region = ''] = key.split('/');
    return createClients({ account, region }, pacer, options, credentialsFor(account));
  });
  const importers = memoize((key) => createSecurityHubFindingImporter(clients(key).securityHub));
  return {
    /** Binds the invocation whose deadline the waiting adapters keep to. */
    bind: (invocationRemainingTimeMs: () => number): void => {
      current = invocationRemainingTimeMs;
    },
    remainingTimeMs,
    /** The container's pacer, for clients built outside clientsOf. */
    pacer,
    /** Whose credentials read an account, for clients built outside clientsOf. */
    credentialsFor,
    clientsOf: ({ accountId, region }: Placement): RegionClients => clients(`${accountId}/${region}`),
    importerFor: ({ accountId, region }: Placement): FindingImporter => importers(`${accountId}/${region}`),
  };
};

export type ContainerWiring = ReturnType<typeof createContainerWiring>;
