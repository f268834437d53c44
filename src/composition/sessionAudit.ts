/** Wires the session audit use case to the AWS adapters, per account and Region. */
import type { FindingImporter, NodeUsers, SessionReadPorts } from '../app/ports.ts';
import { createCloudTrailSessionTags } from '../aws/cloudTrailSessionTags.ts';
import { createCommandNodeUsers } from '../aws/commandNodeUsers.ts';
import { createIamPrincipalTags } from '../aws/iamPrincipalTags.ts';
import { createInventoryNodeUsers, createNoNodeUsers } from '../aws/inventoryNodeUsers.ts';
import { createSsmNodePlatforms } from '../aws/ssmNodePlatforms.ts';
import { createSsmSessionDocuments } from '../aws/ssmSessionDocuments.ts';
import type { Config } from '../config.ts';
import {
  type ClientOptions,
  type ContainerWiring,
  createContainerWiring,
  memoize,
  type Placement,
  type RegionClients,
} from './clients.ts';
import { createLedger } from './stateTable.ts';

/** Read ports for an account and Region; `remainingTimeMs` is the current invocation's (the probe and the pacer wait within it). */
export type SessionAuditPortsFor = (
  accountId: string,
  region: string,
  remainingTimeMs: () => number,
) => SessionReadPorts;

export interface SessionAuditWiring {
  readonly portsFor: SessionAuditPortsFor;
  /** Imports a batch's findings in the account and Region they belong to. */
  readonly importerFor: (placement: Placement) => FindingImporter;
}

const nodeUsersFor = (
  config: Config,
  ssm: RegionClients['ssm'],
  remainingTimeMs: () => number,
  now: () => number,
): NodeUsers => {
  const ttlMs = config.cacheTtlSeconds * 1000;
  switch (config.userDirectory) {
    case 'none':
      return createNoNodeUsers();
    case 'command':
      return createCommandNodeUsers(ssm, {
        ttlMs,
        now,
        remainingTimeMs,
        pollIntervalMs: config.probePollIntervalMs,
      });
    case 'inventory':
      return createInventoryNodeUsers(ssm, {
        typeName: config.inventoryTypeName,
        maxAgeMs: config.inventoryMaxAgeHours * 3_600_000,
        now,
        ttlMs,
      });
  }
};

export const createSessionAuditPorts = (
  config: Config,
  clientOptions: ClientOptions = {},
  /** Another wiring's container, whose pacer and clients these ports share (the sweep, the audit command). */
  shared?: ContainerWiring,
): SessionAuditWiring => {
  const ttlMs = config.cacheTtlSeconds * 1000;
  const now = clientOptions.cacheNow ?? Date.now;
  // The adapters and the pacer outlive an invocation (their caches and buckets are the point); the deadline does not.
  const container = shared ?? createContainerWiring(config, clientOptions);
  const ledger = createLedger(config, clientOptions);
  // One set of adapters (and so of caches) per account and Region, for the life of the container.
  const ports = memoize((key): SessionReadPorts => {
    const [accountId = '', region = ''] = key.split('/');
    const { iam, ssm, cloudTrail } = container.clientsOf({ accountId, region });
    return {
      principalTags: createIamPrincipalTags(iam, { accountId, ttlMs, now }),
      sessionTags: createCloudTrailSessionTags(cloudTrail, { ttlMs, now }),
      documents: createSsmSessionDocuments(ssm, { ttlMs, now }),
      platforms: createSsmNodePlatforms(ssm, { ttlMs, now }),
      nodeUsers: nodeUsersFor(config, ssm, container.remainingTimeMs, now),
      ...(ledger === undefined ? {} : { ledger }),
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
