/**
 * Replay: route each EventBridge event to the function(s) whose rule in template.yaml matches
 * it (as EventBridge would), apply change events to the local world, and run the real
 * handlers, with the real SDK clients, against the local AWS endpoint.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { ClientOptions } from '../composition/clients.ts';
import { isRegion } from '../domain/identifiers.ts';
import type { ReplayEvent } from './eventInput.ts';
import { matchesPattern } from './eventPattern.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { type LocalAws, localCredentials, startLocalAws } from './server.ts';
import { loadTemplate, type SamEnvVars } from './template.ts';
import type { StoredFinding, World } from './world.ts';

export type { ReplayEvent };

export interface FunctionRun {
  readonly logicalId: string;
  readonly result?: unknown;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

export interface ReplayEvaluation {
  readonly event: string;
  readonly runs: readonly FunctionRun[];
  /**
   * Why no function ran: the envelope names a Region or an account that cannot exist, so no
   * stack could have received the event. The other events are replayed all the same.
   */
  readonly rejected?: string;
}

export interface ReplayResult {
  readonly evaluations: readonly ReplayEvaluation[];
  /** The findings as the local Security Hub stores them after all events. */
  readonly findings: readonly StoredFinding[];
}

export interface ReplayOptions {
  readonly world: World;
  readonly events: readonly ReplayEvent[];
  readonly envVars?: SamEnvVars;
  readonly templatePath?: string;
  /** A running endpoint to reuse (tests inject faults on it); one is started otherwise. */
  readonly local?: LocalAws;
  readonly clientOptions?: ClientOptions;
}

type HandlerModule = {
  createHandler: (
    env: Readonly<Record<string, string | undefined>>,
    clientOptions?: ClientOptions,
  ) => (event: unknown, context: Context) => Promise<unknown>;
};

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Environment the SDK needs to talk to the local endpoint, and never to anything else. */
const localSdkEnvironment = (local: LocalAws): Record<string, string> => ({
  ...local.endpointEnv(),
  ...localCredentials,
  AWS_SESSION_TOKEN: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
});

const lambdaContext = (
  functionName: string,
  region: string,
  account: string,
  timeoutSeconds: number,
): Context => {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local-replay',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

const field = (event: unknown, key: string): unknown =>
  typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;

/** Why an envelope's Region or account cannot be a real one (absent ones are the handler's to judge). */
const envelopeProblem = (event: unknown): string | undefined => {
  const region = field(event, 'region');
  if (region !== undefined && (typeof region !== 'string' || !isRegion(region)))
    return `region ${JSON.stringify(region)} is not an AWS Region: no stack can receive this event`;
  const account = field(event, 'account');
  if (account !== undefined && (typeof account !== 'string' || !/^\d{12}$/.test(account)))
    return `account ${JSON.stringify(account)} is not a 12-digit AWS account id`;
  return undefined;
};

export const replay = async (options: ReplayOptions): Promise<ReplayResult> => {
  const local = options.local ?? (await startLocalAws(options.world));
  const template = await loadTemplate(options.templatePath ?? path.join(ROOT, 'template.yaml'));
  const functions = functionsOf(template);
  const sdkEnv = localSdkEnvironment(local);
  for (const [key, value] of Object.entries(sdkEnv)) {
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
  process.env.AWS_REGION ??= 'us-east-1';
  // Handler logs would interleave with the table or the JSON on stdout; export
  // POWERTOOLS_LOG_LEVEL=INFO to see them.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

  try {
    const evaluations: ReplayEvaluation[] = [];
    for (const { name, event } of options.events) {
      const rejected = envelopeProblem(event);
      if (rejected !== undefined) {
        evaluations.push({ event: name, runs: [], rejected });
        continue;
      }
      const detail = field(event, 'detail');
      if (detail !== undefined) local.world.applyChange(detail);
      const region = (field(event, 'region') as string | undefined) || 'us-east-1';
      const account = (field(event, 'account') as string | undefined) || options.world.accountId;
      const runs: FunctionRun[] = [];
      for (const fn of functions) {
        if (!fn.rules.some((rule) => matchesPattern(rule.pattern, event))) continue;
        const env = { ...resolveEnvironment(template, fn, options.envVars), ...sdkEnv, AWS_REGION: region };
        const module = (await import(
          pathToFileURL(path.join(ROOT, 'handlers', `${fn.handler.split('.')[0]}.ts`)).href
        )) as HandlerModule;
        try {
          // A configuration the function rejects fails its cold start: that event's run, not the replay.
          const handler = module.createHandler(env, options.clientOptions);
          const result = await handler(event, lambdaContext(fn.logicalId, region, account, fn.timeout));
          runs.push({ logicalId: fn.logicalId, result });
        } catch (error) {
          const err = error instanceof Error ? error : new Error(String(error));
          runs.push({ logicalId: fn.logicalId, error: { errorType: err.name, errorMessage: err.message } });
        }
      }
      evaluations.push({ event: name, runs });
    }
    return { evaluations, findings: local.findings() };
  } finally {
    if (options.local === undefined) await local.close();
  }
};
