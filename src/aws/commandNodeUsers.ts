/**
 * NodeUsers by asking the node (USER_DIRECTORY=command): Run Command runs `id` through
 * AWS-RunShellScript, the same look-up the SSM agent makes before it starts a Run As shell, and
 * prints the account's uid, primary gid and name (a value of digits resolves as a uid). The exit
 * code says whether it exists. Only safe names (digits included) are ever probed: the value
 * reaches a root shell on the node.
 */

import { setTimeout as delay } from 'node:timers/promises';
import {
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  InvocationDoesNotExist,
  SendCommandCommand,
  type SendCommandCommandOutput,
  type SSMClient,
  UnsupportedPlatformType,
} from '@aws-sdk/client-ssm';
import type { NodeUsers } from '../app/ports.ts';
import type { NodeAccount, UserPresence } from '../domain/facts.ts';
import { isManagedNodeId } from '../domain/identifiers.ts';
import { isSafeUserName } from '../domain/userName.ts';
import { AwsCallError, UnsafeProbeNameError } from '../errors.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface CommandNodeUsersOptions {
  /** How long a present/missing answer is reused for the same node and user. */
  readonly ttlMs: number;
  /** The Lambda's remaining time (context.getRemainingTimeInMillis), read at every poll. */
  readonly remainingTimeMs: () => number;
  /** Wait between GetCommandInvocation polls; default 1000. */
  readonly pollIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Stop polling this long before the Lambda would time out; default 3000. */
  readonly reserveMs?: number;
}

export const PROBE_DOCUMENT = 'AWS-RunShellScript';
export const PROBE_COMMENT = 'ssm-runas-auditor: which account is the Run As user?';
/** The API minimum: a node that cannot start the probe within this is not waited for. */
export const PROBE_TIMEOUT_SECONDS = 30;
export const OUT_OF_TIME = "probe did not finish within the function's remaining time";

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_RESERVE_MS = 3000;

/** Statuses after which the invocation may still finish (Cancelling ends as Cancelled). */
const RUNNING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

/** `id` from GNU coreutils and macOS both say this for an unknown user. */
const NO_SUCH_USER = /no such user/i;

/**
 * The probe script. isSafeUserName already excludes quotes and every shell metacharacter; the
 * single quotes and `--` are a second fence, so a quote must never get this far.
 */
export const probeScript = (user: string): string => {
  if (user.includes("'") || !isSafeUserName(user)) {
    throw new UnsafeProbeNameError(
      `refusing to build a probe for an unsafe user name ${JSON.stringify(user)}`,
    );
  }
  const quoted = `-- '${user}'`;
  return `id -u ${quoted} && id -g ${quoted} && id -un ${quoted}`;
};

/** The probe's output: uid, primary gid and name, one a line. */
const accountOf = (stdout: string): NodeAccount | undefined => {
  const [uid, gid, name] = stdout
    .trim()
    .split('\n')
    .map((line) => line.trim());
  if (uid === undefined || gid === undefined || name === undefined) return undefined;
  if (!/^\d{1,10}$/.test(uid) || !/^\d{1,10}$/.test(gid) || !isSafeUserName(name)) return undefined;
  return { name, uid: Number(uid), gid: Number(gid) };
};

const unknownPresence = (reason: string): UserPresence => ({ status: 'unknown', reason });

const endedReason = (nodeId: string, invocation: GetCommandInvocationCommandOutput): string => {
  const status = invocation.Status || 'without a status';
  const details =
    invocation.StatusDetails && invocation.StatusDetails !== status ? ` (${invocation.StatusDetails})` : '';
  const code =
    typeof invocation.ResponseCode === 'number' && invocation.ResponseCode >= 0
      ? `, exit code ${invocation.ResponseCode}`
      : '';
  return `probe on ${nodeId} ended ${status}${details}${code}`;
};

/** The answer of a finished invocation, or undefined while it is still running. */
const judge = (nodeId: string, invocation: GetCommandInvocationCommandOutput): UserPresence | undefined => {
  const { Status: status, ResponseCode: code } = invocation;
  if (status !== undefined && RUNNING.has(status)) return undefined;
  const source = `id on ${nodeId}`;
  if (status === 'Success' && code === 0) {
    const account = accountOf(invocation.StandardOutputContent ?? '');
    if (account !== undefined) return { status: 'present', source, account };
    return unknownPresence(`probe on ${nodeId} printed no uid, gid and name`);
  }
  if (status === 'Failed' && code === 1 && NO_SUCH_USER.test(invocation.StandardErrorContent ?? '')) {
    return { status: 'missing', source };
  }
  return unknownPresence(endedReason(nodeId, invocation));
};

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
};

