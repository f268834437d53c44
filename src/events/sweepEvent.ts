/**
 * The sweep's invocation from EventBridge Scheduler: `{"scheduledTime": "<aws.scheduler.scheduled-time>"}`,
 * the schedule's Input, which Scheduler fills with the time the schedule fired (whole seconds, UTC).
 * That time is the sweep's event time: its window is measured from it, and the findings it refreshes
 * carry it as UpdatedAt, so a retry of one invocation (same scheduled time) writes the same findings.
 */
import { MalformedEventError } from '../errors.ts';
import { MAX_CLOCK_SKEW_MS } from './envelope.ts';
import { asObject, isoTimeAt } from './fields.ts';

export interface SweepCommand {
  /** ISO-8601 UTC with milliseconds. */
  readonly scheduledTime: string;
}

/** `now` is the clock (epoch ms): a scheduled time more than 15 minutes after it is malformed. */
export const parseSweepEvent = (event: unknown, now: number = Date.now()): SweepCommand => {
  const object = asObject(event, 'event');
  const scheduledTime = isoTimeAt(object, 'scheduledTime', '');
  if (Date.parse(scheduledTime) > now + MAX_CLOCK_SKEW_MS) {
    throw new MalformedEventError(
      'scheduledTime',
      `is more than 15 minutes after the clock (${new Date(now).toISOString()})`,
    );
  }
  return { scheduledTime };
};
