/**
 * The queues a function sends to itself in a replay (a function's SendMessage, as the session
 * audit queues verifications): the environment variables the template sets to a queue's URL
 * (`!Ref <Queue>`, which only a deployment knows) point at the local endpoint, and the endpoint
 * hands each message to the event source mapping of that queue, visible after its delay. Each
 * message is tagged with the replayed event it follows from (the CloudTrail eventID it carries).
 */
import { isRecord } from '../../domain/json.ts';
import type { LocalAws } from '../services/server.ts';
import type { DeliveryPath } from './deliveryPath.ts';
import type { EventSourceMapping } from './eventSourceMapping.ts';
import type { FunctionSpec } from './template.ts';

/** What a follow-up message is tagged with: the event it follows from, and the function that reads it. */
export interface FollowUpTag {
  readonly index: number;
  readonly logicalId: string;
  readonly region: string;
  readonly duplicate: false;
  readonly followUp: true;
}

/** The queue URL each variable of `fn` set to `!Ref <Queue>` gets: the local endpoint's, in `account`. */
export const queueUrlsFor = (
  fn: FunctionSpec,
  paths: readonly DeliveryPath[],
  url: string,
  account: string,
): Record<string, string> => {
  const queues = new Set(paths.flatMap((p) => (p.queue === undefined ? [] : [p.queue.logicalId])));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    const ref = isRecord(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
    if (ref !== undefined && queues.has(ref)) out[name] = `${url}/${account}/${ref}`;
  }
  return out;
};

/** The CloudTrail eventID a message body names (`command.eventId`), if any. */
const eventIdOf = (body: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    const command = isRecord(parsed) ? parsed.command : undefined;
    return isRecord(command) && typeof command.eventId === 'string' ? command.eventId : undefined;
  } catch {
    return undefined;
  }
};

/** Registers every queue of `paths` on the local endpoint, delivering to `esm`. */
export const registerQueues = (
  local: LocalAws,
  esm: EventSourceMapping,
  paths: readonly DeliveryPath[],
  eventIndex: (eventId: string) => number,
): void => {
  const account = local.world.accountId;
  for (const { fn, queue } of paths) {
    if (queue === undefined) continue;
    local.queues.register(account, queue.logicalId, ({ body, delaySeconds, region }) => {
      const spec = {
        key: `${fn.logicalId}/${region}`,
        arn: `arn:aws:sqs:${region}:${account}:${queue.logicalId}`,
        region,
        mapping: queue.mapping,
      };
      const eventId = eventIdOf(body);
      const tag: FollowUpTag = {
        index: eventId === undefined ? -1 : eventIndex(eventId),
        logicalId: fn.logicalId,
        region,
        duplicate: false,
        followUp: true,
      };
      esm.delayed(spec, body, tag, delaySeconds);
    });
  }
};
