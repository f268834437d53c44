/**
 * The only reader of process.env. A bad value fails at cold start with a message naming the
 * variable; the result is frozen.
 */

import type { VersionLabel } from './domain/decision.ts';
import { isRegion } from './domain/identifiers.ts';
import { isSafeUserName } from './domain/userName.ts';
import { ConfigError } from './errors.ts';

export type UserDirectory = 'inventory' | 'command' | 'none';

/** An organization deployment: the audit account reads every other account through its member role. */
export interface OrganizationConfig {
  /** ORGANIZATION_ID: `o-…`. */
  readonly id: string;
  /** AUDIT_ACCOUNT_ID: the function's own account, read with its own credentials. */
  readonly auditAccountId: string;
  /** MEMBER_ROLE_NAME: the role assumed in each member account (name, with its path if any). */
  readonly memberRoleName: string;
  /** MEMBER_EXTERNAL_ID: the sts:ExternalId the member role's trust requires, if any. */
  readonly externalId: string | undefined;
  /** AWS_LAMBDA_FUNCTION_NAME (set by Lambda): names the member role sessions. */
  readonly functionName: string;
  /** AUDITED_ACCOUNTS: member accounts the sweep reads besides the audit account. */
  readonly sweptAccounts: readonly string[];
}

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
   * SESSION_VERIFICATION_QUEUE_URL: the queue streamed sessions are sent to for their session log
   * to be read; '' (a local invoke without one): session logs are not read.
   */
  readonly sessionVerificationQueueUrl: string;
  /** SESSION_LOG_READ_DELAY_SECONDS: from the audit to the first reading of the log (1–900). */
  readonly sessionLogReadDelaySeconds: number;
  /**
   * SESSION_LOG_WINDOW_SECONDS: how long after the session its stream may still appear; a first
   * reading that finds none is read again once, when the window closes (delay to delay + 900).
   */
  readonly sessionLogWindowSeconds: number;
  /**
   * STATE_TABLE_NAME: the state table (identity records, pending sessions, tag history, ledger).
   * Undefined only outside a deployment (a local invoke without a table): session tags then come
   * from CloudTrail alone, and nothing is remembered between invocations.
   */
  readonly stateTableName: string | undefined;
  /** IDENTITY_CENTER_REGION: a Region whose CloudTrail may hold IAM Identity Center sign-ins. */
  readonly identityCenterRegion: string | undefined;
  /** Undefined (ORGANIZATION_ID empty): every event is read with the function's own credentials. */
  readonly organization: OrganizationConfig | undefined;
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

  const stateTableName = env.STATE_TABLE_NAME?.trim() || undefined;
  if (stateTableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(stateTableName)) {
    throw new ConfigError(
      `STATE_TABLE_NAME must be a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -), got ${JSON.stringify(stateTableName)}`,
    );
  }

  const identityCenterRegion = env.IDENTITY_CENTER_REGION?.trim() || undefined;
  if (identityCenterRegion !== undefined && !isRegion(identityCenterRegion)) {
    throw new ConfigError(
      `IDENTITY_CENTER_REGION must be an AWS Region such as eu-west-1, got ${JSON.stringify(identityCenterRegion)}`,
    );
  }

  const { delay, window } = sessionLogTiming(env);
  const queueUrl = env.SESSION_VERIFICATION_QUEUE_URL?.trim() ?? '';
  if (queueUrl !== '' && !/^https?:\/\/[^\s/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(queueUrl)) {
    throw new ConfigError(
      `SESSION_VERIFICATION_QUEUE_URL must be an SQS queue URL, got ${JSON.stringify(queueUrl)}`,
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
    sessionVerificationQueueUrl: queueUrl,
    sessionLogReadDelaySeconds: delay,
    sessionLogWindowSeconds: window,
    stateTableName,
    identityCenterRegion,
    organization: organizationOf(env),
  });
};

const DEFAULT_MEMBER_ROLE_NAME = 'ssm-runas-auditor-member';

const organizationOf = (env: Env): OrganizationConfig | undefined => {
  const id = env.ORGANIZATION_ID?.trim() || '';
  const sweptAccounts = list(env.AUDITED_ACCOUNTS);
  if (id === '') {
    if (sweptAccounts.length > 0) {
      throw new ConfigError(
        'AUDITED_ACCOUNTS needs ORGANIZATION_ID: other accounts are read through their member roles',
      );
    }
    return undefined;
  }
  for (const account of sweptAccounts) {
    if (!/^\d{12}$/.test(account)) {
      throw new ConfigError(
        `AUDITED_ACCOUNTS has an entry that is not an account id: ${JSON.stringify(account)}`,
      );
    }
  }
  if (!/^o-[a-z0-9]{10,32}$/.test(id)) {
    throw new ConfigError(
      `ORGANIZATION_ID must be an organization id such as o-a1b2c3d4e5, got ${JSON.stringify(id)}`,
    );
  }
  const auditAccountId = env.AUDIT_ACCOUNT_ID?.trim() || '';
  if (!/^\d{12}$/.test(auditAccountId)) {
    throw new ConfigError(
      `AUDIT_ACCOUNT_ID must be the function's own 12-digit account id when ORGANIZATION_ID is set, got ${JSON.stringify(auditAccountId)}`,
    );
  }
  const memberRoleName = env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME;
  if (!/^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/.test(memberRoleName) || memberRoleName.length > 576) {
    throw new ConfigError(
      `MEMBER_ROLE_NAME must be an IAM role name (with its path, if any), got ${JSON.stringify(memberRoleName)}`,
    );
  }
  const externalId = env.MEMBER_EXTERNAL_ID?.trim() || undefined;
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw new ConfigError('MEMBER_EXTERNAL_ID must be 2 to 1224 of A-Z a-z 0-9 + = , . @ : / - _');
  }
  return {
    id,
    auditAccountId,
    memberRoleName,
    externalId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME?.trim() || 'ssm-runas-auditor',
    sweptAccounts: Object.freeze([...new Set(sweptAccounts.filter((account) => account !== auditAccountId))]),
  };
};

/** SQS delays a message by at most 900 s: one for the first reading, one more for the last. */
const MAX_DELAY_SECONDS = 900;

const wholeSeconds = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name]?.trim() || String(fallback);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be whole seconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

const sessionLogTiming = (env: Env): { delay: number; window: number } => {
  const delay = wholeSeconds(env, 'SESSION_LOG_READ_DELAY_SECONDS', 60, 1, MAX_DELAY_SECONDS);
  const window = wholeSeconds(env, 'SESSION_LOG_WINDOW_SECONDS', 900, delay, delay + MAX_DELAY_SECONDS);
  return { delay, window };
};
