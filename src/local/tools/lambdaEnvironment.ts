/**
 * What a local invoke gives the function, as Lambda does: its name and log group from the
 * template, and an environment built from scratch (the template's variables, `--env-vars`,
 * Lambda's reserved variables, credentials), nothing else of the caller's.
 */

import { localCredentials } from '../services/server.ts';
import type { BundleResult } from './build.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import { resolveEnvironment } from './samFunctions.ts';
import { type FunctionSpec, parameterDefaults, type SamEnvVars, type Template } from './template.ts';

export const functionNameOf = (template: Template, fn: FunctionSpec): string => {
  const name = fn.properties.FunctionName;
  if (name === undefined) return fn.logicalId;
  try {
    const resolved = resolveIntrinsics(template, name, { parameters: parameterDefaults(template) });
    return typeof resolved === 'string' && resolved !== '' ? resolved : fn.logicalId;
  } catch {
    return fn.logicalId;
  }
};

/** The log group Lambda would write to: the one named in LoggingConfig when it can be known locally. */
export const logGroupOf = (
  template: Template,
  fn: FunctionSpec,
  functionName: string,
  region: string,
): string => {
  const fallback = `/aws/lambda/${functionName}`;
  const logging = fn.properties.LoggingConfig;
  const ref =
    typeof logging === 'object' && logging !== null
      ? (logging as Record<string, unknown>).LogGroup
      : undefined;
  const target =
    typeof ref === 'object' && ref !== null && typeof (ref as { Ref?: unknown }).Ref === 'string'
      ? template.body.Resources[(ref as { Ref: string }).Ref]
      : undefined;
  const name = target?.Type === 'AWS::Logs::LogGroup' ? target.Properties?.LogGroupName : ref;
  if (name === undefined) return fallback;
  try {
    const resolved = resolveIntrinsics(template, name, { parameters: parameterDefaults(template), region });
    return typeof resolved === 'string' && resolved !== '' ? resolved : fallback;
  } catch {
    return fallback;
  }
};

export interface LambdaEnvironmentOptions {
  readonly template: Template;
  readonly fn: FunctionSpec;
  readonly bundle: BundleResult;
  readonly envVars?: SamEnvVars;
  readonly parameterOverrides?: Readonly<Record<string, string>>;
  /** Set last, over everything (e.g. AWS_ENDPOINT_URL for the local endpoint, AWS_REGION). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly region: string;
  readonly accountId: string;
  /** The sandbox folder: Lambda's runtime directory and HOME (so ~/.aws/config is not read). */
  readonly runtimeDir: string;
  readonly names: {
    readonly functionName: string;
    readonly logGroupName: string;
    readonly logStreamName: string;
  };
}

export const lambdaEnvironment = (options: LambdaEnvironmentOptions): Record<string, string> => {
  const { template, fn, bundle, region, accountId, runtimeDir } = options;
  const { functionName, logGroupName, logStreamName } = options.names;
  const credentials =
    process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
      ? {
          AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
          ...(process.env.AWS_SESSION_TOKEN ? { AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN } : {}),
        }
      : localCredentials;

  const functionEnv = resolveEnvironment(template, fn, options.envVars, {
    region,
    accountId,
    ...(options.parameterOverrides === undefined ? {} : { parameterOverrides: options.parameterOverrides }),
  });
  // `sam build` adds this flag to a function built with Sourcemap: true.
  const sourcemap = fn.buildProperties.Sourcemap === true || fn.buildProperties.Sourcemap === 'true';
  const nodeOptions = functionEnv.NODE_OPTIONS ?? '';
  if (sourcemap && !nodeOptions.split(/\s+/).includes('--enable-source-maps')) {
    functionEnv.NODE_OPTIONS = `${nodeOptions} --enable-source-maps`.trim();
  }

  // Built from scratch, like Lambda's: nothing of the parent's environment leaks in except
  // PATH and credentials. HOME points at an empty folder so ~/.aws/config is not read.
  const env: Record<string, string> = {
    ...functionEnv,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: runtimeDir,
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    LAMBDA_TASK_ROOT: bundle.outdir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_SAM_LOCAL: 'true',
    ...credentials,
    ...options.extraEnv,
  };
  return env;
};
