/**
 * Use case: an IAM user or role changed (tags, created, deleted). For each audited Region,
 * recompute what a shell session of that principal would get under the Region's preferences,
 * write or update the principal finding, then compare the principal's open sessions with the new
 * mapping (issue 4 §1, §3, §4). The principal's state is read now, not taken from the event: a
 * duplicate or late event then writes the same result, and Security Hub keeps the newest
 * UpdatedAt (the event time).
 */
import type { Known, Principal } from '../domain/facts.ts';
import { ratingOf } from '../domain/outcome.ts';
import { decidePrincipalPosture } from '../domain/runAs.ts';
import type { Partition } from '../events/partition.ts';
import type { PrincipalChangeCommand } from '../events/principalChange.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { findingId } from '../findings/findingId.ts';
import { buildPrincipalFinding, type ChangeContext, type Placement } from '../findings/postureFinding.ts';
import { type ChangeReads, createChangeReads, preferencesOf } from './changeReads.ts';
import { createFleetPrecheck, type FleetSummary } from './fleetPrecheck.ts';
import type { ActiveSessions, ChangeAuditPorts, OpenSession, RegionChangePorts } from './ports.ts';
import {
  type ChangeSettings,
  createdAtOf,
  decisionResult,
  liveFinding,
  type PostureResult,
  PRINCIPAL_GENERATOR,
  postureAction,
  skippedResult,
} from './postureResult.ts';
import { principalFromArn } from './principalFromArn.ts';
import { type OpenSessionsReview, reviewOpenSessions } from './reviewOpenSessions.ts';

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
  const prefix = `arn:${partition}:sts::${principal.accountId}:assumed-role/${principal.name}/`;
  return (await sessions.openSessions()).filter((session) => session.owner.startsWith(prefix));
};

interface RegionRun {
  readonly result: PrincipalRegionResult;
  readonly terminationFailure?: unknown;
}

const archiveInRegion = async (
  command: PrincipalChangeCommand,
  placement: Placement,
  change: ChangeContext,
  ports: RegionChangePorts,
): Promise<RegionRun> => {
  const { kind, name } = command.principal;
  // The ARN's path is unknown once the principal is gone: its findings are found by type and
  // name (IAM names are case-insensitive).
  const stored = (
    await ports.findingReader.activeFindings({
      generatorId: PRINCIPAL_GENERATOR,
      productFields: { 'RunAs/PrincipalType': kind },
    })
  ).filter((f) => (f.ProductFields['RunAs/PrincipalName'] ?? '').toLowerCase() === name.toLowerCase());
  if (stored.length === 0) {
    return {
      result: {
        region: placement.region,
        ...skippedResult('principal deleted; no principal finding to archive'),
        sessions: null,
      },
    };
  }
  const findings = stored.map((f) =>
    buildPrincipalFinding({
      ...placement,
      principal: principalFromArn(
        f.ProductFields['RunAs/Principal'] ?? command.principal.arn,
        placement.accountId,
      ),
      posture: { exists: false },
      change,
      ...createdAtOf(f),
    }),
  );
  await ports.findings.importFindings(findings);
  return {
    result: {
      region: placement.region,
      action: 'archived',
      reason: 'principal deleted',
      outcome: 'NOT_APPLICABLE',
      severity: ratingOf('NOT_APPLICABLE').severity,
      expectedUser: '',
      findingIds: findings.map((f) => f.Id),
      sessions: null,
    },
  };
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
  const existing = liveFinding((await ports.findingReader.findingsByIds([id])).get(id));
  if (!command.runAsTagInvolved && existing === undefined) {
    return {
      result: {
        region,
        ...skippedResult(
          `${command.eventName} did not involve the SSMSessionRunAs tag and there is no principal finding`,
        ),
        sessions: null,
      },
    };
  }

  const [principalTags, preferences] = await Promise.all([
    reads.tagsOf(principal),
    preferencesOf(reads, region),
  ]);
  // The user a compliant mapping names must also exist on the Region's nodes (issue 5 §3).
  const { decision, fleet, summary } = await createFleetPrecheck(
    ports.fleetUsers,
    change.eventTime,
  )(
    decidePrincipalPosture({
      preferences,
      principal,
      principalTags,
      deniedUsers: settings.deniedRunAsUsers,
    }),
  );
  const { write, action, reason } = postureAction(decision, existing);
  const findings: AsffFinding[] = [];
  if (write) {
    findings.push(
      buildPrincipalFinding({
        ...placement,
        principal,
        posture: { exists: true, decision, ...(fleet === undefined ? {} : { fleet }) },
        change,
        ...createdAtOf(existing),
      }),
    );
  }

  const review = await reviewOpenSessions(
    {
      placement,
      change,
      sessions: await sessionsOf(ports.sessions, principal, placement.partition),
      preferences,
    },
    {
      documentOf: (name) => reads.sessionDocumentOf(region, name),
      tagsOf: reads.tagsOf,
      findingReader: ports.findingReader,
      sessions: ports.sessions,
    },
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

export const principalChange = async (
  command: PrincipalChangeCommand,
  ports: ChangeAuditPorts,
  settings: ChangeSettings,
): Promise<PrincipalChangeEvaluation> => {
  const reads = createChangeReads(ports);
  const change: ChangeContext = {
    eventId: command.eventId,
    eventName: command.eventName,
    eventTime: command.eventTime,
  };
  // IAM now, not the event, decides whether the principal exists and what its ARN is: tag and
  // delete events carry no path, and a late event must not resurrect or archive the wrong state.
  const current: Known<Principal | null> = await ports.principals.principalOf(
    command.principal.kind,
    command.principal.name,
  );
  const exists = current.known ? current.value !== null : null;
  const principal = current.known && current.value !== null ? current.value : command.principal;

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
  // Every finding is written first, so a failed termination is recorded before Lambda retries.
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
