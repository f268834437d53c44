/** Session document changes (CloudTrail via EventBridge and the function's queue, every Region) → documentChange → preferences, principal and active-session findings. */
import { type DocumentChangeEvaluation, documentChange } from '../src/app/documentChange.ts';
import { changePortsIn } from '../src/app/findingBatch.ts';
import { type ChangeAuditWiring, createChangeAuditPorts } from '../src/composition/changeAudit.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { type DocumentChangeCommand, parseDocumentChangeEvent } from '../src/events/documentChange.ts';
import { type BatchHooks, batchHandler, inEventTimeOrder } from '../src/middleware.ts';

export type DocumentChangeDeps = ChangeAuditWiring & { readonly config: Config };

export const makeHandler = (deps: DocumentChangeDeps, hooks?: BatchHooks) =>
  batchHandler<DocumentChangeCommand, DocumentChangeEvaluation>(
    {
      ...inEventTimeOrder<DocumentChangeCommand>(),
      done: 'document change evaluated',
      parse: parseDocumentChangeEvent,
      keys: (c) => ({ eventId: c.eventId, eventName: c.eventName, document: c.documentName }),
      run: (command, findings, remainingTimeMs) => {
        const reads = deps.portsFor(command.accountId, remainingTimeMs);
        return documentChange(command, changePortsIn(reads, findings, command.accountId), deps.config);
      },
      importerFor: deps.importerFor,
      uncompared: (e) => e.sessions?.withoutSessionFinding ?? [],
    },
    hooks,
  );

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions, hooks?: BatchHooks) => {
  const config = loadConfig(env);
  return makeHandler({ config, ...createChangeAuditPorts(config, clientOptions) }, hooks);
};

export const handler = createHandler();
