/** STS records with session tags and SSMSessionRunAs changes (CloudTrail via EventBridge and the function's queue, from every Region that forwards them) → storeIdentity → the state table, re-audited session findings. */
import {
  type IdentityEvaluation,
  storeIdentity,
  type TagChangeEvaluation,
} from '../src/app/storeIdentity.ts';
import type { ClientOptions } from '../src/composition/clients.ts';
import { createIdentityPorts, type IdentityWiring } from '../src/composition/identity.ts';
import { type Config, type Env, loadConfig } from '../src/config.ts';
import { type IdentityCommand, parseIdentityEvent } from '../src/events/identityEvent.ts';
import { type BatchHooks, batchHandler } from '../src/middleware.ts';

export type IdentityDeps = IdentityWiring & { readonly config: Config };

export const makeHandler = (deps: IdentityDeps, hooks?: BatchHooks) =>
  batchHandler<IdentityCommand, IdentityEvaluation | TagChangeEvaluation>(
    {
      done: 'identity stored',
      parse: (event) => parseIdentityEvent(event),
      parallelism: 4, // records at once: their re-audits share the caches and queue on the pacer
      keys: (c) =>
        c.kind === 'sts-record'
          ? { eventId: c.record.eventId, eventName: c.record.eventName, session: c.record.sessionArn }
          : { eventId: c.change.eventId, eventName: c.change.eventName, principal: c.change.principal.arn },
      run: (command, findings, remainingTimeMs) =>
        storeIdentity(command, deps.portsFor(findings, remainingTimeMs), deps.config),
      importerFor: deps.importerFor,
    },
    hooks,
  );

/** Builds the handler from an environment (Lambda's by default, or replay's): bad config fails here, at cold start. */
export const createHandler = (env?: Env, clientOptions?: ClientOptions, hooks?: BatchHooks) => {
  const config = loadConfig(env);
  return makeHandler({ config, ...createIdentityPorts(config, clientOptions) }, hooks);
};

export const handler = createHandler();
