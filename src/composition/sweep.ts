/**
 * Wires the sweep: the session audit's reads and state table (without its ledger mark: the sweep
 * marks a session once its findings are imported), the change use cases' reads for the refresh, LookupEvents for
 * the history, and the state table's ledger and watermarks, all on one container's clients and
 * pacer, so the sweep's LookupEvents and the audits' session-tag look-ups share one quota.
 */
import type { SessionReadPorts } from '../app/ports.ts';
import type { SweepWiringPorts } from '../app/sweep.ts';
import { createCloudTrailStartSessions } from '../aws/cloudTrailStartSessions.ts';
import type { Config } from '../config.ts';
import { parseArn } from '../domain/arn.ts';
import { ConfigError } from '../errors.ts';
import { createChangeAuditPorts } from './changeAudit.ts';
import { type ClientOptions, createContainerWiring, memoize } from './clients.ts';
import { createSessionAuditPorts } from './sessionAudit.ts';
import { createSweepState } from './stateTable.ts';

/** The sweep marks a session once its finding is imported: the audit's own mark is left out. */
const withoutMark = ({ ledger: _mark, ...reads }: SessionReadPorts): SessionReadPorts => reads;

export type SweepPortsFor = (accountId: string, remainingTimeMs: () => number) => SweepWiringPorts;

export const createSweepPorts = (config: Config, clientOptions: ClientOptions = {}): SweepPortsFor => {
  const container = createContainerWiring(config, clientOptions);
  const state = createSweepState(config, clientOptions, container.pacer);
  // The session audit's ports with the state table (session tags, tag history), as the event path.
  const sessions = createSessionAuditPorts(config, clientOptions, container);
  const changes = createChangeAuditPorts(config, clientOptions, container);
  const history = memoize((accountId) =>
    createCloudTrailStartSessions(
      container.clientsOf({ accountId, region: config.region }).cloudTrail,
      config.region,
    ),
  );
  return (accountId, remainingTimeMs) => ({
    sessions: {
      history: history(accountId),
      reads: withoutMark(sessions.portsFor(accountId, config.region, remainingTimeMs)),
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

/** Where the sweep runs: the function's own account (from its ARN) and partition, and its Region. */
export const sweepPlacement = (functionArn: string, region: string) => {
  const arn = parseArn(functionArn);
  if (arn === undefined || arn.accountId === '') {
    throw new ConfigError(`the function's ARN names no account: ${JSON.stringify(functionArn)}`);
  }
  return { accountId: arn.accountId, partition: arn.partition, region };
};
