/**
 * Use case: an IAM user or role changed (tags, created, deleted). For each audited Region,
 * recompute what a shell session of that principal would get under the Region's preferences,
 * write or update the principal finding, then compare the principal's open sessions with the new
 * mapping. The principal's state is read now, not taken from the event: a duplicate or late event
 * then writes the same result, and a finding already updated at or after the event is left alone.
 */
import { assumedRolePrefix } from '../domain/arn.ts';
import type { Known, Principal } from '../domain/facts.ts';
import type { Partition } from '../domain/identifiers.ts';
import type { PrincipalChangeCommand as PrincipalEventCommand } from '../events/principalChange.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { type ChangeContext, changeOf } from '../findings/changeFinding.ts';
import { findingId } from '../findings/findingId.ts';
import { buildPrincipalFinding } from '../findings/principalFinding.ts';
import { fieldFilter, readFields } from '../findings/productFields.ts';
import type { Placement } from '../findings/resources.ts';
import { type ChangeReads, createChangeReads } from './changeReads.ts';
import { createFleetPrecheck, type FleetSummary } from './fleetPrecheck.ts';
import type {
  ActiveSessions,
  ChangeAuditPorts,
  OpenSession,
  RegionChangePorts,
  StoredFinding,
} from './ports.ts';
import {
  archivedResult,
  type ChangeSettings,
  createdAtOf,
  decisionResult,
  isNewerThan,
  liveFinding,
  NEWER_FINDING,
  type PostureResult,
  PRINCIPAL_GENERATOR,
  postureAction,
  skippedResult,
} from './postureResult.ts';
import { principalFromArn } from './principalFromArn.ts';
import { judgePrincipal, livePrincipalFinding } from './principalPosture.ts';
import { type OpenSessionsReview, reviewOpenSessions } from './reviewOpenSessions.ts';

/**
 * An IAM change event's command, or a review of the principal that no event asked for (the audit
 * command's posture, the sweep's refresh), named by its own event name.
 */
export type PrincipalChangeCommand = Omit<PrincipalEventCommand, 'eventName'> & {
  readonly eventName: string;
};

export interface PrincipalRegionResult extends PostureResult {
  readonly region: string;
  /** Null when open sessions were not looked at (principal gone, change skipped). */
  readonly sessions: OpenSessionsReview | null;
  /** The fleet pre-check of the mapped user (absent when the posture was not computed). */
  readonly fleet?: FleetSummary;
}

export interface PrincipalChangeEvaluation {
  readonly check: 'principal';
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  /** The principal's ARN as IAM has it now (with its path), or as the event built it. */
  readonly principal: string;
  readonly principalType: 'user' | 'role';
  readonly runAsTagInvolved: boolean;
  /** false: deleted; null: IAM could not say (the event's ARN was used). */
  readonly principalExists: boolean | null;
  readonly regions: readonly PrincipalRegionResult[];
  /** Open sessions without a session finding, over all Regions: they could not be compared. */
  readonly sessionsWithoutFinding: number;
}

/**
 * Sessions a principal opened. A user's sessions are owned by its ARN (an exact Owner filter); a
 * role's by assumed-role session ARNs, which have no filter: all are listed and matched by prefix.
 */
const sessionsOf = async (
  sessions: ActiveSessions,
  principal: Principal,
  partition: Partition,
): Promise<readonly OpenSession[]> => {
  if (principal.kind === 'user') return sessions.openSessions({ owner: principal.arn });
  const prefix = assumedRolePrefix(partition, principal.accountId, principal.name);
  return (await sessions.openSessions()).filter((session) => session.owner.startsWith(prefix));
};

/** The principal findings of a user or role by type and name (IAM names are case-insensitive): the path is not needed. */
const findingsByName = async (
  ports: RegionChangePorts,
  command: PrincipalChangeCommand,
): Promise<readonly StoredFinding[]> => {
  const { kind, name } = command.principal;
  const stored = await ports.findingReader.activeFindings({
    generatorId: PRINCIPAL_GENERATOR,
    productFields: fieldFilter({ principalType: kind }),
  });
  return stored.filter(
    (f) => (readFields(f.ProductFields).principalName ?? '').toLowerCase() === name.toLowerCase(),
  );
};

interface RegionRun {
  readonly result: PrincipalRegionResult;
  readonly terminationFailure?: unknown;
}

const regionResult = (region: string, result: PostureResult): RegionRun => ({
  result: { region, ...result, sessions: null },
});

const archiveInRegion = async (
  command: PrincipalChangeCommand,
  placement: Placement,
  change: ChangeContext,
  ports: RegionChangePorts,
): Promise<RegionRun> => {
  // The ARN's path is unknown once the principal is gone: its findings are found by type and name.
  const stored = (await findingsByName(ports, command)).filter((f) => !isNewerThan(f, change.eventTime));
  if (stored.length === 0)
    return regionResult(
      placement.region,
      skippedResult('principal deleted; no principal finding to archive'),
    );
  const findings = stored.map((f) =>
    buildPrincipalFinding({
      ...placement,
      principal: principalFromArn(
        readFields(f.ProductFields).principal ?? command.principal.arn,
        placement.accountId,
      ),
      posture: { exists: false },
      change,
      ...createdAtOf(f),
    }),
  );
  await ports.findings.importFindings(findings);
  return regionResult(
    placement.region,
    archivedResult(
      findings.map((f) => f.Id),
      'principal deleted',
    ),
  );
};

