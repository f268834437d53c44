/**
 * The protocol between `invoke` and its runtime client (lambdaBootstrap.ts): the client's code,
 * compiled to JavaScript once per process (the child runs no TypeScript), and the report lines
 * it sends on file descriptor 3.
 */
import path from 'node:path';
import { build } from 'esbuild';

export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** The child runtime broke its protocol: a bug of the local runtime, never of the function. */
export class InvokeError extends Error {
  override readonly name = 'InvokeError';
}

/** The runtime client of the child (lambdaBootstrap.ts), compiled to JavaScript once per process. */
const BOOTSTRAP_SOURCE = path.join(import.meta.dirname, 'lambdaBootstrap.ts');
let compiled: Promise<string> | undefined;

const compileBootstrap = async (): Promise<string> => {
  const result = await build({
    entryPoints: [BOOTSTRAP_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new InvokeError('esbuild returned no runtime client');
  return output.text;
};

export interface RuntimeMessage {
  readonly type: 'init' | 'result';
  readonly ok?: boolean;
  readonly payload?: string;
  readonly error?: LambdaError;
  readonly initMs?: number;
  readonly durationMs?: number;
  readonly maxRssKb?: number;
}

const isLambdaError = (value: unknown): value is LambdaError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LambdaError).errorType === 'string' &&
  typeof (value as LambdaError).errorMessage === 'string' &&
  Array.isArray((value as LambdaError).trace);

export const parseMessage = (line: string): RuntimeMessage => {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null)
    throw new InvokeError(`runtime sent ${line.slice(0, 200)}`);
  const message = value as RuntimeMessage;
  if (message.type !== 'init' && message.type !== 'result')
    throw new InvokeError(`runtime sent ${line.slice(0, 200)}`);
  if (message.type === 'result' && message.ok === false && !isLambdaError(message.error)) {
    throw new InvokeError('runtime sent a malformed error envelope');
  }
  return message;
};

/** The runtime client's JavaScript, compiled on first use. */
export const bootstrapCode = (): Promise<string> => {
  compiled ??= compileBootstrap();
  return compiled;
};
