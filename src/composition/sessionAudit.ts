/** Wires the session audit use case to the AWS adapters, per account and Region. */
import type { FindingImporter, NodeUsers, SessionReadPorts } from '../app/ports.ts';
import { createCloudTrailSessionTags } from '../aws/cloudTrailSessionTags.ts';
import { createCommandNodeUsers } from '../aws/commandNodeUsers.ts';
import { createIamPrincipalTags } from '../aws/iamPrincipalTags.ts';
import { createInventoryNodeUsers, createNoNodeUsers } from '../aws/inventoryNodeUsers.ts';
import { createSecurityHubFindingImporter } from '../aws/securityHubFindingSink.ts';
import { createSsmNodePlatforms } from '../aws/ssmNodePlatforms.ts';
import { createSsmSessionDocuments } from '../aws/ssmSessionDocuments.ts';
import type { Config } from '../config.ts';
import {
  type ClientOptions,
  createClients,
  createContainerPacer,
  createInvocationClock,
  memoize,
  type RegionClients,
} from './clients.ts';

/** Read ports for an account and Region; `remainingTimeMs` is the current invocation's (the probe and the pacer wait within it). */
export type SessionAuditPortsFor = (
  accountId: string,
  region: string,
  remainingTimeMs: () => number,
) => SessionReadPorts;

export interface SessionAuditWiring {
  readonly portsFor: SessionAuditPortsFor;
  /** Imports a batch's findings in the account and Region they belong to. */
  readonly importerFor: (placement: {
    readonly accountId: string;
    readonly region: string;
  }) => FindingImporter;
}

const nodeUsersFor = (
  config: Config,
  ssm: RegionClients['ssm'],
  remainingTimeMs: () => number,
): NodeUsers => {
  const ttlMs = config.cacheTtlSeconds * 1000;
  switch (config.userDirectory) {
    case 'none':
      return createNoNodeUsers();
    case 'command':
      return createCommandNodeUsers(ssm, {
        ttlMs,
        remainingTimeMs,
        pollIntervalMs: config.probePollIntervalMs,
      });
    case 'inventory':
      return createInventoryNodeUsers(ssm, {
        typeName: config.inventoryTypeName,
        maxAgeMs: config.inventoryMaxAgeHours * 3_600_000,
        now: Date.now,
        ttlMs,
      });
  }
};

export const createSessionAuditPorts = (
  config: Config,
  clientOptions: ClientOptions = {},
): SessionAuditWiring => {
  const ttlMs = config.cacheTtlSeconds * 1000;
  // The adapters and the pacer outlive an invocation (their caches and buckets are the point); the deadline does not.
  const invocation = createInvocationClock();
  const pacer = createContainerPacer(config, clientOptions, invocation.remainingTimeMs);

  // One set of clients and adapters (and so of caches) per account and Region, for the life of the container.
  const clientsIn = memoize((key) => {
    const [account = '', region = ''] = key.split('/');
    return createClients({ account, region }, pacer, clientOptions);
  });
  const ports = memoize((key): SessionReadPorts => {
    const { iam, ssm, cloudTrail } = clientsIn(key);
    const [accountId = ''] = key.split('/');
    return {
      principalTags: createIamPrincipalTags(iam, { accountId, ttlMs }),
      sessionTags: createCloudTrailSessionTags(cloudTrail, { ttlMs }),
      documents: createSsmSessionDocuments(ssm, { ttlMs }),
      platforms: createSsmNodePlatforms(ssm, { ttlMs }),
      nodeUsers: nodeUsersFor(config, ssm, invocation.remainingTimeMs),
    };
  });
  const importers = memoize((key) => createSecurityHubFindingImporter(clientsIn(key).securityHub));
  return {
    portsFor: (accountId, region, remainingTimeMs) => {
      invocation.bind(remainingTimeMs);
      return ports(`${accountId}/${region}`);
    },
    importerFor: ({ accountId, region }) => importers(`${accountId}/${region}`),
  };
};
