/**
 * What the identity function receives: STS records that issue credentials with session tags, and
 * the IAM changes of a principal's SSMSessionRunAs tag (IAM events arrive in us-east-1 only, and
 * are forwarded from there to every audited Region, whose tag history they keep). Anything else is
 * out of scope; anything malformed throws MalformedEventError naming the field.
 */
import type { IdentityRecord } from '../domain/identity.ts';
import { isRecord } from '../domain/json.ts';
import { type Intake, inScope, outOfScope } from './intake.ts';
import { IAM_SOURCE, type PrincipalChangeCommand, parsePrincipalChangeEvent } from './principalChange.ts';
import { parseStsRecord } from './stsRecord.ts';

export type IdentityCommand =
  | { readonly kind: 'sts-record'; readonly record: IdentityRecord }
  | {
      readonly kind: 'tag-change';
      readonly change: PrincipalChangeCommand & { readonly runAsValue: string | null };
    };

export const parseIdentityEvent = (event: unknown, now: number = Date.now()): Intake<IdentityCommand> => {
  if (isRecord(event) && event.source === IAM_SOURCE.source) {
    const intake = parsePrincipalChangeEvent(event, now);
    if (!intake.inScope) return intake;
    const change = intake.command;
    if (change.runAsValue === undefined)
      return outOfScope(`${change.eventName} does not change SSMSessionRunAs`);
    return inScope({ kind: 'tag-change', change: { ...change, runAsValue: change.runAsValue } });
  }
  const intake = parseStsRecord(event, now);
  return intake.inScope ? inScope({ kind: 'sts-record', record: intake.command }) : intake;
};
