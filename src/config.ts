/**
 * The only reader of process.env. A bad value fails at cold start with a message naming the
 * variable; the result is frozen.
 */

import type { VersionLabel } from './domain/decision.ts';
import { isRegion } from './domain/identifiers.ts';
import { isSafeUserName } from './domain/userName.ts';
import { ConfigError } from './errors.ts';

export type UserDirectory = 'inventory' | 'command' | 'none';

export interface Config {
  /** Region the function runs in (AWS_REGION, set by Lambda). */
  readonly region: string;
  readonly deniedRunAsUsers: ReadonlySet<string>;
  readonly reportCompliantSessions: boolean;
  readonly reportNotApplicable: boolean;
  readonly userDirectory: UserDirectory;
  readonly inventoryTypeName: string;
  /** Inventory older than this is "unknown", never "missing". */
  readonly inventoryMaxAgeHours: number;
  readonly auditedRegions: readonly string[];
  readonly terminateStaleSessions: boolean;
  /** Warm-container cache TTL for documents, platforms and tags (documented tunable). */
  readonly cacheTtlSeconds: number;
  /** USER_DIRECTORY=command: how often the probe polls GetCommandInvocation (documented tunable). */
  readonly probePollIntervalMs: number;
  /** SESSION_DOCUMENT_VERSION: the document version sessions are judged by (they run $LATEST). */
  readonly sessionDocumentVersion: VersionLabel;
  /**
   * MAXIMUM_CONCURRENCY: how many invocations of the function may run at once (the event source
   * mapping's maximum concurrency); each paces its calls to that share of the account's quotas.
   */
  readonly maximumConcurrency: number;
  /**
   * STATE_TABLE_NAME: the state table (the stack's StateTable); '' where none is deployed (replay
   * and local invokes without a local DynamoDB), and then nothing is kept between invocations.
   */
  readonly stateTableName: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

const SESSION_DOCUMENT_VERSIONS: Readonly<Record<string, VersionLabel>> = {
  latest: '$LATEST',
  default: '$DEFAULT',
};

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be "true" or "false", got ${JSON.stringify(raw)}`);
};

const positiveNumber = (env: Env, name: string, fallback: number): number => {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  }
  return value;
};

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export const loadConfig = (env: Env = process.env): Config => {
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
  if (!isRegion(region)) {
    throw new ConfigError(
      `AWS_REGION must be an AWS Region such as us-east-1, got ${JSON.stringify(region)}`,
    );
  }

  const denied = env.DENIED_RUN_AS_USERS === undefined ? ['root'] : list(env.DENIED_RUN_AS_USERS);
  for (const user of denied) {
    if (!isSafeUserName(user)) {
      throw new ConfigError(
        `DENIED_RUN_AS_USERS has an entry that is not a user name: ${JSON.stringify(user)}`,
      );
    }
  }

  const directory = env.USER_DIRECTORY?.trim() || 'inventory';
  if (directory !== 'inventory' && directory !== 'command' && directory !== 'none') {
    throw new ConfigError(
      `USER_DIRECTORY must be inventory, command or none, got ${JSON.stringify(directory)}`,
    );
  }

  const inventoryTypeName = env.INVENTORY_TYPE_NAME?.trim() || 'Custom:OSUsers';
  if (!/^Custom:[A-Za-z0-9_.-]{1,92}$/.test(inventoryTypeName)) {
    throw new ConfigError(
      `INVENTORY_TYPE_NAME must be a custom inventory type such as Custom:OSUsers, got ${JSON.stringify(inventoryTypeName)}`,
    );
  }

  const auditedRegions = list(env.AUDITED_REGIONS);
  for (const r of auditedRegions) {
    if (!isRegion(r))
      throw new ConfigError(`AUDITED_REGIONS has an entry that is not a Region: ${JSON.stringify(r)}`);
  }

  const version = env.SESSION_DOCUMENT_VERSION?.trim() || 'latest';
  const sessionDocumentVersion = Object.hasOwn(SESSION_DOCUMENT_VERSIONS, version)
    ? SESSION_DOCUMENT_VERSIONS[version]
    : undefined;
  if (sessionDocumentVersion === undefined) {
    throw new ConfigError(
      `SESSION_DOCUMENT_VERSION must be latest or default, got ${JSON.stringify(version)}`,
    );
  }

  const concurrency = env.MAXIMUM_CONCURRENCY?.trim() || '1';
  const maximumConcurrency = Number(concurrency);
  if (!/^\d+$/.test(concurrency) || maximumConcurrency < 1 || maximumConcurrency > 1000) {
    throw new ConfigError(
      `MAXIMUM_CONCURRENCY must be a whole number from 1 to 1000, got ${JSON.stringify(concurrency)}`,
    );
  }

  const stateTableName = env.STATE_TABLE_NAME?.trim() ?? '';
  if (stateTableName !== '' && !/^[A-Za-z0-9_.-]{3,255}$/.test(stateTableName)) {
    throw new ConfigError(
      `STATE_TABLE_NAME must be a DynamoDB table name, got ${JSON.stringify(stateTableName)}`,
    );
  }

  return Object.freeze({
    region,
    deniedRunAsUsers: new Set(denied),
    reportCompliantSessions: bool(env, 'REPORT_COMPLIANT_SESSIONS', false),
    reportNotApplicable: bool(env, 'REPORT_NOT_APPLICABLE', false),
    userDirectory: directory,
    inventoryTypeName,
    inventoryMaxAgeHours: positiveNumber(env, 'INVENTORY_MAX_AGE_HOURS', 48),
    auditedRegions: Object.freeze(auditedRegions.length > 0 ? auditedRegions : [region]),
    terminateStaleSessions: bool(env, 'TERMINATE_STALE_SESSIONS', false),
    cacheTtlSeconds: positiveNumber(env, 'CACHE_TTL_SECONDS', 60),
    probePollIntervalMs: Math.max(1, positiveNumber(env, 'PROBE_POLL_INTERVAL_MS', 1000)),
    sessionDocumentVersion,
    maximumConcurrency,
    stateTableName,
  });
};
