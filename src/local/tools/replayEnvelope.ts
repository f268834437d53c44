/**
 * What replay reads from an event's envelope before any function sees it: its fields, whether its
 * Region and account can be real, and when EventBridge would deliver it.
 */
import { isRegion } from '../../domain/identifiers.ts';
import type { ReplayEvent } from './eventInput.ts';

export const field = (event: unknown, key: string): unknown =>
  typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;

/** Why an envelope's Region or account cannot be a real one (absent ones are the handler's to judge). */
export const envelopeProblem = (event: unknown): string | undefined => {
  const region = field(event, 'region');
  if (region !== undefined && (typeof region !== 'string' || !isRegion(region)))
    return `region ${JSON.stringify(region)} is not an AWS Region: no stack can receive this event`;
  const account = field(event, 'account');
  if (account !== undefined && (typeof account !== 'string' || !/^\d{12}$/.test(account)))
    return `account ${JSON.stringify(account)} is not a 12-digit AWS account id`;
  return undefined;
};

/** When EventBridge would deliver the event: its time, or with the one before it when that is later (a late delivery). */
export const arrivalTimes = (events: readonly ReplayEvent[]): number[] => {
  let previous = Number.NEGATIVE_INFINITY;
  return events.map(({ event }) => {
    const detail = field(event, 'detail');
    const stamp = Date.parse(String(field(event, 'time') ?? field(detail, 'eventTime') ?? ''));
    previous = Number.isNaN(stamp) ? previous : Math.max(previous, stamp);
    return previous;
  });
};
