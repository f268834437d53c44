/**
 * The bench's identity side: the role sessions' STS records delivered through the real identity
 * handler into the local state table before the sessions are audited (as the identity rules
 * deliver them, minutes before anyone starts a session), and what the audit then spends on
 * identity: LookupEvents per role session (none, when every record was delivered) and state table
 * reads per session.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { ClientOptions } from '../../composition/clients.ts';
import { patchEnv } from './benchEnv.ts';
import { BENCH_ACCOUNT, BENCH_REGION } from './benchRecords.ts';
import type { Scenario, ScenarioEvent } from './benchScenario.ts';
import { BenchError, type CallSample, type Target } from './benchStats.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Reads of the state table (writes are the ledger's, one per session, and pending sessions). */
export const TABLE_READS: ReadonlySet<string> = new Set(['dynamodb:GetItem', 'dynamodb:Query']);
const LOOKUP = 'cloudtrail:LookupEvents';

export const IDENTITY_LIMITS = { lookupEventsPerRoleSession: 0, tableReadsPerSession: 1 } as const;

export interface IdentityFigures {
  readonly stsRecordsDelivered: number;
  readonly roleSessionEvents: number;
  readonly lookupEventsPerRoleSession: number;
  readonly tableReadsPerSession: number;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;
interface IdentityModule {
  readonly createHandler: (env: Readonly<Record<string, string>>, options?: ClientOptions) => Handler;
}

const context = (index: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'IdentityFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${BENCH_REGION}:${BENCH_ACCOUNT}:function:IdentityFunction`,
  memoryLimitInMB: '256',
  awsRequestId: `bench-identity-${index}`,
  logGroupName: '/aws/lambda/IdentityFunction',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Runs every STS record of the scenario through one warm identity handler; each must be stored. */
export const deliverStsRecords = async (
  scenario: Scenario,
  env: Readonly<Record<string, string>>,
  options: ClientOptions,
): Promise<number> => {
  // The module builds Lambda's handler at import, from the process environment: it needs the table.
  const restore = patchEnv({ STATE_TABLE_NAME: env.STATE_TABLE_NAME });
  let module: IdentityModule;
  try {
    module = (await import(pathToFileURL(path.join(ROOT, 'handlers/identity.ts')).href)) as IdentityModule;
  } finally {
    restore();
  }
  const handler = module.createHandler(env, options);
  for (const [index, event] of scenario.stsEvents.entries()) {
    const result = (await handler(event, context(index))) as { check?: unknown } | undefined;
    if (result?.check !== 'identity') {
      throw new BenchError(
        `STS record ${index} was not stored by the identity handler: ${JSON.stringify(result)}`,
      );
    }
  }
  return scenario.stsEvents.length;
};

/** Identity calls of a pass: LookupEvents per role session and table reads per session. */
export const identityFigures = (
  scenario: Scenario,
  events: readonly ScenarioEvent[],
  samples: readonly CallSample[],
  delivered: number,
): IdentityFigures => {
  const sum = (ops: (op: string) => boolean, only: (i: number) => boolean = () => true) =>
    samples.reduce(
      (total, sample, i) =>
        only(i)
          ? total + Object.entries(sample.calls).reduce((n, [op, c]) => (ops(op) ? n + c : n), 0)
          : total,
      0,
    );
  const isRole = (i: number): boolean => scenario.principals[events[i]?.principal ?? -1]?.kind === 'role';
  const roleSessionEvents = samples.filter((_, i) => isRole(i)).length;
  return {
    stsRecordsDelivered: delivered,
    roleSessionEvents,
    lookupEventsPerRoleSession:
      roleSessionEvents === 0 ? 0 : sum((op) => op === LOOKUP, isRole) / roleSessionEvents,
    tableReadsPerSession: samples.length === 0 ? 0 : sum((op) => TABLE_READS.has(op)) / samples.length,
  };
};

export const identityTargets = (cached: IdentityFigures): Target[] => [
  {
    name: 'cached, STS records delivered: LookupEvents per role session <= limit',
    value: cached.lookupEventsPerRoleSession,
    limit: IDENTITY_LIMITS.lookupEventsPerRoleSession,
    ok: cached.lookupEventsPerRoleSession <= IDENTITY_LIMITS.lookupEventsPerRoleSession,
  },
  {
    name: 'cached: state table reads per session <= limit',
    value: cached.tableReadsPerSession,
    limit: IDENTITY_LIMITS.tableReadsPerSession,
    ok: cached.tableReadsPerSession <= IDENTITY_LIMITS.tableReadsPerSession,
  },
];

export const identityLines = (cached: IdentityFigures, uncached: IdentityFigures): string[] => [
  '',
  `Identity: ${cached.stsRecordsDelivered} STS records delivered through IdentityFunction before the sessions; ` +
    `${cached.roleSessionEvents} / ${uncached.roleSessionEvents} role-session events (cached / uncached pass)`,
  `  LookupEvents per role session: ${cached.lookupEventsPerRoleSession.toFixed(3)} cached, ${uncached.lookupEventsPerRoleSession.toFixed(3)} uncached`,
  `  state table reads per session (GetItem, Query): ${cached.tableReadsPerSession.toFixed(3)} cached, ${uncached.tableReadsPerSession.toFixed(3)} uncached`,
];
