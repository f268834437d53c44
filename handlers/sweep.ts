/** EventBridge Scheduler (hourly) → runSweep per swept account: StartSessions no function audited, and posture findings about to expire. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ClientOptions } from '../src/composition/clients.ts';
import {
  createSweepPorts,
  type SweepPortsFor,
  sweepAccounts,
  sweepPlacement,
} from '../src/composition/sweep.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { parseSweepEvent } from '../src/events/sweepEvent.ts';
import { logger } from '../src/logger.ts';
import { logAndRethrow } from '../src/middleware.ts';

export type SweepDeps = { readonly config: Config; readonly portsFor: SweepPortsFor };

export const makeHandler = (deps: SweepDeps) =>
  middy(async (event: unknown, context: Context) => {
    const { scheduledTime } = parseSweepEvent(event);
    const remainingTimeMs = () => context.getRemainingTimeInMillis();
    const placement = sweepPlacement(context.invokedFunctionArn, deps.config.region);
    const input = { ...placement, scheduledTime, now: Date.now(), remainingTimeMs };
    return sweepAccounts(input, deps.portsFor, deps.config);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logAndRethrow());

/** Builds the handler from an environment (Lambda's, or a local run's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions) => {
  const config = loadConfig(env);
  return makeHandler({ config, portsFor: createSweepPorts(config, clientOptions) });
};

export const handler = createHandler();
