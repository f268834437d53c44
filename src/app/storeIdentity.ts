/**
 * Use case: an STS record with session tags arrived (from this Region or forwarded from the
 * Region that recorded it). Keep it in the state table by issued key and by role session, then
 * claim the sessions that were audited before it arrived, audit each again now that its tags are
 * known, and settle it. A failure leaves the claimed sessions to the retry of this record: a claim
 * is a lease, so none is lost and no two functions audit one at the same time.
 *
 * Or: a principal's SSMSessionRunAs changed. Keep the value with the change's event time, so a
 * session audited after the change is judged by the value of its own time.
 */
import { type IdentityRecord, runAsTagOf } from '../domain/identity.ts';
import type { IdentityCommand } from '../events/identityEvent.ts';
import { parseStartSessionEvent } from '../events/startSession.ts';
import {
  auditSession,
  reauditTime,
  type SessionAuditSettings,
  type SessionEvaluation,
} from './auditSession.ts';
import type { SessionAuditPorts } from './ports.ts';
import type { IdentityStore, TagHistory } from './statePorts.ts';

export interface IdentityPorts {
  readonly identities: IdentityStore;
  readonly tagHistory: TagHistory;
  /** A session audit's ports in an account and Region, writing into the batch's findings. */
  readonly sessionPortsFor: (accountId: string, region: string) => SessionAuditPorts;
}

export interface IdentityEvaluation {
  readonly check: 'identity';
  readonly eventId: string;
  readonly eventName: string;
  /** When STS issued the credentials (the record's eventTime). */
  readonly eventTime: string;
  /** Region whose CloudTrail recorded the call. */
  readonly recordedIn: string;
  readonly sessionArn: string;
  /** The role, or the IAM user that federated. */
  readonly issuer: string;
  readonly accessKeyId: string;
  /** The session tag keys kept. */
  readonly tagKeys: readonly string[];
  /** The SSMSessionRunAs session tag (blank kept: it overrides the role's tag); absent without one. */
  readonly runAsSessionTag?: string;
  /** The sessions that waited for this record, audited again. */
  readonly reaudited: readonly SessionEvaluation[];
}

export interface TagChangeEvaluation {
  readonly check: 'tag-history';
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly principal: string;
  /** SSMSessionRunAs after the change; null: removed (or the principal created without it, or deleted). */
  readonly value: string | null;
  readonly recorded: 'recorded' | 'duplicate' | 'ambiguous';
}

const storeRecord = async (
  record: IdentityRecord,
  ports: IdentityPorts,
  settings: SessionAuditSettings,
): Promise<IdentityEvaluation> => {
  await ports.identities.put(record);
  const runAs = runAsTagOf(record.tags);
  const reaudited: SessionEvaluation[] = [];
  // One after another: each re-audit writes its finding before its session is settled.
  for (const pending of await ports.identities.claimPending(record)) {
    const intake = parseStartSessionEvent(pending.event);
    if (intake.inScope) {
      const sessionPorts = ports.sessionPortsFor(pending.accountId, pending.region);
      const evaluation = await auditSession(intake.command, sessionPorts, settings, {
        auditedBy: 'identity',
        reaudit: { observedAt: reauditTime(intake.command.eventTime), updates: pending.reported === true },
      });
      reaudited.push(evaluation);
      // This record did not settle it after all: it waits on (its claim lapses) for the one that does.
      if (evaluation.sessionTagsPending) continue;
    }
    await ports.identities.settlePending(pending);
  }
  return {
    check: 'identity',
    eventId: record.eventId,
    eventName: record.eventName,
    eventTime: record.issuedAt,
    recordedIn: record.recordedIn,
    sessionArn: record.sessionArn,
    issuer: record.issuerArn,
    accessKeyId: record.accessKeyId,
    tagKeys: Object.keys(record.tags),
    ...(runAs === undefined ? {} : { runAsSessionTag: runAs.value }),
    reaudited,
  };
};

export const storeIdentity = async (
  command: IdentityCommand,
  ports: IdentityPorts,
  settings: SessionAuditSettings,
): Promise<IdentityEvaluation | TagChangeEvaluation> => {
  if (command.kind === 'sts-record') return storeRecord(command.record, ports, settings);
  const { change } = command;
  const recorded = await ports.tagHistory.record({
    principal: { accountId: change.accountId, kind: change.principal.kind, name: change.principal.name },
    eventTime: change.eventTime,
    eventId: change.eventId,
    value: change.runAsValue,
  });
  return {
    check: 'tag-history',
    eventId: change.eventId,
    eventName: change.eventName,
    eventTime: change.eventTime,
    principal: change.principal.arn,
    value: change.runAsValue,
    recorded,
  };
};