export const createCommandNodeUsers = (ssm: SSMClient, options: CommandNodeUsersOptions): NodeUsers => {
  const { remainingTimeMs, sleep = (ms: number) => delay(ms) } = options;
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const reserveMs = options.reserveMs ?? DEFAULT_RESERVE_MS;
  if (!Number.isFinite(reserveMs) || reserveMs < 0) {
    throw new RangeError(`reserveMs must be >= 0, got ${reserveMs}`);
  }
  const cache = createTtlCache<UserPresence>({
    ttlMs: options.ttlMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  // NaN or a broken clock reads as "no time left": never a reason to keep polling.
  const hasTimeForAPoll = (): boolean => remainingTimeMs() > reserveMs + pollIntervalMs;

  const send = async (nodeId: string, user: string): Promise<string | UserPresence> => {
    const script = probeScript(user);
    let response: SendCommandCommandOutput;
    try {
      response = await ssm.send(
        new SendCommandCommand({
          DocumentName: PROBE_DOCUMENT,
          InstanceIds: [nodeId],
          Parameters: { commands: [script] },
          TimeoutSeconds: PROBE_TIMEOUT_SECONDS,
          Comment: PROBE_COMMENT,
        }),
      );
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.ssmInstance)) {
        case 'not-found':
          return unknownPresence(
            `node not reachable: ${nodeId} is not online or not managed by SSM (${sdkErrorName(err)})`,
          );
        case 'access-denied':
          return unknownPresence(`the auditor is not allowed ssm:SendCommand (${sdkErrorName(err)})`);
        default:
          if (err instanceof UnsupportedPlatformType) {
            return unknownPresence(`node ${nodeId} cannot run ${PROBE_DOCUMENT} (UnsupportedPlatformType)`);
          }
          throw toAwsCallError('ssm:SendCommand', err);
      }
    }
    const commandId = response.Command?.CommandId;
    if (commandId === undefined || commandId === '') {
      throw new AwsCallError('ssm:SendCommand', 'the response carries no CommandId');
    }
    return commandId;
  };

  // Polled here rather than with the SDK's waitUntilCommandExecuted: that waiter retries on every
  // error (an AccessDenied or a throttle would spin until its deadline, then surface only as a
  // timeout), waits 5 s or more between polls by default, and keeps its deadline on its own clock
  // instead of reading the Lambda's remaining time at every poll.
  const probe = async (nodeId: string, user: string): Promise<UserPresence> => {
    // A command sent without time to read its answer would run on the node for nothing.
    if (!hasTimeForAPoll()) return unknownPresence(OUT_OF_TIME);
    const sent = await send(nodeId, user);
    if (typeof sent !== 'string') return sent;

    while (hasTimeForAPoll()) {
      await sleep(pollIntervalMs);
      let invocation: GetCommandInvocationCommandOutput;
      try {
        invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent, InstanceId: nodeId }));
      } catch (err) {
        // Run Command is eventually consistent: the invocation appears a moment after SendCommand.
        if (err instanceof InvocationDoesNotExist) continue;
        if (classifySdkError(err) === 'access-denied') {
          return unknownPresence(
            `the auditor is not allowed ssm:GetCommandInvocation (${sdkErrorName(err)})`,
          );
        }
        throw toAwsCallError('ssm:GetCommandInvocation', err);
      }
      const presence = judge(nodeId, invocation);
      if (presence !== undefined) return presence;
    }
    return unknownPresence(OUT_OF_TIME);
  };

  return {
    presenceOf: async (nodeId, user) => {
      if (!isSafeUserName(user)) return unknownPresence('not a safe user name: not probed');
      if (!isManagedNodeId(nodeId)) return unknownPresence('not a managed node id: not probed');
      const key = JSON.stringify([nodeId, user]);
      return cache.get(key, async () => {
        const presence = await probe(nodeId, user);
        // Only a conclusive answer is reused; after a timeout or a refusal a retry may well succeed.
        // (The await above has let the cache store this entry, so the delete finds it.)
        if (presence.status === 'unknown') cache.delete(key);
        return presence;
      });
    },
  };
};
