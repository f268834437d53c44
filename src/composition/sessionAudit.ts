/** Wires the session audit use case to the AWS adapters, per account and Region. */
import type { FindingImporter, NodeUsers, SessionReadPorts } from '../app/ports.ts';
import { createSessionIdentity, type Located } from '../app/sessionIdentity.ts';
import { createTtlCache } from '../aws/cache.ts';
import { createCachedTagHistory } from '../aws/cachedTagHistory.ts';
import { createCloudTrailStsRecords } from '../aws/cloudTrailSessionTags.ts';
import { createCommandNodeUsers } from '../aws/commandNodeUsers.ts';
import { createIamPrincipalTags } from '../aws/iamPrincipalTags.ts';
import { createInventoryNodeUsers, createNoNodeUsers } from '../aws/inventoryNodeUsers.ts';
import { createSqsSessionVerifications } from '../aws/sqsSessionVerifications.ts';
import { createSsmNodePlatforms } from '../aws/ssmNodePlatforms.ts';
import { createSsmSessionAccess } from '../aws/ssmSessionAccess.ts';
import { createSsmSessionDocuments } from '../aws/ssmSessionDocuments.ts';
import type { Config } from '../config.ts';
import {
  type ClientOptions,
  type ContainerWiring,
  createContainerWiring,
  createSqsClient,
  memoize,
  type Placement,
  type RegionClients,
} from './clients.ts';
import { createStateTable, type StateTableWiring } from './stateTable.ts';

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
  /** The state table; absent when STATE_TABLE_NAME is not set. */
  readonly state?: StateTableWiring;
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
  // The verification queue is the stack's own, in its own Region, whatever account a session is in.
  const verifications =
    config.sessionVerificationQueueUrl === ''
      ? {}
      : {
          verifications: createSqsSessionVerifications(
            createSqsClient(config.region, clientOptions),
            config.sessionVerificationQueueUrl,
          ),
        };
  const state = createStateTable(config, clientOptions, container.pacer);
  const tagHistory =
    state === undefined ? undefined : createCachedTagHistory(state.tagHistory, { ttlMs, now });
  const stsRecords = memoize((key) => {
    const [accountId = '', region = ''] = key.split('/');
    return createCloudTrailStsRecords(container.clientsOf({ accountId, region }).cloudTrail);
  });
  // One set of adapters (and so of caches) per account and Region, for the life of the container.
  const ports = memoize((key): SessionReadPorts => {
    const [accountId = '', region = ''] = key.split('/');
    const { iam, ssm } = container.clientsOf({ accountId, region });
    const identity = createSessionIdentity(
      {
        ...(state === undefined ? {} : { identities: state.identities }),
        stsRecordsIn: (recordRegion) => stsRecords(`${accountId}/${recordRegion}`),
        sessionAccess: createSsmSessionAccess(ssm),
        cache: createTtlCache<Located>({ ttlMs, now }),
      },
      { identityCenterRegion: config.identityCenterRegion },
    );
    return {
      principalTags: createIamPrincipalTags(iam, { accountId, ttlMs, now }),
      sessionTags: identity,
      documents: createSsmSessionDocuments(ssm, { ttlMs, now }),
      platforms: createSsmNodePlatforms(ssm, { ttlMs, now }),
      nodeUsers: nodeUsersFor(config, ssm, container.remainingTimeMs, now),
      ...verifications,
      ...(state === undefined || tagHistory === undefined
        ? {}
        : { tagHistory, ledger: state.ledger, pendingSessions: identity }),
    };
  });
  return {
    portsFor: (accountId, region, remainingTimeMs) => {
      container.bind(remainingTimeMs);
      return ports(`${accountId}/${region}`);
    },
    importerFor: container.importerFor,
    ...(state === undefined ? {} : { state }),
  };
};
