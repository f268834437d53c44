/**
 * Wires the sweep: the session audit's reads and state table (without its ledger mark: the sweep
 * marks a session once its findings are imported), the change use cases' reads for the refresh, LookupEvents for
 * the history, and the state table's ledger and watermarks, all on one container's clients and
 * pacer, so the sweep's LookupEvents and the audits' session-tag look-ups share one quota.
 */
import type { SessionReadPorts } from '../app/ports.ts';
import { runSweep, type SweepResult, type SweepWiringPorts, sweepFailure } from '../app/sweep.ts';
import { createCloudTrailStartSessions } from '../aws/cloudTrailStartSessions.ts';
import type { Config } from '../config.ts';
import { parseArn } from '../domain/arn.ts';
import { ConfigError } from '../errors.ts';
import { logger } from '../logger.ts';
import { createChangeAuditPorts } from './changeAudit.ts';
import { type ClientOptions, createContainerWiring, memoize } from './clients.ts';
import { createSessionAuditPorts } from './sessionAudit.ts';
import { createSweepState } from './stateTable.ts';

/** The sweep marks a session once its finding is imported: the audit's own mark is left out. */
const withoutMark = ({ ledger: _mark, ...reads }: SessionReadPorts): SessionReadPorts => reads;

export type SweepPortsFor = (
  accountId: string,
  region: string,
  remainingTimeMs: () => number,
) => SweepWiringPorts;

export const createSweepPorts = (config: Config, clientOptions: ClientOptions = {}): SweepPortsFor => {
  const container = createContainerWiring(config, clientOptions);
  const state = createSweepState(config, clientOptions, container.pacer);
  // The session audit's ports with the state table (session tags, tag history), as the event path.
  const sessions = createSessionAuditPorts(config, clientOptions, container);
  const changes = createChangeAuditPorts(config, clientOptions, container);
  const history = memoize((key) => {
    const [accountId = '', region = ''] = key.split('/');
    return createCloudTrailStartSessions(container.clientsOf({ accountId, region }).cloudTrail, region);
  });
  return (accountId, region, remainingTimeMs) => ({
    sessions: {
      history: history(`${accountId}/${region}`),
      reads: withoutMark(sessions.portsFor(accountId, region, remainingTimeMs)),
      importerFor: container.importerFor,
      ledger: state.ledger,
      watermarks: state.watermarks,
    },
    refresh: {
      reads: changes.portsFor(accountId, remainingTimeMs),
      importerFor: container.importerFor,
      remainingTimeMs,
    },
  });
};

/** The accounts a sweep reads: its own, then the organization's AUDITED_ACCOUNTS (through their member roles). */
export const sweptAccounts = (config: Config, ownAccountId: string): readonly string[] => [
  ownAccountId,
  ...(config.organization?.sweptAccounts ?? []).filter((account) => account !== ownAccountId),
];

/**
 * The Regions a sweep reads: a stack of one account sweeps its own Region (each Region's stack
 * marks its own ledger); the one stack of an organization receives every audited Region's
 * events, marks them all in its ledger, and so sweeps AUDITED_REGIONS too.
 */
export const sweptRegions = (config: Config): readonly string[] =>
  config.organization === undefined
    ? [config.region]
    : [...new Set([config.region, ...config.auditedRegions])];

/**
 * Sweeps each account (its own, then the organization's AUDITED_ACCOUNTS) in each swept Region at
 * once (each spends its own quotas; posture is refreshed once per account, in the own Region's
 * run); one that fails (its member role refused, records that can pass) fails alone, and then the
 * invocation, after the others are done. One account and Region: its result, as before.
 */
export const sweepAccounts = async (
  input: Omit<Parameters<typeof runSweep>[0], 'accountId'> & { readonly accountId: string },
  portsFor: SweepPortsFor,
  config: Config,
): Promise<SweepResult | SweepResult[]> => {
  const runs = sweptAccounts(config, input.accountId).flatMap((accountId) =>
    sweptRegions(config).map((region) => ({ accountId, region })),
  );
  const settled = await Promise.allSettled(
    runs.map(async ({ accountId, region }) => {
      const result = await runSweep(
        { ...input, accountId, region },
        portsFor(accountId, region, input.remainingTimeMs),
        config,
        { refresh: region === input.region },
      );
      logger.info('sweep done', { accountId, region, sweep: result });
      const failure = sweepFailure(result);
      if (failure !== undefined) throw failure;
      return result;
    }),
  );
  const failed = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ ...runs[i], error: s.reason as unknown }] : [],
  );
  for (const { accountId, region, error } of failed)
    logger.error('account not swept', { accountId, region, error });
  if (failed[0] !== undefined) throw failed[0].error;
  const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  return runs.length === 1 && results[0] !== undefined ? results[0] : results;
};

/** Where the sweep runs: the function's own account (from its ARN) and partition, and its Region. */
export const sweepPlacement = (functionArn: string, region: string) => {
  const arn = parseArn(functionArn);
  if (arn === undefined || arn.accountId === '') {
    throw new ConfigError(`the function's ARN names no account: ${JSON.stringify(functionArn)}`);
  }
  return { accountId: arn.accountId, partition: arn.partition, region };
};
