/** StartSession (CloudTrail via EventBridge and the function's queue) → auditSession → session findings, imported per batch. */
import { auditSession, type SessionEvaluation } from '../src/app/auditSession.ts';
import { sessionPortsIn } from '../src/app/findingBatch.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { createSessionAuditPorts, type SessionAuditWiring } from '../src/composition/sessionAudit.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { parseStartSessionEvent, type StartSessionCommand } from '../src/events/startSession.ts';
import { type BatchHooks, batchHandler } from '../src/middleware.ts';

export type AuditSessionDeps = SessionAuditWiring & { readonly config: Config };

export const makeHandler = (deps: AuditSessionDeps, hooks?: BatchHooks) =>
  batchHandler<StartSessionCommand, SessionEvaluation>(
    {
      done: 'session audited',
      parse: parseStartSessionEvent,
      parallelism: 10, // sessions audited at once: their reads share the caches and queue on the pacer
      keys: (c) => ({
        eventId: c.eventId,
        eventName: 'StartSession',
        principal: c.principal.arn,
        sessionId: c.sessionId ?? '',
      }),
      run: (command, findings, remainingTimeMs) => {
        const reads = deps.portsFor(command.accountId, command.region, remainingTimeMs);
        return auditSession(command, sessionPortsIn(reads, findings, command), deps.config);
      },
      importerFor: deps.importerFor,
    },
    hooks,
  );

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions, hooks?: BatchHooks) => {
  const config = loadConfig(env);
  return makeHandler({ config, ...createSessionAuditPorts(config, clientOptions) }, hooks);
};

export const handler = createHandler();
