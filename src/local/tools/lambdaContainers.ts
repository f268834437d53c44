/**
 * Warm Lambda containers for replay and the bench: the real handler module of each function,
 * built once per container from the function's environment (a configuration it rejects fails
 * every invocation of that container, as a failed cold start would), invoked with an SQS batch or
 * a bare event and a context whose deadline counts the event time pacing waits consumed.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context, SQSRecord } from 'aws-lambda';
import type { ClientOptions } from '../../composition/clients.ts';
import type { BatchHooks } from '../../middleware.ts';
import type { RecordReport } from './eventSourceMapping.ts';
import type { FunctionSpec } from './template.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface HandlerModule {
  createHandler: (
    env: Readonly<Record<string, string | undefined>>,
    clientOptions?: ClientOptions,
    hooks?: BatchHooks,
  ) => Handler;
}

export interface ContainerOptions {
  /** The function's environment in a Region, as Lambda would set it. */
  readonly envFor: (fn: FunctionSpec, region: string) => Record<string, string>;
  readonly clientOptions?: ClientOptions;
  /** The timeline's clock when it jumps (replay): pacing waits use up the invocation's time too. */
  readonly eventClock?: () => number;
}

const ROOT = path.resolve(import.meta.dirname, '../../..');

export const loadHandlerModule = async (fn: FunctionSpec): Promise<HandlerModule> =>
  (await import(
    pathToFileURL(path.join(ROOT, 'handlers', `${fn.handler.split('.')[0]}.ts`)).href
  )) as HandlerModule;

interface Container {
  busy: boolean;
  readonly handler: Handler | { readonly coldStartError: unknown };
  /** Outcomes the handler reports during the current invocation. */
  readonly reports: Map<string, RecordReport>;
}

/** What a local invocation's context says: the function, where it runs, and its time left. */
export interface ContextSpec {
  readonly functionName: string;
  readonly region: string;
  readonly account: string;
  readonly memoryMb: number;
  readonly requestId: string;
  readonly remainingMs: () => number;
}

/** A Lambda context as the runtime hands it to a handler. */
export const lambdaContextOf = (spec: ContextSpec): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: spec.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${spec.region}:${spec.account}:function:${spec.functionName}`,
  memoryLimitInMB: String(spec.memoryMb),
  awsRequestId: spec.requestId,
  logGroupName: `/aws/lambda/${spec.functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: spec.remainingMs,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const lambdaContext = (
  fn: FunctionSpec,
  region: string,
  account: string,
  options: ContainerOptions,
): Context => {
  const started = Date.now();
  const eventStart = options.eventClock?.() ?? 0;
  const used = (): number => Date.now() - started + ((options.eventClock?.() ?? 0) - eventStart);
  return lambdaContextOf({
    functionName: fn.logicalId,
    region,
    account,
    memoryMb: fn.memorySize,
    requestId: randomUUID(),
    remainingMs: () => Math.max(0, fn.timeout * 1000 - used()),
  });
};

/** Containers of every function and Region, created as invocations need them (one per concurrent invocation). */
export const createContainers = (options: ContainerOptions) => {
  const pools = new Map<string, Container[]>();
  const modules = new Map<string, Promise<HandlerModule>>();

  const acquire = async (fn: FunctionSpec, region: string): Promise<Container> => {
    const key = `${fn.logicalId}/${region}`;
    const pool = pools.get(key) ?? [];
    pools.set(key, pool);
    const free = pool.find((c) => !c.busy);
    if (free !== undefined) {
      free.busy = true;
      return free;
    }
    const load = modules.get(fn.logicalId) ?? loadHandlerModule(fn);
    modules.set(fn.logicalId, load);
    const module = await load;
    const reports = new Map<string, RecordReport>();
    const hooks: BatchHooks = {
      onRecord: (id, outcome) => {
        if (outcome.status === 'failed') reports.set(id, { ok: false, error: outcome.error });
        else if (outcome.status === 'skipped')
          reports.set(id, { ok: true, result: { skipped: outcome.reason } });
        else reports.set(id, { ok: true, result: outcome.result });
      },
    };
    let handler: Container['handler'];
    try {
      handler = module.createHandler(options.envFor(fn, region), options.clientOptions, hooks);
    } catch (coldStartError) {
      handler = { coldStartError };
    }
    const container: Container = { busy: true, handler, reports };
    pool.push(container);
    return container;
  };

  const call = async (fn: FunctionSpec, region: string, account: string, event: unknown) => {
    const container = await acquire(fn, region);
    container.reports.clear();
    try {
      if (typeof container.handler !== 'function') throw container.handler.coldStartError;
      const result = await container.handler(event, lambdaContext(fn, region, account, options));
      return { result, reports: new Map(container.reports) };
    } finally {
      container.busy = false;
    }
  };

  return {
    /** One SQS batch: each record's outcome, as the handler reported it (all failed if it threw). */
    invokeBatch: async (
      fn: FunctionSpec,
      region: string,
      account: string,
      records: readonly SQSRecord[],
    ): Promise<Map<string, RecordReport>> => {
      try {
        const { result, reports } = await call(fn, region, account, { Records: records });
        const failures =
          (result as { batchItemFailures?: { itemIdentifier: string }[] })?.batchItemFailures ?? [];
        for (const { itemIdentifier } of failures) {
          if (reports.get(itemIdentifier)?.ok !== false) {
            reports.set(itemIdentifier, { ok: false, error: new Error('reported in batchItemFailures') });
          }
        }
        return reports;
      } catch (error) {
        return new Map(records.map((r) => [r.messageId, { ok: false, error }]));
      }
    },
    /** One bare event (a function its rule invokes directly). */
    invokeEvent: async (
      fn: FunctionSpec,
      region: string,
      account: string,
      event: unknown,
    ): Promise<RecordReport> => {
      try {
        return { ok: true, result: (await call(fn, region, account, event)).result };
      } catch (error) {
        return { ok: false, error };
      }
    },
  };
};
