/**
 * Use case: audit one StartSession. Gathers the facts through the ports, lets the domain
 * decide, and writes the session finding. Reads run in parallel; each port caches.
 */
import { type Known, type Platform, type SessionTagsFact, unknown } from '../domain/facts.ts';
import { ratingOf } from '../domain/outcome.ts';
import {
  type Decision,
  decideSession,
  isManagedNodeId,
  PREFERENCES_DOCUMENT,
  type SessionFacts,
} from '../domain/runAs.ts';
import { parseSessionDocument, type SessionDocument } from '../domain/sessionDocument.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import { buildSessionFinding } from '../findings/sessionFinding.ts';
import type { DocumentContent, SessionAuditPorts } from './ports.ts';

export interface SessionAuditSettings {
  readonly deniedRunAsUsers: ReadonlySet<string>;
  readonly reportCompliantSessions: boolean;
  readonly reportNotApplicable: boolean;
}

/** What happened to one StartSession: logged by the handler, printed by replay. */
export interface SessionEvaluation {
  readonly check: 'session';
  readonly eventId: string;
  readonly eventTime: string;
  readonly region: string;
  readonly sessionId: string | null;
  readonly principal: string;
  readonly principalType: string;
  readonly target: string;
  readonly document: string;
  readonly platform: string;
  readonly outcome: Decision['outcome'];
  readonly severity: string;
  readonly expectedUser: string;
  readonly expectedUserSource: Decision['expectedUserSource'];
  readonly sessionUser: string;
  readonly userVerified: boolean;
  /** The finding written, or null when this outcome is not reported (configuration). */
  readonly findingId: string | null;
}

const NOT_LOOKED_UP = 'not looked up: the session needs no shell user';
const TAGS_NOT_LOOKED_UP: SessionTagsFact = { status: 'unknown', reason: NOT_LOOKED_UP };

const toDocument = (read: Known<DocumentContent | null>): Known<SessionDocument | null> => {
  if (!read.known) return read;
  if (read.value === null) return read as Known<null>;
  return parseSessionDocument(read.value.content);
};

const isCommandDocument = (doc: Known<SessionDocument | null>): boolean =>
  doc.known &&
  doc.value !== null &&
  (doc.value.sessionType === 'InteractiveCommands' || doc.value.sessionType === 'NonInteractiveCommands') &&
  !('runAsEnabled' in doc.value.inputs);

const gatherFacts = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  settings: SessionAuditSettings,
): Promise<SessionFacts> => {
  const base = {
    target: command.target,
    documentName: command.documentName,
    parameters: command.parameters,
    principal: command.principal,
    deniedUsers: settings.deniedRunAsUsers,
    ...(command.errorCode === null ? {} : { errorCode: command.errorCode }),
  };
  if (command.errorCode !== null || !isManagedNodeId(command.target)) {
    // No session was created, or no node shell: the decision needs nothing from AWS.
    const none = unknown(NOT_LOOKED_UP);
    return {
      ...base,
      platform: none,
      document: none,
      preferences: none,
      principalTags: none,
      sessionTags: TAGS_NOT_LOOKED_UP,
    };
  }

  const documentRead = ports.documents.documentOf(command.documentName).then(toDocument);
  const [platform, document, principalTags] = await Promise.all([
    ports.platforms.platformOf(command.target),
    documentRead,
    ports.principalTags.tagsOf(command.principal),
  ]);
  // Session tags are looked up only if the decision turns out to need them (see auditSession).
  const sessionTags: SessionTagsFact =
    command.principal.kind === 'role' ? TAGS_NOT_LOOKED_UP : { status: 'not-a-role-session' };
  const preferences =
    command.documentName === PREFERENCES_DOCUMENT
      ? document
      : isCommandDocument(document)
        ? await ports.documents.documentOf(PREFERENCES_DOCUMENT).then(toDocument)
        : unknown<SessionDocument | null>('not needed: the session document carries its own Run As settings');
  return { ...base, platform, document, preferences, principalTags, sessionTags };
};

export const auditSession = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  settings: SessionAuditSettings,
): Promise<SessionEvaluation> => {
  let facts = await gatherFacts(command, ports, settings);
  let decision = decideSession(facts);
  if (decision.sessionTags === 'unknown' && facts.sessionTags === TAGS_NOT_LOOKED_UP) {
    // Only a role session whose Run As user comes from tags needs its session tags; the look-up
    // (CloudTrail LookupEvents, 2 calls/s per account and Region) is skipped for everyone else.
    facts = { ...facts, sessionTags: await ports.sessionTags.sessionTagsOf(command.principal) };
    decision = decideSession(facts);
  }
  if (decision.userToCheck !== undefined) {
    const userPresence = await ports.nodeUsers.presenceOf(
      command.target,
      decision.userToCheck,
      command.eventTime,
    );
    decision = decideSession({ ...facts, userPresence });
  }

  const platform = platformName(facts.platform);
  const reported =
    (decision.outcome !== 'COMPLIANT' || settings.reportCompliantSessions) &&
    (decision.outcome !== 'NOT_APPLICABLE' || settings.reportNotApplicable);
  let findingId: string | null = null;
  if (reported) {
    const finding = buildSessionFinding({ command, decision, platform });
    await ports.findings.importFindings([finding]);
    findingId = finding.Id;
  }

  return {
    check: 'session',
    eventId: command.eventId,
    eventTime: command.eventTime,
    region: command.region,
    sessionId: command.sessionId,
    principal: command.principal.arn,
    principalType: command.principal.kind,
    target: command.target,
    document: command.documentName,
    platform,
    outcome: decision.outcome,
    severity: ratingOf(decision.outcome).severity,
    expectedUser: decision.expectedUser,
    expectedUserSource: decision.expectedUserSource,
    sessionUser: decision.sessionUser,
    userVerified: decision.userVerified,
    findingId,
  };
};

const platformName = (platform: Known<Platform | null>): string =>
  platform.known && platform.value !== null ? platform.value : 'unknown';
