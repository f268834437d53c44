/** IAM user/role changes (CloudTrail via EventBridge and the function's queue, us-east-1 only) → principalChange → principal findings in every audited Region. */
import { changePortsIn } from '../src/app/findingBatch.ts';
import { type PrincipalChangeEvaluation, principalChange } from '../src/app/principalChange.ts';
import { type ChangeAuditWiring, createChangeAuditPorts } from '../src/composition/changeAudit.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { type PrincipalChangeCommand, parsePrincipalChangeEvent } from '../src/events/principalChange.ts';
import { type BatchHooks, batchHandler, inEventTimeOrder } from '../src/middleware.ts';

export type PrincipalChangeDeps = ChangeAuditWiring & { readonly config: Config };

export const makeHandler = (deps: PrincipalChangeDeps, hooks?: BatchHooks) =>
  batchHandler<PrincipalChangeCommand, PrincipalChangeEvaluation>(
    {
      ...inEventTimeOrder<PrincipalChangeCommand>(),
      done: 'principal change evaluated',
      parse: parsePrincipalChangeEvent,
      keys: (c) => ({ eventId: c.eventId, eventName: c.eventName, principal: c.principal.arn }),
      run: (command, findings, remainingTimeMs) => {
        const reads = deps.portsFor(command.accountId, remainingTimeMs);
        return principalChange(command, changePortsIn(reads, findings, command.accountId), deps.config);
      },
      importerFor: deps.importerFor,
      uncompared: (e) => e.regions.flatMap((r) => r.sessions?.withoutSessionFinding ?? []),
    },
    hooks,
  );

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions, hooks?: BatchHooks) => {
  const config = loadConfig(env);
  return makeHandler({ config, ...createChangeAuditPorts(config, clientOptions) }, hooks);
};

export const handler = createHandler();
