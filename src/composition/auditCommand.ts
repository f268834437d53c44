/**
 * Wires `runas-audit audit`: the session and change use cases' reads, LookupEvents for history, the
 * IAM principal lister for the posture and Security Hub for `--import`, on one container's clients
 * and pacer (one account's quotas: the caller's, whatever account a record names). The credentials
 * are the SDK's default chain, or the `profile` of the client options (IAM Identity Center sign-in
 * through the profile included). Nothing here writes to AWS: only the importer does, when asked.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { HistoryRecord, PrincipalLister, TimeWindow } from '../app/historyPorts.ts';
import type {
  ActiveSessions,
  ChangeReadPorts,
  FindingImporter,
  FindingReader,
  OpenSession,
  SessionReadPorts,
} from '../app/ports.ts';
import { createCloudTrailStartSessions } from '../aws/cloudTrailStartSessions.ts';
import { createIamPrincipalLister } from '../aws/iamPrincipalLister.ts';
import { toAwsCallError } from '../aws/sdkErrors.ts';
import type { Config } from '../config.ts';
import { createChangeAuditPorts } from './changeAudit.ts';
import { type ClientOptions, createContainerWiring, memoize, type Placement } from './clients.ts';
import { createSessionAuditPorts } from './sessionAudit.ts';

export interface AuditCommandWiring {
  /**
   * StartSession records of a Region of the caller's account, page by page. Its LookupEvents calls
   * and the audits' session-tag look-ups of that account share one bucket of the pacer.
   */
  readonly historyOf: (
    accountId: string,
    region: string,
    window: TimeWindow,
  ) => AsyncIterable<readonly HistoryRecord[]>;
  readonly readsFor: (accountId: string, region: string) => SessionReadPorts;
  /** The change use cases' reads; `storedFindings` false reads no finding from Security Hub. */
  readonly changeReadsFor: (accountId: string, storedFindings: boolean) => ChangeReadPorts;
  readonly listerFor: (accountId: string) => PrincipalLister;
  readonly importerFor: (placement: Placement) => FindingImporter;
}

/** Nothing stored: a report of the posture now, without Security Hub (it need not even be enabled). */
const NO_STORED_FINDINGS: FindingReader = {
  findingsByIds: async () => new Map(),
  activeFindings: async () => [],
};

/**
 * Open sessions listed once per Region (every principal's review asks), never terminated: the
 * audit command reports what it finds and changes nothing.
 */
const listedOnce = (sessions: ActiveSessions): ActiveSessions => {
  let all: Promise<readonly OpenSession[]> | undefined;
  return {
    openSessions: async (filter) => {
      all ??= sessions.openSessions();
      const listed = await all;
      return filter?.owner === undefined ? listed : listed.filter((s) => s.owner === filter.owner);
    },
    terminate: async (sessionId) => {
      throw new Error(`the audit command never terminates sessions (asked to end ${sessionId})`);
    },
  };
};

export const createAuditCommandWiring = (config: Config, options: ClientOptions = {}): AuditCommandWiring => {
  const container = createContainerWiring(config, options);
  const sessions = createSessionAuditPorts({ ...config, stateTableName: undefined }, options, container);
  const changes = createChangeAuditPorts(config, options, container);
  const changeReads = memoize((key) => {
    const [accountId = '', stored = ''] = key.split('/');
    const base = changes.portsFor(accountId, () => Number.POSITIVE_INFINITY);
    const inRegion = memoize((region) => {
      const ports = base.inRegion(region);
      return {
        ...ports,
        findingReader: stored === 'stored' ? ports.findingReader : NO_STORED_FINDINGS,
        sessions: listedOnce(ports.sessions),
      };
    });
    return { ...base, inRegion };
  });
  return {
    historyOf: (accountId, region, window) =>
      createCloudTrailStartSessions(container.clientsOf({ accountId, region }).cloudTrail, region).pages(
        window,
      ),
    readsFor: (accountId, region) => sessions.portsFor(accountId, region, () => Number.POSITIVE_INFINITY),
    changeReadsFor: (accountId, storedFindings) =>
      changeReads(`${accountId}/${storedFindings ? 'stored' : 'none'}`),
    listerFor: (accountId) =>
      createIamPrincipalLister(container.clientsOf({ accountId, region: config.region }).iam, { accountId }),
    importerFor: container.importerFor,
  };
};

/** Who the credentials are (sts:GetCallerIdentity): the account audited and the name a review is by. */
export const callerIdentity = async (
  region: string,
  options: ClientOptions = {},
): Promise<{ readonly accountId: string; readonly arn: string }> => {
  const sts = new STSClient({
    region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { accountId: out.Account ?? '', arn: out.Arn ?? '' };
  } catch (err) {
    throw toAwsCallError('sts:GetCallerIdentity', err);
  } finally {
    sts.destroy();
  }
};

/** The Region the SDK would use (AWS_REGION, or the profile's `region`), or undefined. */
export const defaultRegion = async (options: ClientOptions = {}): Promise<string | undefined> => {
  const sts = new STSClient(options.profile === undefined ? {} : { profile: options.profile });
  try {
    return await sts.config.region();
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
};
