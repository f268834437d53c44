/** A queued session verification (sent by the session audit, delayed) → verifySession → the session finding, re-imported with its session log. */
import { type VerificationRequest, verificationIntake } from '../src/app/verificationRequest.ts';
import { type VerificationEvaluation, verifySession } from '../src/app/verifySession.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { createVerificationPorts, type VerificationWiring } from '../src/composition/sessionVerification.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { type BatchHooks, batchHandler } from '../src/middleware.ts';

export type VerifySessionDeps = VerificationWiring & { readonly config: Config };

export const makeHandler = (deps: VerifySessionDeps, hooks?: BatchHooks) =>
  batchHandler<VerificationRequest, VerificationEvaluation>(
    {
      done: 'session log read',
      parse: verificationIntake,
      parallelism: 10, // sessions read at once: their GetLogEvents calls queue on the pacer
      keys: (r) => ({
        eventId: r.command.eventId,
        eventName: 'StartSession',
        sessionId: r.command.sessionId,
      }),
      run: (request, findings, remainingTimeMs) => {
        const { accountId, region } = request.command;
        const reads = deps.portsFor(accountId, region, remainingTimeMs);
        const sink = findings.sinkFor({ accountId, region });
        return verifySession(request, { ...reads, findings: sink }, deps.config);
      },
      importerFor: deps.importerFor,
    },
    hooks,
  );

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions, hooks?: BatchHooks) => {
  const config = loadConfig(env);
  return makeHandler({ config, ...createVerificationPorts(config, clientOptions) }, hooks);
};

export const handler = createHandler();