const evaluateInRegion = async (
  command: PrincipalChangeCommand,
  principal: Principal,
  placement: Placement,
  change: ChangeContext,
  ports: RegionChangePorts,
  reads: ChangeReads,
  settings: ChangeSettings,
): Promise<RegionRun> => {
  const { region } = placement;
  const id = findingId(placement.accountId, region, 'principal', principal.arn);
  const stored = (await ports.findingReader.findingsByIds([id])).get(id);
  if (isNewerThan(stored, change.eventTime)) return regionResult(region, skippedResult(NEWER_FINDING));
  const existing = liveFinding(stored);
  if (!command.runAsTagInvolved && existing === undefined) {
    return regionResult(
      region,
      skippedResult(
        `${command.eventName} did not involve the SSMSessionRunAs tag and there is no principal finding`,
      ),
    );
  }

  const judged = await judgePrincipal(
    principal,
    region,
    reads,
    createFleetPrecheck(ports.fleetUsers, change.eventTime),
    settings.deniedRunAsUsers,
  );
  const { decision, summary } = judged;
  const { write, action, reason } = postureAction(decision, existing);
  const findings: AsffFinding[] = write
    ? [livePrincipalFinding({ placement, change }, principal, judged, existing)]
    : [];
  const review = await reviewOpenSessions(
    { placement, change, sessions: await sessionsOf(ports.sessions, principal, placement.partition) },
    { reads, findingReader: ports.findingReader, sessions: ports.sessions },
    settings,
  );
  findings.push(...review.findings);
  if (findings.length > 0) await ports.findings.importFindings(findings);
  return {
    result: {
      region,
      ...decisionResult(decision, action, reason, write ? [id] : []),
      sessions: review.review,
      fleet: summary,
    },
    ...(review.terminationFailure === undefined ? {} : { terminationFailure: review.terminationFailure }),
  };
};

/**
 * The principal as IAM has it now. When IAM cannot say (GetRole denied) and the event does not
 * name the path, an existing finding's ARN is used: a path-less ARN would be a second finding.
 */
const currentPrincipal = async (
  command: PrincipalChangeCommand,
  ports: ChangeAuditPorts,
  settings: ChangeSettings,
): Promise<{ principal: Principal; exists: boolean | null }> => {
  const current: Known<Principal | null> = await ports.principals.principalOf(
    command.principal.kind,
    command.principal.name,
  );
  if (current.known) return { principal: current.value ?? command.principal, exists: current.value !== null };
  if (!command.pathKnown) {
    for (const region of settings.auditedRegions) {
      const [stored] = await findingsByName(ports.inRegion(region), command);
      const arn = stored === undefined ? undefined : readFields(stored.ProductFields).principal;
      if (arn !== undefined) return { principal: principalFromArn(arn, command.accountId), exists: null };
    }
  }
  return { principal: command.principal, exists: null };
};

export const principalChange = async (
  command: PrincipalChangeCommand,
  ports: ChangeAuditPorts,
  settings: ChangeSettings,
): Promise<PrincipalChangeEvaluation> => {
  const reads = createChangeReads(ports, settings.sessionDocumentVersion);
  const change = changeOf(command);
  // IAM now, not the event, decides whether the principal exists and what its ARN is: tag and
  // delete events carry no path, and a late event must not resurrect or archive the wrong state.
  const { principal, exists } = await currentPrincipal(command, ports, settings);

  const results: PrincipalRegionResult[] = [];
  let terminationFailure: unknown;
  // One Region after another: each writes to its own Security Hub, within its rate.
  for (const region of settings.auditedRegions) {
    const placement: Placement = { partition: command.partition, region, accountId: command.accountId };
    const regionPorts = ports.inRegion(region);
    const run =
      exists === false
        ? await archiveInRegion(command, placement, change, regionPorts)
        : await evaluateInRegion(command, principal, placement, change, regionPorts, reads, settings);
    results.push(run.result);
    terminationFailure ??= run.terminationFailure;
  }
  // Every finding is written first, so a failed termination is recorded before the change is retried.
  if (terminationFailure !== undefined) throw terminationFailure;

  return {
    check: 'principal',
    eventId: command.eventId,
    eventTime: command.eventTime,
    eventName: command.eventName,
    principal: principal.arn,
    principalType: command.principal.kind,
    runAsTagInvolved: command.runAsTagInvolved,
    principalExists: exists,
    regions: results,
    sessionsWithoutFinding: results.reduce(
      (sum, r) => sum + (r.sessions?.withoutSessionFinding.length ?? 0),
      0,
    ),
  };
};
