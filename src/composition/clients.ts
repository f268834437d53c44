/**
 * The only place SDK clients are constructed. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables; nothing here special-cases them.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';

/** Test and benchmark knobs for every client (a fast retry strategy instead of sleeps). */
export interface ClientOptions {
  readonly maxAttempts?: number;
  readonly retryStrategy?: SSMClientConfig['retryStrategy'];
}

export interface RegionClients {
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly cloudTrail: CloudTrailClient;
  readonly securityHub: SecurityHubClient;
}

/** Clients for one Region; callers keep them for the life of the container (connection reuse). */
export const createClients = (region: string, options: ClientOptions = {}): RegionClients => {
  const config = {
    region,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.retryStrategy === undefined ? {} : { retryStrategy: options.retryStrategy }),
  };
  return {
    iam: new IAMClient(config),
    ssm: new SSMClient(config),
    cloudTrail: new CloudTrailClient(config),
    securityHub: new SecurityHubClient(config),
  };
};

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
