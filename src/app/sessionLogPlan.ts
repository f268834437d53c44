/**
 * The session audit's part in the session log verification: whether the session's document
 * streams it to CloudWatch Logs, and if so, a request queued to read the log once the agent has
 * had time to stream. Compliant sessions are queued too, even when no finding is written for
 * them: only the log can show that such a session ran as another user.
 */
import type { Decision } from '../domain/decision.ts';
import type { DocumentRead, Known } from '../domain/facts.ts';
import { parseSessionDocument } from '../domain/sessionDocument.ts';
import { readSessionLogSettings, type SessionLogSettings } from '../domain/sessionLog.ts';
import { auditedShellOf } from '../domain/sessionLogOutcome.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { SessionLogNote } from '../findings/sessionLogText.ts';
import type { SessionVerifications } from './sessionLogPorts.ts';
import { MAX_REQUEST_BYTES, VERIFICATION_KIND, writeVerificationRequest } from './verificationRequest.ts';

export interface SessionLogPlanInput {
  readonly command: StartSessionCommand;
  readonly decision: Decision;
  /** The session document as the decision read it (absent when it was never read). */
  readonly document: Known<DocumentRead | null> | undefined;
  readonly platform: string;
  /** Whether the audit writes a finding for the session. */
  readonly reported: boolean;
  /** Seconds from the audit to the first reading of the log. */
  readonly delaySeconds: number;
}

const settingsOf = (input: SessionLogPlanInput): SessionLogSettings | undefined => {
  const { document, decision } = input;
  if (document?.known === true && document.value !== null) {
    const parsed = parseSessionDocument(document.value.content);
    return parsed.known ? readSessionLogSettings(parsed.value, input.command.parameters) : undefined;
  }
  // No preferences document in the Region: Session Manager's built-in defaults do not stream.
  if (decision.steps.some((s) => s.step === 'built-in-defaults'))
    return { kind: 'not-streamed', reason: 'streaming-disabled' };
  return undefined;
};

/**
 * Queues the verification of a shell session whose document streams, and says in the session's
 * finding what will happen to its log (undefined: nothing to say, e.g. the document was unreadable).
 * `verifications` is absent when the deployment has no verification queue.
 */
export const scheduleSessionLog = async (
  input: SessionLogPlanInput,
  verifications: SessionVerifications | undefined,
): Promise<SessionLogNote | undefined> => {
  const { command, decision } = input;
  const settings = settingsOf(input);
  if (settings === undefined || command.sessionId === null) return undefined;
  if (settings.kind === 'not-streamed') return { kind: 'not-verifiable', reason: settings.reason };
  if (settings.kind === 'unknown') return { kind: 'not-verifiable', reason: 'log-group-unknown' };
  const audited = auditedShellOf(decision);
  if (audited === undefined) return undefined;
  const { logGroupName } = settings;
  if (verifications === undefined) return { kind: 'not-scheduled', logGroupName, reason: 'no-queue' };
  const body = writeVerificationRequest({
    kind: VERIFICATION_KIND,
    version: 1,
    reading: 'first',
    logGroupName,
    encryption: settings.encryption,
    audited,
    reported: input.reported,
    platform: input.platform,
    command: { ...command, sessionId: command.sessionId },
    decision,
  });
  if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES)
    return { kind: 'not-scheduled', logGroupName, reason: 'too-large' };
  const queued = await verifications.queue(body, input.delaySeconds);
  return queued.kind === 'queued'
    ? { kind: 'scheduled', logGroupName }
    : { kind: 'not-scheduled', logGroupName, reason: queued.reason };
};
