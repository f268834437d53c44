/**
 * Use case: a Session document changed in a Region (created, updated, default version moved,
 * deleted). Re-read it at the version sessions run (and the other version, to say when it
 * differs), write its preferences finding, and when it is the Region's SSM-SessionManagerRunShell
 * re-evaluate every ACTIVE principal finding of the Region, whose fallback it is. Then compare
 * open sessions using it with the new settings. The document is read now, not taken from the
 * event, so duplicate and late events write the same result; a finding already updated at or
 * after the event is left alone.
 */
import { documentNameOf } from '../domain/arn.ts';
import type { Decision } from '../domain/decision.ts';
import { type DocumentRead, type Known, known } from '../domain/facts.ts';
import { decidePreferencesPosture } from '../domain/posture.ts';
import { PREFERENCES_DOCUMENT } from '../domain/sessionManager.ts';
import type { DocumentChangeCommand as DocumentEventCommand } from '../events/documentChange.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { type ChangeContext, changeOf, livePosture, type Posture } from '../findings/changeFinding.ts';
import { findingId } from '../findings/findingId.ts';
import { buildPreferencesFinding } from '../findings/preferencesFinding.ts';
import { readFields } from '../findings/productFields.ts';
import type { Placement } from '../findings/resources.ts';
import { type ChangeReads, createChangeReads } from './changeReads.ts';
import { createFleetPrecheck, type FleetPrecheck, type FleetSummary } from './fleetPrecheck.ts';
import type { ChangeAuditPorts, RegionChangePorts, StoredFinding } from './ports.ts';
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

/** A document change event's command, or a review no event asked for (posture, refresh), by its own event name. */
export type DocumentChangeCommand = Omit<DocumentEventCommand, 'eventName'> & { readonly eventName: string };

export interface DocumentChangeEvaluation extends PostureResult {
  readonly check: 'preferences';
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly region: string;
  readonly document: string;
  /** The version judged (what SESSION_DOCUMENT_VERSION says sessions run; '' when unknown or absent). */
  readonly documentVersion: string;
  /** The other version, when its Run As settings differ ('' otherwise). */
  readonly otherVersion: string;
  /** ACTIVE principal findings of the Region re-evaluated (SSM-SessionManagerRunShell only). */
  readonly principalFindingsReevaluated: number;
  /** Null when open sessions were not looked at (document deleted, not a Session document). */
  readonly sessions: OpenSessionsReview | null;
  /** Open sessions without a session finding: they could not be compared. */
  readonly sessionsWithoutFinding: number;
  /** The fleet pre-check of the document's default user (absent when the posture was not computed). */
  readonly fleet?: FleetSummary;
}

interface Context {
  readonly command: DocumentChangeCommand;
  readonly placement: Placement;
  readonly change: ChangeContext;
  readonly ports: RegionChangePorts;
  readonly reads: ChangeReads;
  readonly settings: ChangeSettings;
  readonly precheck: FleetPrecheck;
}

interface Judged {
  readonly result: PostureResult;
  readonly findings: readonly AsffFinding[];
  readonly decision?: Decision;
  /** Whether the document can still be used: principals and open sessions are then re-compared. */
  readonly reviewSessions: boolean;
  readonly fleet?: FleetSummary;
}

const typeOf = (read: Known<DocumentRead | null>): string =>
  read.known && read.value !== null ? read.value.documentType : '';

const preferencesFinding = (context: Context, posture: Posture, existing: StoredFinding | undefined) =>
  buildPreferencesFinding({
    ...context.placement,
    documentName: context.command.documentName,
    posture,
    change: context.change,
    ...createdAtOf(existing),
  });

/** The preferences finding of the changed document. */
const judgeDocument = async (context: Context, existing: StoredFinding | undefined): Promise<Judged> => {
  const { command, placement, reads, settings } = context;
  const { documentName, region } = command;
  const id = findingId(placement.accountId, region, 'preferences', documentName);
  const versions = await reads.versionsOf(region, documentName);
  const gone = versions.judged.known && versions.judged.value === null;
  // A deleted SSM-SessionManagerRunShell means Session Manager's built-in defaults (Run As off),
  // which the decision handles; any other deleted document only archives its finding.
  if (gone && documentName !== PREFERENCES_DOCUMENT) {
    if (existing === undefined)
      return {
        result: skippedResult('document deleted; no preferences finding to archive'),
        findings: [],
        reviewSessions: false,
      };
    const finding = preferencesFinding(context, { exists: false }, existing);
    return {
      result: archivedResult([finding.Id], 'document deleted'),
      findings: [finding],
      reviewSessions: false,
    };
  }
  const type = typeOf(versions.judged);
  if (type !== '' && type !== 'Session') {
    return {
      result: skippedResult(`document ${documentName} is a ${type} document, not a Session document`),
      findings: [],
      reviewSessions: false,
    };
  }
  const posture = decidePreferencesPosture({
    documentName,
    document: gone ? known(null) : versions.judged,
    ...(gone ? {} : { otherVersion: versions.other }),
    judgedVersion: reads.judgedVersion,
    deniedUsers: settings.deniedRunAsUsers,
  });
  // The default user a compliant document names must also exist on the Region's nodes.
  const judged = await context.precheck(posture);
  const { decision, summary } = judged;
  const action = postureAction(decision, existing);
  // Another version with other settings is worth saying even when the judged one is fine.
  const write = action.write || decision.otherVersion !== undefined;
  const findings = write ? [preferencesFinding(context, livePosture(judged), existing)] : [];
  const reason =
    action.write || !write ? action.reason : `${decision.outcome}; ${decision.otherVersion?.label} differs`;
  return {
    result: decisionResult(
      decision,
      action.write ? action.action : write ? 'written' : action.action,
      reason,
      write ? [id] : [],
    ),
    findings,
    decision,
    // An unreadable document teaches nothing about principals or sessions: they are left as they are.
    reviewSessions: versions.judged.known,
    fleet: summary,
  };
};

