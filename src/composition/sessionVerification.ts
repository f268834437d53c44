/**
 * Wires the session log verification to the AWS adapters: CloudWatch Logs in the session's
 * account and Region (paced, GetLogEvents has a per-account quota; a member account's through its
 * member role), the stack's own verification
 * queue for a session read again when its window closes, and the batch's importers.
 */
import type { FindingImporter } from '../app/ports.ts';
import type { VerifySessionPorts } from '../app/verifySession.ts';
import { createCloudWatchSessionLogs } from '../aws/cloudWatchSessionLogs.ts';
import { createSqsSessionVerifications } from '../aws/sqsSessionVerifications.ts';
import type { Config } from '../config.ts';
import {
  type ClientOptions,
  createContainerWiring,
  createLogsClient,
  createSqsClient,
  memoize,
  type Placement,
} from './clients.ts';

export type VerificationReadPorts = Omit<VerifySessionPorts, 'findings'>;

export interface VerificationWiring {
  readonly portsFor: (
    accountId: string,
    region: string,
    remainingTimeMs: () => number,
  ) => VerificationReadPorts;
  readonly importerFor: (placement: Placement) => FindingImporter;
}

export const createVerificationPorts = (
  config: Config,
  clientOptions: ClientOptions = {},
): VerificationWiring => {
  const container = createContainerWiring(config, clientOptions);
  const { pacer } = container;
  const verifications = createSqsSessionVerifications(
    createSqsClient(config.region, clientOptions),
    config.sessionVerificationQueueUrl,
  );
  const ports = memoize((key): VerificationReadPorts => {
    const [account = '', region = ''] = key.split('/');
    return {
      sessionLogs: createCloudWatchSessionLogs(
        createLogsClient({ account, region }, pacer, clientOptions, container.credentialsFor(account)),
      ),
      verifications,
    };
  });
  return {
    portsFor: (accountId, region, remainingTimeMs) => {
      container.bind(remainingTimeMs);
      return ports(`${accountId}/${region}`);
    },
    importerFor: container.importerFor,
  };
};
