/** Wires the session audit use case to the AWS adapters, per account and Region. */
import type { NodeUsers, SessionAuditPorts } from '../app/ports.ts';
import { createCloudTrailSessionTags } from '../aws/cloudTrailSessionTags.ts';
import { createCommandNodeUsers } from '../aws/commandNodeUsers.ts';
import { createIamPrincipalTags } from '../aws/iamPrincipalTags.ts';
import { createInventoryNodeUsers, createNoNodeUsers } from '../aws/inventoryNodeUsers.ts';
import { createSecurityHubFindingSink } from '../aws/securityHubFindingSink.ts';
import { createSsmNodePlatforms } from '../aws/ssmNodePlatforms.ts';
import { createSsmSessionDocuments } from '../aws/ssmSessionDocuments.ts';
import type { Config } from '../config.ts';
import { type ClientOptions, createClients, memoize, type RegionClients } from './clients.ts';

/** Ports for an account and Region; `remainingTimeMs` is the current invocation's (the probe waits within it). */
export type SessionAuditPortsFor = (
  accountId: string,
  region: string,
  remainingTimeMs: () => number,
) => SessionAuditPorts;

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
): SessionAuditPortsFor => {
  const ttlMs = config.cacheTtlSeconds * 1000;
  // The adapters outlive an invocation (their caches are the point); the deadline does not.
  let currentRemainingTimeMs: () => number = () => 0;
  const remainingTimeMs = (): number => currentRemainingTimeMs();

  const build = (accountId: string, region: string): SessionAuditPorts => {
    const { iam, ssm, cloudTrail, securityHub } = createClients(region, clientOptions);
    return {
      principalTags: createIamPrincipalTags(iam, { accountId, ttlMs }),
      sessionTags: createCloudTrailSessionTags(cloudTrail, { ttlMs }),
      documents: createSsmSessionDocuments(ssm, { ttlMs }),
      platforms: createSsmNodePlatforms(ssm, { ttlMs }),
      nodeUsers: nodeUsersFor(config, ssm, remainingTimeMs),
      findings: createSecurityHubFindingSink(securityHub),
    };
  };

  // One set of adapters (and so of caches) per account and Region, for the life of the container.
  const ports = memoize((key) => {
    const [accountId = '', region = ''] = key.split('/');
    return build(accountId, region);
  });
  return (accountId, region, invocationRemainingTimeMs) => {
    currentRemainingTimeMs = invocationRemainingTimeMs;
    return ports(`${accountId}/${region}`);
  };
};
