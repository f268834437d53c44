/**
 * Use case: a Session document changed in a Region (created, updated, default version moved,
 * deleted). Re-read it ($DEFAULT, which Session Manager runs, and $LATEST), write its preferences
 * finding, and when it is the Region's SSM-SessionManagerRunShell re-evaluate every ACTIVE principal
 * finding of the Region, whose fallback it is. Then compare open sessions using it with the new
 * settings (issue 4 §2, §3, §4). The document is read now, not taken from the event, so duplicate
 * and late events write the same result; Security Hub keeps the newest UpdatedAt.
 */
import { type Known, known } from '../domain/facts.ts';
import { ratingOf } from '../domain/outcome.ts';
import {
  type Decision,
  decidePreferencesPosture,
  decidePrincipalPosture,
  PREFERENCES_DOCUMENT,
} from '../domain/runAs.ts';
import { jsonText, ownValue, type SessionDocument } from '../domain/sessionDocument.ts';
import type { DocumentChangeCommand } from '../events/documentChange.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { findingId } from '../findings/findingId.ts';
import {
  buildPreferencesFinding,
  buildPrincipalFinding,
  type ChangeContext,
  type DocumentVersions,
  type Placement,
} from '../findings/postureFinding.ts';
import { type ChangeReads, createChangeReads, LATEST_VERSION, toSessionDocument } from './changeReads.ts';
import { createFleetPrecheck, type FleetPrecheck, type FleetSummary } from './fleetPrecheck.ts';
import type { ChangeAuditPorts, DocumentContent, RegionChangePorts, StoredFinding } from './ports.ts';
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
import { documentNameOf, type OpenSessionsReview, reviewOpenSessions } from './reviewOpenSessions.ts';

export interface DocumentChangeEvaluation extends PostureResult {
  readonly check: 'preferences';
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly region: string;
  readonly document: string;
  /** Versions GetDocument returned for $DEFAULT and $LATEST ('' when unknown or absent). */
  readonly defaultVersion: string;
  readonly latestVersion: string;
  /** $LATEST differs from $DEFAULT in its Run As settings. */
  readonly latestDiffers: boolean;
  /** ACTIVE principal findings of the Region re-evaluated (SSM-SessionManagerRunShell only). */
  readonly principalFindingsReevaluated: number;
  /** Null when open sessions were not looked at (document deleted, not a Session document). */
  readonly sessions: OpenSessionsReview | null;
  /** Open sessions without a session finding: they could not be compared. */
  readonly sessionsWithoutFinding: number;
  /** The fleet pre-check of the document's default user (absent when the posture was not computed). */
  readonly fleet?: FleetSummary;
}

const MAX_SHOWN = 64;

/** Run As settings of a document in words, for comparing $DEFAULT and $LATEST and saying how they differ. */
export const runAsSettingsText = (document: Known<SessionDocument | null>): string => {
  if (!document.known) return `unreadable (${document.reason})`;
  if (document.value === null) return 'absent';
  const { inputs, properties, sessionType } = document.value;
  const shown = (value: unknown): string =>
    value === undefined ? 'not set' : jsonText(value).slice(0, MAX_SHOWN);
  const parts = [
    `sessionType ${sessionType}`,
    `runAsEnabled ${shown(ownValue(inputs, 'runAsEnabled'))}`,
    `runAsDefaultUser ${shown(ownValue(inputs, 'runAsDefaultUser'))}`,
  ];
  for (const platform of ['linux', 'macos']) {
    const settings = ownValue(properties, platform);
    if (typeof settings === 'object' && settings !== null && !Array.isArray(settings)) {
      const elevated = ownValue(settings as Record<string, unknown>, 'runAsElevated');
      if (elevated !== undefined) parts.push(`${platform}.runAsElevated ${shown(elevated)}`);
    }
  }
  return parts.join(', ');
};

const versionOf = (read: Known<DocumentContent | null>): string =>
  read.known && read.value !== null ? read.value.documentVersion : '';

interface Posture {
  readonly decision: Decision;
  readonly versions?: DocumentVersions;
}

