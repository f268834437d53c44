/**
 * Use case: audit one StartSession. The domain decides; whenever it names facts it still needs,
 * they are gathered through the ports (in parallel, each port caches) and it decides again. Then
 * the session finding is written.
 */
import type { Decision, Need, VersionLabel } from '../domain/decision.ts';
import type { UserPresence } from '../domain/facts.ts';
import { ratingOf } from '../domain/outcome.ts';
import { decideSession, otherLabel, type SessionFacts } from '../domain/runAs.ts';
import { PREFERENCES_DOCUMENT } from '../domain/sessionManager.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import { buildSessionFinding } from '../findings/sessionFinding.ts';
import type { SessionAuditPorts } from './ports.ts';
import type { AuditPath } from './statePorts.ts';

export interface SessionAuditSettings {
  readonly deniedRunAsUsers: ReadonlySet<string>;
  readonly reportCompliantSessions: boolean;
  readonly reportNotApplicable: boolean;
  /** The version sessions are judged by (SESSION_DOCUMENT_VERSION). */
  readonly sessionDocumentVersion: VersionLabel;
  /** Which audit path the ledger entry names; the event path when not said. */
  readonly auditPath?: AuditPath;
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
  readonly documentVersion: string;
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

/** Every fact is asked for at most once; more rounds than facts means the decision is broken. */
const MAX_ROUNDS = 8;

/** Gathers what the decision asked for and returns the facts with it. */
const gather = async (
  needs: readonly Need[],
  facts: SessionFacts,
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  presences: Map<string, UserPresence>,
): Promise<SessionFacts> => {
  const judged = facts.judgedVersion;
  const found = await Promise.all(
    needs.map(async (need): Promise<Partial<SessionFacts>> => {
      switch (need.fact) {
        case 'document': {
          const [document, otherVersion] = await Promise.all([
            ports.documents.documentOf(command.documentName, judged),
            ports.documents.documentOf(command.documentName, otherLabel(judged)),
          ]);
          return { document, otherVersion };
        }
        case 'platform':
          return { platform: await ports.platforms.platformOf(command.target) };
        case 'preferences':
          return { preferences: await ports.documents.documentOf(PREFERENCES_DOCUMENT, judged) };
        case 'principal-tags':
          return { principalTags: await ports.principalTags.tagsOf(command.principal) };
        case 'session-tags':
          // CloudTrail LookupEvents allows 2 calls/s per account and Region: only asked for when it can decide.
          return { sessionTags: await ports.sessionTags.sessionTagsOf(command.principal) };
        case 'node-user': {
          const presence = await ports.nodeUsers.presenceOf(command.target, need.user, {
            asOf: command.eventTime,
            match: need.match,
          });
          presences.set(need.user, presence);
          return { nodeUsers: (user) => presences.get(user) };
        }
      }
    }),
  );
  return Object.assign({}, facts, ...found) as SessionFacts;
};

const decide = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  settings: SessionAuditSettings,
): Promise<{ decision: Decision; facts: SessionFacts }> => {
  let facts: SessionFacts = {
    target: command.target,
    documentName: command.documentName,
    judgedVersion: settings.sessionDocumentVersion,
    parameters: command.parameters,
    principal: command.principal,
    deniedUsers: settings.deniedRunAsUsers,
    ...(command.errorCode === null ? {} : { errorCode: command.errorCode }),
  };
  const presences = new Map<string, UserPresence>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const verdict = decideSession(facts);
    if (verdict.decided) return { decision: verdict.decision, facts };
    facts = await gather(verdict.needs, facts, command, ports, presences);
  }
  throw new Error(`the Run As decision for event ${command.eventId} did not settle in ${MAX_ROUNDS} rounds`);
};

const platformName = (facts: SessionFacts): string =>
  facts.platform?.known === true && facts.platform.value !== null ? facts.platform.value : 'unknown';

export const auditSession = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  settings: SessionAuditSettings,
): Promise<SessionEvaluation> => {
  const { decision, facts } = await decide(command, ports, settings);
  const platform = platformName(facts);
  const reported =
    (decision.outcome !== 'COMPLIANT' || settings.reportCompliantSessions) &&
    (decision.outcome !== 'NOT_APPLICABLE' || settings.reportNotApplicable);
  let findingId: string | null = null;
  if (reported) {
    const finding = buildSessionFinding({ command, decision, platform });
    await ports.findings.importFindings([finding]);
    findingId = finding.Id;
  }
  // Marked once audited: a record whose import then fails is redelivered and finally kept in the
  // dead-letter queue (alarmed), so an entry never hides a session that nobody holds.
  await ports.ledger?.mark({
    accountId: command.accountId,
    region: command.region,
    eventId: command.eventId,
    eventTime: command.eventTime,
    sessionId: command.sessionId,
    auditedBy: settings.auditPath ?? 'event',
  });

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
    documentVersion: decision.documentVersion,
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
