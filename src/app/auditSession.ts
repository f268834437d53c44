/**
 * Use case: audit one StartSession. The domain decides; whenever it names facts it still needs,
 * they are gathered through the ports (in parallel, each port caches) and it decides again. Then
 * the session finding is written.
 */
import type { Decision, Need, VersionLabel } from '../domain/decision.ts';
import type { TagHistoryAt, UserPresence } from '../domain/facts.ts';
import { ratingOf } from '../domain/outcome.ts';
import { decideSession, otherLabel, type SessionFacts } from '../domain/runAs.ts';
import { PREFERENCES_DOCUMENT } from '../domain/sessionManager.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import { buildSessionFinding } from '../findings/sessionFinding.ts';
import { type SessionLogState, sessionLogState } from '../findings/sessionLogText.ts';
import type { SessionAuditPorts } from './ports.ts';
import { scheduleSessionLog } from './sessionLogPlan.ts';
import type { AuditPath } from './statePorts.ts';

export interface SessionAuditSettings {
  readonly deniedRunAsUsers: ReadonlySet<string>;
  readonly reportCompliantSessions: boolean;
  readonly reportNotApplicable: boolean;
  /** The version sessions are judged by (SESSION_DOCUMENT_VERSION). */
  readonly sessionDocumentVersion: VersionLabel;
  /** Seconds from the audit to the first reading of a streamed session's log. */
  readonly sessionLogReadDelaySeconds: number;
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
  readonly sessionTags: Decision['sessionTags'];
  /** Its STS record has not arrived: the identity function audits it again when it does. */
  readonly sessionTagsPending: boolean;
  /** The finding written, or null when this outcome is not reported (configuration). */
  readonly findingId: string | null;
  /** Where the session log verification stands; null when there is nothing to say. */
  readonly sessionLog: SessionLogState | null;
}

export interface AuditOptions {
  /** The path that audits the session, as the ledger records it (default `event`). */
  readonly auditedBy?: AuditPath;
  /** A session audited again once its STS record arrived: its finding gets this later UpdatedAt. */
  readonly reaudit?: {
    readonly observedAt: string;
    /** A finding was written while the session waited: it is updated whatever the outcome now. */
    readonly updates: boolean;
  };
}

/** A re-audit's UpdatedAt: one second after the session, later than the pending finding's, the same on every run. */
export const reauditTime = (sessionEventTime: string): string =>
  new Date(Date.parse(sessionEventTime) + 1000).toISOString();

/** Every fact is asked for at most once; more rounds than facts means the decision is broken. */
const MAX_ROUNDS = 8;

/** The principal's recorded SSMSessionRunAs changes around the session: tags read now may be later ones. */
const historyOf = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
): Promise<TagHistoryAt | undefined> => {
  const { principal } = command;
  if (ports.tagHistory === undefined || (principal.kind !== 'user' && principal.kind !== 'role')) {
    return undefined;
  }
  const ref = { accountId: principal.accountId, kind: principal.kind, name: principal.name };
  return ports.tagHistory.valueAt(ref, command.eventTime);
};

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
        case 'principal-tags': {
          const [principalTags, principalTagHistory] = await Promise.all([
            ports.principalTags.tagsOf(command.principal),
            historyOf(command, ports),
          ]);
          return { principalTags, ...(principalTagHistory === undefined ? {} : { principalTagHistory }) };
        }
        case 'session-tags':
          // CloudTrail LookupEvents allows 2 calls/s per account and Region: only asked for when it can decide.
          return { sessionTags: await ports.sessionTags.sessionTagsOf(command) };
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

const firstFacts = (command: StartSessionCommand, settings: SessionAuditSettings): SessionFacts => ({
  target: command.target,
  documentName: command.documentName,
  judgedVersion: settings.sessionDocumentVersion,
  parameters: command.parameters,
  principal: command.principal,
  deniedUsers: settings.deniedRunAsUsers,
  ...(command.errorCode === null ? {} : { errorCode: command.errorCode }),
});

/** Decides from `known` facts, gathering whatever else the decision asks for. */
const decide = async (
  command: StartSessionCommand,
  ports: SessionAuditPorts,
  known: SessionFacts,
): Promise<{ decision: Decision; facts: SessionFacts }> => {
  let facts = known;
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
  options: AuditOptions = {},
): Promise<SessionEvaluation> => {
  let { decision, facts } = await decide(command, ports, firstFacts(command, settings));
  const reportable = (d: Decision): boolean =>
    (d.outcome !== 'COMPLIANT' || settings.reportCompliantSessions) &&
    (d.outcome !== 'NOT_APPLICABLE' || settings.reportNotApplicable);
  let pending = facts.sessionTags?.status === 'unknown' && facts.sessionTags.pending === true;
  if (pending && ports.pendingSessions !== undefined) {
    // The record may have arrived while this session was filed: then it is decided with its tags.
    const arrived = await ports.pendingSessions.fileUntilRecord(command, reportable(decision));
    if (arrived !== undefined) {
      ({ decision, facts } = await decide(command, ports, { ...facts, sessionTags: arrived }));
      pending = false;
    }
  }
  // A re-audit updates the finding written while its session waited, whatever the outcome now.
  const reported = reportable(decision) || options.reaudit?.updates === true;
  const platform = platformName(facts);
  // A session waiting for its STS record is verified by its re-audit: the request carries the
  // decision, and one made without the session tags would overwrite the re-audit's finding later.
  const sessionLog = pending
    ? undefined
    : await scheduleSessionLog(
        {
          command,
          decision,
          document: facts.document,
          platform,
          reported,
          delaySeconds: settings.sessionLogReadDelaySeconds,
        },
        ports.verifications,
      );
  let findingId: string | null = null;
  if (reported) {
    const finding = buildSessionFinding({
      command,
      decision,
      platform,
      ...(sessionLog === undefined ? {} : { sessionLog }),
      ...(options.reaudit === undefined ? {} : { observedAt: options.reaudit.observedAt }),
    });
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
    auditedBy: options.auditedBy ?? 'event',
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
    sessionTags: decision.sessionTags,
    sessionTagsPending: pending,
    findingId,
    sessionLog: sessionLog === undefined ? null : sessionLogState(sessionLog),
  };
};
