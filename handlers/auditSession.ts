/** StartSession (CloudTrail via EventBridge) → auditSession → one Security Hub finding. */
import type { Context } from 'aws-lambda';
import { auditSession, type SessionEvaluation } from '../src/app/auditSession.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { createSessionAuditPorts, type SessionAuditPortsFor } from '../src/composition/sessionAudit.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { parseStartSessionEvent } from '../src/events/startSession.ts';
import { logger } from '../src/logger.ts';
import { type AuditEvent, auditHandler } from '../src/middleware.ts';

export interface AuditSessionDeps {
  readonly config: Config;
  readonly portsFor: SessionAuditPortsFor;
}

export type AuditSessionResult = SessionEvaluation | { readonly skipped: string };

export const makeHandler = (deps: AuditSessionDeps) =>
  auditHandler(async (event: AuditEvent, context: Context): Promise<AuditSessionResult> => {
    const intake = parseStartSessionEvent(event);
    if (!intake.inScope) {
      logger.info('event out of scope', { reason: intake.reason });
      return { skipped: intake.reason };
    }
    const { command } = intake;
    logger.appendKeys({
      eventId: command.eventId,
      eventName: 'StartSession',
      principal: command.principal.arn,
      sessionId: command.sessionId ?? '',
    });
    const evaluation = await auditSession(
      command,
      deps.portsFor(command.accountId, command.region, () => context.getRemainingTimeInMillis()),
      deps.config,
    );
    logger.info('session audited', { evaluation });
    return evaluation;
  });

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (
  env?: Readonly<Record<string, string | undefined>>,
  clientOptions?: ClientOptions,
) => {
  const config = loadConfig(env);
  return makeHandler({ config, portsFor: createSessionAuditPorts(config, clientOptions) });
};

export const handler = createHandler();
