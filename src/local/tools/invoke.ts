/**
 * `sam local invoke` without Docker: bundle the function as `sam build` does, then run its
 * handler once in a fresh child Node.js process (the same binary) with Lambda's environment,
 * a Lambda context and the function's timeout. Every invoke is therefore a cold start.
 *
 * The child's runtime client is lambdaBootstrap.ts; it reports on file descriptor 3 (never
 * stdout, which belongs to the function's logs).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { bundleFunction } from './build.ts';
import { InputError } from './inputError.ts';
import {
  functionNameOf,
  type LambdaEnvironmentOptions,
  lambdaEnvironment,
  logGroupOf,
} from './lambdaEnvironment.ts';
import { bootstrapCode, type LambdaError, parseMessage, type RuntimeMessage } from './lambdaRuntime.ts';
import { functionsOf } from './samFunctions.ts';
import { loadTemplate, type SamEnvVars } from './template.ts';

export type { LambdaError };

/** What Lambda's REPORT line says about the invocation. */
export interface InvokeReport {
  readonly requestId: string;
  readonly durationMs: number;
  readonly initDurationMs: number;
  readonly maxMemoryUsedMB: number;
}

export type InvokeOutcome =
  | { readonly ok: true; readonly result: unknown; readonly logs: string; readonly report: InvokeReport }
  | { readonly ok: false; readonly error: LambdaError; readonly logs: string; readonly report: InvokeReport };

export interface InvokeOptions {
  readonly logicalId: string;
  readonly event: unknown;
  /** SAM `--env-vars` content: `{ Parameters: {…} }` for all functions and/or `{ <LogicalId>: {…} }`. */
  readonly envVars?: SamEnvVars;
  /** Defaults to the project's template.yaml. */
  readonly templatePath?: string;
  /** Template parameter overrides (`--parameter-overrides`). */
  readonly parameterOverrides?: Readonly<Record<string, string>>;
  /** Set last, over everything (e.g. AWS_ENDPOINT_URL for the local endpoint, AWS_REGION). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Account in the context's invokedFunctionArn. */
  readonly accountId?: string;
}

export interface RunHandlerOptions
  extends Omit<LambdaEnvironmentOptions, 'region' | 'accountId' | 'runtimeDir' | 'names'> {
  readonly event: unknown;
  readonly accountId?: string;
}

/** `invoke` named a logical id that is not a function of the template. */
export class UnknownFunctionError extends InputError {
  override readonly name = 'UnknownFunctionError';
}

const PROJECT_TEMPLATE = path.resolve(import.meta.dirname, '../../../template.yaml');

