/** Session document changes (CloudTrail via EventBridge, every Region) → documentChange → preferences, principal and active-session findings. */
import type { Context } from 'aws-lambda';
import { type DocumentChangeEvaluation, documentChange } from '../src/app/documentChange.ts';
import { type ChangeAuditPortsFor, createChangeAuditPorts } from '../src/composition/changeAudit.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { parseDocumentChangeEvent } from '../src/events/documentChange.ts';
import { logger } from '../src/logger.ts';
import { type AuditEvent, auditHandler } from '../src/middleware.ts';

export interface DocumentChangeDeps {
  readonly config: Config;
  readonly portsFor: ChangeAuditPortsFor;
}

export type DocumentChangeResult = DocumentChangeEvaluation | { readonly skipped: string };

export const makeHandler = (deps: DocumentChangeDeps) =>
  auditHandler(async (event: AuditEvent, _context: Context): Promise<DocumentChangeResult> => {
    const intake = parseDocumentChangeEvent(event);
    if (!intake.inScope) {
      logger.info('event out of scope', { reason: intake.reason });
      return { skipped: intake.reason };
    }
    const { command } = intake;
    logger.appendKeys({
      eventId: command.eventId,
      eventName: command.eventName,
      document: command.documentName,
    });
    const evaluation = await documentChange(command, deps.portsFor(command.accountId), deps.config);
    if (evaluation.sessionsWithoutFinding > 0) {
      logger.warn('open sessions without a session finding could not be compared', {
        sessionsWithoutFinding: evaluation.sessionsWithoutFinding,
        sessions: evaluation.sessions?.withoutSessionFinding ?? [],
      });
    }
    logger.info('document change evaluated', { evaluation });
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