const judgeVersions = (
  defaultRead: Known<DocumentContent | null>,
  latestRead: Known<DocumentContent | null>,
  documentName: string,
  settings: ChangeSettings,
): Posture => {
  const judge = (document: Known<SessionDocument | null>): Decision =>
    decidePreferencesPosture({ documentName, document, deniedUsers: settings.deniedRunAsUsers });
  const current = toSessionDocument(defaultRead);
  const decision = judge(current);
  const versions = { defaultVersion: versionOf(defaultRead), latestVersion: versionOf(latestRead) };
  // An unreadable $LATEST says nothing about a difference; the same version cannot differ.
  if (!latestRead.known || latestRead.value === null || versions.latestVersion === versions.defaultVersion) {
    return { decision, versions };
  }
  const latest = toSessionDocument(latestRead);
  const settingsText = runAsSettingsText(latest);
  if (settingsText === runAsSettingsText(current)) return { decision, versions };
  return { decision, versions: { ...versions, latest: { decision: judge(latest), settings: settingsText } } };
};

/** Every ACTIVE principal finding of the Region, re-decided against the new preferences. */
const reevaluatePrincipals = async (
  placement: Placement,
  change: ChangeContext,
  preferences: Known<SessionDocument | null>,
  ports: RegionChangePorts,
  reads: ChangeReads,
  settings: ChangeSettings,
  precheck: FleetPrecheck,
): Promise<AsffFinding[]> => {
  const stored = await ports.findingReader.activeFindings({ generatorId: PRINCIPAL_GENERATOR });
  const findings: AsffFinding[] = [];
  for (const finding of stored) {
    const arn = finding.ProductFields['RunAs/Principal'];
    if (arn === undefined) continue;
    const principal = principalFromArn(arn, placement.accountId);
    // Only IAM users and roles get principal findings: anything else was not written by us.
    if (principal.kind !== 'user' && principal.kind !== 'role') continue;
    const { decision, fleet } = await precheck(
      decidePrincipalPosture({
        preferences,
        principal,
        principalTags: await reads.tagsOf(principal),
        deniedUsers: settings.deniedRunAsUsers,
      }),
    );
    findings.push(
      buildPrincipalFinding({
        ...placement,
        principal,
        posture: { exists: true, decision, ...(fleet === undefined ? {} : { fleet }) },
        change,
        ...createdAtOf(finding),
      }),
    );
  }
  return findings;
};

interface Judged {
  readonly result: PostureResult;
  readonly versions: DocumentVersions | undefined;
  readonly findings: readonly AsffFinding[];
  /** The document's settings after the change, when known (for re-evaluating principals and sessions). */
  readonly document: Known<SessionDocument | null> | undefined;
  readonly fleet?: FleetSummary;
}

/** The preferences finding of the changed document. */
const judgeDocument = async (
  command: DocumentChangeCommand,
  placement: Placement,
  change: ChangeContext,
  existing: StoredFinding | undefined,
  reads: ChangeReads,
  settings: ChangeSettings,
  precheck: FleetPrecheck,
): Promise<Judged> => {
  const { documentName, region } = command;
  const id = findingId(placement.accountId, region, 'preferences', documentName);
  const defaultRead = await reads.documentOf(region, documentName);
  const gone = defaultRead.known && defaultRead.value === null;

  // A deleted SSM-SessionManagerRunShell means Session Manager's built-in defaults (Run As off),
  // which the decision handles; any other deleted document only archives its finding.
  if (gone && documentName !== PREFERENCES_DOCUMENT) {
    if (existing === undefined) {
      return {
        result: skippedResult('document deleted; no preferences finding to archive'),
        versions: undefined,
        findings: [],
        document: undefined,
      };
    }
    const finding = buildPreferencesFinding({
      ...placement,
      documentName,
      posture: { exists: false },
      change,
      ...createdAtOf(existing),
    });
    return {
      result: {
        action: 'archived',
        reason: 'document deleted',
        outcome: 'NOT_APPLICABLE',
        severity: ratingOf('NOT_APPLICABLE').severity,
        expectedUser: '',
        findingIds: [finding.Id],
      },
      versions: undefined,
      findings: [finding],
      document: undefined,
    };
  }
  const type = defaultRead.known && defaultRead.value !== null ? defaultRead.value.documentType : '';
  if (type !== '' && type !== 'Session') {
    return {
      result: skippedResult(`document ${documentName} is a ${type} document, not a Session document`),
      versions: undefined,
      findings: [],
      document: undefined,
    };
  }

  // A deleted SSM-SessionManagerRunShell has no versions: the built-in defaults decide.
  const judgedVersions = gone
    ? {
        decision: decidePreferencesPosture({
          documentName,
          document: known(null),
          deniedUsers: settings.deniedRunAsUsers,
        }),
      }
    : judgeVersions(
        defaultRead,
        await reads.documentOf(region, documentName, LATEST_VERSION),
        documentName,
        settings,
      );
  const { versions } = judgedVersions;
  // The default user a compliant document names must also exist on the Region's nodes (issue 5 §3).
  const { decision, fleet, summary } = await precheck(judgedVersions.decision);
  const posture = postureAction(decision, existing);
  // A pending $LATEST that differs is worth saying even when $DEFAULT is fine.
  const write = posture.write || versions?.latest !== undefined;
  const action = posture.write ? posture.action : write ? 'written' : posture.action;
  const findings = write
    ? [
        buildPreferencesFinding({
          ...placement,
          documentName,
          posture: {
            exists: true,
            decision,
            ...(versions === undefined ? {} : { versions }),
            ...(fleet === undefined ? {} : { fleet }),
          },
          change,
          ...createdAtOf(existing),
        }),
      ]
    : [];
  const reason = posture.write || !write ? posture.reason : `${decision.outcome}; $LATEST differs`;
  return {
    result: decisionResult(decision, action, reason, write ? [id] : []),
    versions,
    findings,
    // An unreadable document teaches nothing about principals or sessions: they are left as they are.
    document: defaultRead.known ? toSessionDocument(defaultRead) : undefined,
    fleet: summary,
  };
};