/** Lambda gives a function's module this long to load before the invoke timer starts. */
const INIT_LIMIT_MS = 10_000;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Runs an already bundled function once, in a child process, as the Lambda Node.js runtime would. */
export const runHandler = async (options: RunHandlerOptions): Promise<InvokeOutcome> => {
  const { template, fn, bundle } = options;
  const requestId = randomUUID();
  const region =
    options.extraEnv?.AWS_REGION ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const functionName = functionNameOf(template, fn);
  const logGroupName = logGroupOf(template, fn, functionName, region);
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const logStreamName = `${today}/[$LATEST]${requestId.replaceAll('-', '')}`;

  const runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'lambda-runtime-'));
  try {
    const bootstrap = path.join(runtimeDir, 'bootstrap.mjs');
    await writeFile(bootstrap, await bootstrapCode(), 'utf8');

    const env = lambdaEnvironment({
      ...options,
      region,
      accountId,
      runtimeDir,
      names: { functionName, logGroupName, logStreamName },
    });

    const exportName = fn.handler.slice(fn.handler.indexOf('.') + 1);
    const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
    const input = JSON.stringify({
      event: options.event,
      timeoutMs: fn.timeout * 1000,
      context: {
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
        memoryLimitInMB: String(fn.memorySize),
        awsRequestId: requestId,
        logGroupName,
        logStreamName,
      },
    });

    // Lambda caps the heap to fit the configured memory; this approximates that ceiling.
    const heapMb = Math.max(64, Math.floor(fn.memorySize * 0.9));
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, bootstrap, bundle.outfile, moduleName, exportName],
      { cwd: bundle.outdir, env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
    );

    const logChunks: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => logChunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => logChunks.push(chunk));
    const channel = child.stdio[3] as Readable;
    let pending = '';
    const messages: RuntimeMessage[] = [];
    let protocolError: unknown;

    let timedOut: 'init' | 'invoke' | undefined;
    const killAfter = (ms: number, phase: 'init' | 'invoke') =>
      setTimeout(() => {
        timedOut = phase;
        child.kill('SIGKILL');
      }, ms);
    let timer = killAfter(INIT_LIMIT_MS, 'init');

    channel.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          const message = parseMessage(line);
          messages.push(message);
          if (message.type === 'init') {
            clearTimeout(timer);
            timer = killAfter(fn.timeout * 1000, 'invoke');
          }
        } catch (error) {
          protocolError = error;
        }
        newline = pending.indexOf('\n');
      }
    });

    const started = performance.now();
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    (child.stdin as Writable).on('error', () => undefined).end(input);
    const { code, signal } = await exit;
    clearTimeout(timer);
    if (protocolError !== undefined) throw protocolError;

    const init = messages.find((m) => m.type === 'init');
    const result = messages.find((m) => m.type === 'result');
    const initDurationMs = round2(result?.initMs ?? init?.initMs ?? 0);
    const durationMs = round2(
      result?.durationMs ?? Math.max(0, performance.now() - started - initDurationMs),
    );
    const maxMemoryUsedMB = Math.ceil((result?.maxRssKb ?? 0) / 1024);
    const report: InvokeReport = { requestId, durationMs, initDurationMs, maxMemoryUsedMB };

    let outcome: { ok: true; result: unknown } | { ok: false; error: LambdaError };
    if (timedOut !== undefined) {
      const limit = timedOut === 'init' ? INIT_LIMIT_MS / 1000 : fn.timeout;
      outcome = {
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${limit.toFixed(2)} seconds`,
          trace: [],
        },
      };
    } else if (result?.ok === true && typeof result.payload === 'string') {
      outcome = { ok: true, result: JSON.parse(result.payload) as unknown };
    } else if (result?.ok === false && result.error !== undefined) {
      outcome = { ok: false, error: result.error };
    } else {
      const status = signal === null ? `exit status ${code}` : `signal: ${signal.toLowerCase()}`;
      outcome = {
        ok: false,
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${status}`,
          trace: [],
        },
      };
    }

    const logs = [
      `START RequestId: ${requestId} Version: $LATEST\n`,
      ...logChunks,
      ...(logChunks.length > 0 && !logChunks.at(-1)?.endsWith('\n') ? ['\n'] : []),
      `END RequestId: ${requestId}\n`,
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\t` +
        `Memory Size: ${fn.memorySize} MB\tMax Memory Used: ${maxMemoryUsedMB} MB\tInit Duration: ${initDurationMs.toFixed(2)} ms\n`,
    ].join('');
    return outcome.ok ? { ...outcome, logs, report } : { ...outcome, logs, report };
  } finally {
    await rm(runtimeDir, { recursive: true, force: true });
  }
};

/** `sam local invoke <LogicalId> -e event.json [--env-vars env.json]`, without Docker. */
export const invokeFunction = async (options: InvokeOptions): Promise<InvokeOutcome> => {
  const template = await loadTemplate(options.templatePath ?? PROJECT_TEMPLATE);
  const functions = functionsOf(template);
  const fn = functions.find((candidate) => candidate.logicalId === options.logicalId);
  if (fn === undefined) {
    throw new UnknownFunctionError(
      '',
      `has no function ${JSON.stringify(options.logicalId)} (functions: ${functions.map((f) => f.logicalId).join(', ') || 'none'})`,
      { file: path.relative(process.cwd(), template.path) || template.path },
    );
  }
  const bundle = await bundleFunction(fn);
  try {
    return await runHandler({
      template,
      fn,
      bundle,
      event: options.event,
      ...(options.envVars === undefined ? {} : { envVars: options.envVars }),
      ...(options.parameterOverrides === undefined ? {} : { parameterOverrides: options.parameterOverrides }),
      ...(options.extraEnv === undefined ? {} : { extraEnv: options.extraEnv }),
      ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    });
  } finally {
    await rm(bundle.outdir, { recursive: true, force: true });
  }
};