/** Every ACTIVE principal finding of the Region, re-decided against the new preferences. */
const reevaluatePrincipals = async (context: Context): Promise<AsffFinding[]> => {
  const { placement, change, ports, reads, settings } = context;
  const stored = await ports.findingReader.activeFindings({ generatorId: PRINCIPAL_GENERATOR });
  const findings: AsffFinding[] = [];
  for (const finding of stored) {
    const arn = readFields(finding.ProductFields).principal;
    if (arn === undefined || isNewerThan(finding, change.eventTime)) continue;
    const principal = principalFromArn(arn, placement.accountId);
    // Only IAM users and roles get principal findings: anything else was not written by us.
    if (principal.kind !== 'user' && principal.kind !== 'role') continue;
    const judged = await judgePrincipal(
      principal,
      placement.region,
      reads,
      context.precheck,
      settings.deniedRunAsUsers,
    );
    findings.push(livePrincipalFinding(context, principal, judged, finding));
  }
  return findings;
};

export const documentChange = async (
  command: DocumentChangeCommand,
  ports: ChangeAuditPorts,
  settings: ChangeSettings,
): Promise<DocumentChangeEvaluation> => {
  const { region, documentName } = command;
  const placement: Placement = { partition: command.partition, region, accountId: command.accountId };
  const change = changeOf(command);
  const regionPorts = ports.inRegion(region);
  const context: Context = {
    command,
    placement,
    change,
    ports: regionPorts,
    reads: createChangeReads(ports, settings.sessionDocumentVersion),
    settings,
    // One pre-check per change: the document's default user and every re-evaluated principal share it.
    precheck: createFleetPrecheck(regionPorts.fleetUsers, command.eventTime),
  };
  const id = findingId(placement.accountId, region, 'preferences', documentName);
  const stored = (await regionPorts.findingReader.findingsByIds([id])).get(id);
  const judged = isNewerThan(stored, command.eventTime)
    ? ({ result: skippedResult(NEWER_FINDING), findings: [], reviewSessions: false } satisfies Judged)
    : await judgeDocument(context, liveFinding(stored));

  const findings: AsffFinding[] = [...judged.findings];
  let principalFindingsReevaluated = 0;
  let review: OpenSessionsReview | null = null;
  let terminationFailure: unknown;
  if (judged.reviewSessions) {
    if (documentName === PREFERENCES_DOCUMENT) {
      const reevaluated = await reevaluatePrincipals(context);
      principalFindingsReevaluated = reevaluated.length;
      findings.push(...reevaluated);
    }
    // Every shell falls back to the preferences; a custom document only affects its own sessions.
    const open = await regionPorts.sessions.openSessions();
    const affected =
      documentName === PREFERENCES_DOCUMENT
        ? open
        : open.filter((s) => s.documentName !== undefined && documentNameOf(s.documentName) === documentName);
    const reviewed = await reviewOpenSessions(
      { placement, change, sessions: affected },
      { reads: context.reads, findingReader: regionPorts.findingReader, sessions: regionPorts.sessions },
      settings,
    );
    review = reviewed.review;
    findings.push(...reviewed.findings);
    terminationFailure = reviewed.terminationFailure;
  }
  if (findings.length > 0) await regionPorts.findings.importFindings(findings);
  // Every finding is written first, so a failed termination is recorded before the change is retried.
  if (terminationFailure !== undefined) throw terminationFailure;

  return {
    check: 'preferences',
    eventId: command.eventId,
    eventTime: command.eventTime,
    eventName: command.eventName,
    region,
    document: documentName,
    ...judged.result,
    documentVersion: judged.decision?.documentVersion ?? '',
    otherVersion: judged.decision?.otherVersion?.version ?? '',
    principalFindingsReevaluated,
    sessions: review,
    sessionsWithoutFinding: review?.withoutSessionFinding.length ?? 0,
    ...(judged.fleet === undefined ? {} : { fleet: judged.fleet }),
  };
};
