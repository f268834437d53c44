/** IAM user/role changes (CloudTrail via EventBridge, us-east-1 only) → principalChange → principal findings in every audited Region. */
import type { Context } from 'aws-lambda';
import { type PrincipalChangeEvaluation, principalChange } from '../src/app/principalChange.ts';
import { type ChangeAuditPortsFor, createChangeAuditPorts } from '../src/composition/changeAudit.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { parsePrincipalChangeEvent } from '../src/events/principalChange.ts';
import { logger } from '../src/logger.ts';
import { type AuditEvent, auditHandler } from '../src/middleware.ts';

export interface PrincipalChangeDeps {
  readonly config: Config;
  readonly portsFor: ChangeAuditPortsFor;
}

export type PrincipalChangeResult = PrincipalChangeEvaluation | { readonly skipped: string };

export const makeHandler = (deps: PrincipalChangeDeps) =>
  auditHandler(async (event: AuditEvent, _context: Context): Promise<PrincipalChangeResult> => {
    const intake = parsePrincipalChangeEvent(event);
    if (!intake.inScope) {
      logger.info('event out of scope', { reason: intake.reason });
      return { skipped: intake.reason };
    }
    const { command } = intake;
    logger.appendKeys({
      eventId: command.eventId,
      eventName: command.eventName,
      principal: command.principal.arn,
    });
    const evaluation = await principalChange(command, deps.portsFor(command.accountId), deps.config);
    if (evaluation.sessionsWithoutFinding > 0) {
      logger.warn('open sessions without a session finding could not be compared', {
        sessionsWithoutFinding: evaluation.sessionsWithoutFinding,
        sessions: evaluation.regions.flatMap((r) => r.sessions?.withoutSessionFinding ?? []),
      });
    }
    logger.info('principal change evaluated', { evaluation });
    return evaluation;
  });

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (
  env?: Readonly<Record<string, string | undefined>>,
  clientOptions?: ClientOptions,
) => {
  const config = loadConfig(env);
  return makeHandler({ config, portsFor: createChangeAuditPorts(config, clientOptions) });
};

export const handler = createHandler();
