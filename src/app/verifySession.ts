/**
 * Use case: read the first event of a streamed session's log and re-import the session finding
 * with what it says. A session whose stream has not appeared yet is queued once more, to be read
 * when the window closes; then no stream is an answer. The finding is written when the audit
 * wrote one, or when the log changed the outcome (a compliant session whose log shows another
 * user is never missed, even when compliant sessions are not reported).
 */
import { ratingOf } from '../domain/outcome.ts';
import {
  judgeSessionLog,
  parseSessionLogMessage,
  type SessionLogEvidence,
  type SessionLogVerdict,
} from '../domain/sessionLog.ts';
import { outcomeWithSessionLog } from '../domain/sessionLogOutcome.ts';
import { buildSessionFinding } from '../findings/sessionFinding.ts';
import type { FindingSink } from './ports.ts';
import type { SessionLogRead, SessionLogs, SessionVerifications } from './sessionLogPorts.ts';
import { type VerificationRequest, writeVerificationRequest } from './verificationRequest.ts';

export interface VerifySessionPorts {
  readonly sessionLogs: SessionLogs;
  /** Where a session still pending is queued again. */
  readonly verifications: SessionVerifications;
  readonly findings: FindingSink;
}

export interface VerifySessionSettings {
  readonly sessionLogReadDelaySeconds: number;
  readonly sessionLogWindowSeconds: number;
}

/** What reading one session's log gave: logged by the handler, printed by replay. */
export interface VerificationEvaluation {
  readonly check: 'session-log';
  readonly eventId: string;
  readonly sessionId: string;
  readonly region: string;
  readonly principal: string;
  readonly target: string;
  readonly logGroupName: string;
  readonly reading: VerificationRequest['reading'];
  /** The verdict, or `requeued` when the stream was not there yet and the window is still open. */
  readonly verdict: SessionLogVerdict['kind'] | 'requeued';
  readonly reason: string;
  readonly outcome: string;
  readonly severity: string;
  readonly expectedUser: string;
  readonly observedUser: string;
  readonly findingId: string | null;
  /** The AWS error of an unreadable log, for the log line only. */
  readonly detail?: string;
}

const evidenceOf = (read: SessionLogRead, request: VerificationRequest): SessionLogEvidence => {
  if (read.kind !== 'event')
    return read.kind === 'unreadable' ? { kind: 'unreadable', reason: read.reason } : read;
  const { sessionId, target } = request.command;
  return parseSessionLogMessage(read.message, { sessionId, target });
};

/** When this reading stands: StartSession's time plus the delay or the window, never the clock. */
const readingTime = (request: VerificationRequest, settings: VerifySessionSettings): string => {
  const seconds =
    request.reading === 'first' ? settings.sessionLogReadDelaySeconds : settings.sessionLogWindowSeconds;
  // At least a second later: Security Hub keeps an update only when its UpdatedAt is later.
  return new Date(Date.parse(request.command.eventTime) + Math.max(1, seconds) * 1000).toISOString();
};

export const verifySession = async (
  request: VerificationRequest,
  ports: VerifySessionPorts,
  settings: VerifySessionSettings,
): Promise<VerificationEvaluation> => {
  const { command, decision } = request;
  const read = await ports.sessionLogs.firstEventOf(request.logGroupName, command.sessionId);
  const evidence = evidenceOf(read, request);
  const again = settings.sessionLogWindowSeconds - settings.sessionLogReadDelaySeconds;
  const lastReading = request.reading === 'last' || again <= 0;
  let verdict = judgeSessionLog(request.audited, evidence, lastReading);
  const base = {
    check: 'session-log',
    eventId: command.eventId,
    sessionId: command.sessionId,
    region: command.region,
    principal: command.principal.arn,
    target: command.target,
    logGroupName: request.logGroupName,
    reading: request.reading,
    expectedUser: decision.expectedUser,
    ...(read.kind === 'unreadable' ? { detail: read.detail } : {}),
  } as const;
  if (verdict.kind === 'pending') {
    const body = writeVerificationRequest({ ...request, reading: 'last' });
    const queued = await ports.verifications.queue(body, again);
    if (queued.kind === 'queued') {
      const rating = ratingOf(decision.outcome);
      return {
        ...base,
        verdict: 'requeued',
        reason: evidence.kind,
        outcome: decision.outcome,
        severity: rating.severity,
        observedUser: '',
        findingId: null,
      };
    }
    verdict = judgeSessionLog(request.audited, evidence, true);
  }
  if (verdict.kind === 'pending') throw new Error('a closed window leaves no session log pending');

  const outcome = outcomeWithSessionLog(decision.outcome, verdict);
  const written = request.reported || outcome !== decision.outcome;
  let findingId: string | null = null;
  if (written) {
    const finding = buildSessionFinding({
      command,
      decision,
      platform: request.platform,
      sessionLog: {
        kind: 'read',
        logGroupName: request.logGroupName,
        verdict,
        observedAt: readingTime(request, settings),
        windowMinutes: Math.round(settings.sessionLogWindowSeconds / 60),
      },
    });
    await ports.findings.importFindings([finding]);
    findingId = finding.Id;
  }
  return {
    ...base,
    verdict: verdict.kind,
    reason: 'reason' in verdict ? verdict.reason : '',
    outcome,
    severity: ratingOf(outcome).severity,
    observedUser: 'observedUser' in verdict ? verdict.observedUser : '',
    findingId,
  };
};
