/**
 * The runtime client of a local invoke: the entry point of the child process that runs one
 * function once, as the Lambda Node.js runtime does. `invoke` compiles it with esbuild into the
 * sandbox folder (the child runs no TypeScript) and starts it as
 * `node bootstrap.mjs <bundle> <module> <export>`, with `{ event, timeoutMs, context }` on stdin.
 *
 * It reports on file descriptor 3, never stdout, which belongs to the function's logs: one
 * `init` line once the module is loaded, then one `result` line, the handler's result or
 * Lambda's error envelope. Load and handler failures get the Node.js runtime's error types.
 */
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface LambdaErrorEnvelope {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

interface InvokeInput {
  readonly event: unknown;
  readonly timeoutMs: number;
  readonly context: Readonly<Record<string, string>>;
}

type Report =
  | { readonly type: 'init'; readonly initMs: number }
  | {
      readonly type: 'result';
      readonly ok: boolean;
      readonly payload?: string;
      readonly error?: LambdaErrorEnvelope;
      readonly initMs?: number;
      readonly durationMs?: number;
    };

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: unknown, callback: Callback) => unknown;

const REPORT_FD = 3;

const [modulePath = '', moduleName = '', exportName = ''] = process.argv.slice(2);
const input = JSON.parse(readFileSync(0, 'utf8')) as InvokeInput;

/** Writes all of `text` to the report channel (a pipe may take it in pieces). */
const writeAll = (text: string): void => {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(REPORT_FD, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
};

let reported = false;

const finish = (report: Report & { readonly type: 'result' }, exitCode: number): void => {
  if (reported) return;
  reported = true;
  writeAll(`${JSON.stringify({ ...report, maxRssKb: process.resourceUsage().maxRSS })}\n`);
  // Exit only once the logs are flushed: Lambda freezes the sandbox after a response.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
};

const envelope = (error: unknown): LambdaErrorEnvelope =>
  error instanceof Error
    ? {
        errorType: error.name || 'Error',
        errorMessage: error.message,
        trace: String(error.stack ?? '').split('\n'),
      }
    : { errorType: typeof error, errorMessage: String(error), trace: [] };

process.on('uncaughtException', (error) => finish({ type: 'result', ok: false, error: envelope(error) }, 1));
process.on('unhandledRejection', (reason) => {
  const inner = envelope(reason);
  const error = {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: `${inner.errorType}: ${inner.errorMessage}`,
    trace: inner.trace,
  };
  finish({ type: 'result', ok: false, error }, 1);
});

/** The Node.js runtime's error for a module that cannot be loaded. */
const loadError = (error: unknown): LambdaErrorEnvelope => {
  const code = (error as { code?: unknown } | null)?.code;
  const base = envelope(error);
  const errorType =
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? 'Runtime.ImportModuleError'
      : error instanceof SyntaxError
        ? 'Runtime.UserCodeSyntaxError'
        : base.errorType;
  const errorMessage = errorType.startsWith('Runtime.')
    ? `${base.errorType}: ${base.errorMessage}`
    : base.errorMessage;
  return { ...base, errorType, errorMessage };
};

const initStart = performance.now();
let handler: unknown;
try {
  const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  handler = module[exportName];
} catch (error) {
  finish({ type: 'result', ok: false, error: loadError(error), initMs: performance.now() - initStart }, 1);
}
if (!reported && typeof handler !== 'function') {
  const error = {
    errorType: 'Runtime.HandlerNotFound',
    errorMessage: `${moduleName}.${exportName} is undefined or not exported`,
    trace: [],
  };
  finish({ type: 'result', ok: false, error, initMs: performance.now() - initStart }, 1);
}

if (!reported && typeof handler === 'function') {
  const initMs = performance.now() - initStart;
  writeAll(`${JSON.stringify({ type: 'init', initMs } satisfies Report)}\n`);
  const deadline = Date.now() + input.timeoutMs;
  const invokeStart = performance.now();
  const respond: Callback = (error, result) => {
    const durationMs = performance.now() - invokeStart;
    if (error !== undefined && error !== null) {
      finish({ type: 'result', ok: false, error: envelope(error), initMs, durationMs }, 0);
      return;
    }
    let payload: string;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (cause) {
      finish({ type: 'result', ok: false, error: envelope(cause), initMs, durationMs }, 0);
      return;
    }
    finish({ type: 'result', ok: true, payload, initMs, durationMs }, 0);
  };
  const context = {
    ...input.context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: respond,
    fail: (error?: unknown) => respond(error ?? new Error('handled')),
    succeed: (result?: unknown) => respond(undefined, result),
  };
  try {
    const returned = (handler as Handler)(input.event, context, respond);
    if (returned instanceof Promise || typeof (returned as { then?: unknown } | null)?.then === 'function') {
      (returned as Promise<unknown>).then(
        (result) => respond(undefined, result),
        (error: unknown) => respond(error ?? new Error('rejected')),
      );
    }
  } catch (error) {
    respond(error);
  }
}