export const documentChange = async (
  command: DocumentChangeCommand,
  ports: ChangeAuditPorts,
  settings: ChangeSettings,
): Promise<DocumentChangeEvaluation> => {
  const reads = createChangeReads(ports);
  const { region, documentName } = command;
  const placement: Placement = { partition: command.partition, region, accountId: command.accountId };
  const change: ChangeContext = {
    eventId: command.eventId,
    eventName: command.eventName,
    eventTime: command.eventTime,
  };
  const regionPorts = ports.inRegion(region);
  const id = findingId(placement.accountId, region, 'preferences', documentName);
  const existing = liveFinding((await regionPorts.findingReader.findingsByIds([id])).get(id));
  // One pre-check per change: the document's default user and every re-evaluated principal share it.
  const precheck = createFleetPrecheck(regionPorts.fleetUsers, command.eventTime);
  const judged = await judgeDocument(command, placement, change, existing, reads, settings, precheck);

  const findings: AsffFinding[] = [...judged.findings];
  let principalFindingsReevaluated = 0;
  let review: OpenSessionsReview | null = null;
  let terminationFailure: unknown;
  if (judged.document !== undefined) {
    const preferences =
      documentName === PREFERENCES_DOCUMENT
        ? judged.document
        : await reads.sessionDocumentOf(region, PREFERENCES_DOCUMENT);
    if (documentName === PREFERENCES_DOCUMENT) {
      const reevaluated = await reevaluatePrincipals(
        placement,
        change,
        preferences,
        regionPorts,
        reads,
        settings,
        precheck,
      );
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
      { placement, change, sessions: affected, preferences },
      {
        documentOf: (name) => reads.sessionDocumentOf(region, name),
        tagsOf: reads.tagsOf,
        findingReader: regionPorts.findingReader,
        sessions: regionPorts.sessions,
      },
      settings,
    );
    review = reviewed.review;
    findings.push(...reviewed.findings);
    terminationFailure = reviewed.terminationFailure;
  }
  if (findings.length > 0) await regionPorts.findings.importFindings(findings);
  // Every finding is written first, so a failed termination is recorded before Lambda retries.
  if (terminationFailure !== undefined) throw terminationFailure;

  return {
    check: 'preferences',
    eventId: command.eventId,
    eventTime: command.eventTime,
    eventName: command.eventName,
    region,
    document: documentName,
    ...judged.result,
    defaultVersion: judged.versions?.defaultVersion ?? '',
    latestVersion: judged.versions?.latestVersion ?? '',
    latestDiffers: judged.versions?.latest !== undefined,
    principalFindingsReevaluated,
    sessions: review,
    sessionsWithoutFinding: review?.withoutSessionFinding.length ?? 0,
    ...(judged.fleet === undefined ? {} : { fleet: judged.fleet }),
  };
};
