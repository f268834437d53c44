/**
 * Wires the change use cases (principal and document changes) to the AWS adapters. IAM is global
 * and read from the function's own Region; every other port is per Region, so the principal
 * function (us-east-1 only, where IAM events arrive) writes into each audited Region's Security Hub.
 * Nothing a change announces is cached across invocations: a change must see that state. Only
 * the fleet pre-check's inventory snapshots live for the cache TTL: the change does not touch
 * them, and one change can ask the same nodes about many users.
 */
import type { ChangeReadPorts, FindingImporter, RegionChangePorts } from '../app/ports.ts';
import { createIamPrincipalDirectory } from '../aws/iamPrincipalDirectory.ts';
import { createIamPrincipalTags } from '../aws/iamPrincipalTags.ts';
import { createInventoryNodeUsers } from '../aws/inventoryNodeUsers.ts';
import { createSecurityHubFindingReader } from '../aws/securityHubFindingSink.ts';
import { createSsmActiveSessions } from '../aws/ssmActiveSessions.ts';
import { createSsmFleetUsers } from '../aws/ssmFleetUsers.ts';
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

/** Read ports of a change in an account; `remainingTimeMs` is the current invocation's (the pacer waits within it). */
export type ChangeAuditPortsFor = (accountId: string, remainingTimeMs: () => number) => ChangeReadPorts;

export interface ChangeAuditWiring {
  readonly portsFor: ChangeAuditPortsFor;
  /** Imports a batch's findings in the account and Region they belong to. */
  readonly importerFor: (placement: Placement) => FindingImporter;
}

const NO_CACHE = { ttlMs: 0 } as const;

/**
 * The fleet pre-check reads the OS users inventory in both inventory and command
 * modes: it never sends commands. USER_DIRECTORY=none turns it off.
 */
const fleetUsersFor = (config: Config, ssm: RegionClients['ssm']): Pick<RegionChangePorts, 'fleetUsers'> =>
  config.userDirectory === 'none'
    ? {}
    : {
        fleetUsers: createSsmFleetUsers(ssm, {
          nodeUsers: createInventoryNodeUsers(ssm, {
            typeName: config.inventoryTypeName,
            maxAgeMs: config.inventoryMaxAgeHours * 3_600_000,
            now: Date.now,
            ttlMs: config.cacheTtlSeconds * 1000,
          }),
        }),
      };

export const createChangeAuditPorts = (
  config: Config,
  clientOptions: ClientOptions = {},
  /** Another wiring's container, whose pacer and clients these ports share (the sweep, the audit command). */
  shared?: ContainerWiring,
): ChangeAuditWiring => {
  const container = shared ?? createContainerWiring(config, clientOptions);
  const inRegionOf = memoize((accountId) =>
    memoize((region): Omit<RegionChangePorts, 'findings'> => {
      const { ssm, securityHub } = container.clientsOf({ accountId, region });
      return {
        documents: createSsmSessionDocuments(ssm, NO_CACHE),
        findingReader: createSecurityHubFindingReader(securityHub),
        sessions: createSsmActiveSessions(ssm),
        ...fleetUsersFor(config, ssm),
      };
    }),
  );
  // IAM is global: read through the clients of the function's own Region.
  const ports = memoize((accountId): ChangeReadPorts => {
    const { iam } = container.clientsOf({ accountId, region: config.region });
    return {
      principalTags: createIamPrincipalTags(iam, { accountId, ...NO_CACHE }),
      principals: createIamPrincipalDirectory(iam, { accountId }),
      inRegion: inRegionOf(accountId),
    };
  });
  return {
    portsFor: (accountId, remainingTimeMs) => {
      container.bind(remainingTimeMs);
      return ports(accountId);
    },
    importerFor: container.importerFor,
  };
};
