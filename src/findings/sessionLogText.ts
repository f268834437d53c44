/**
 * What a session finding says about the session log: whether it will be read, why it cannot be,
 * and what it recorded. The log is hostile input: a recorded user is shown only when it passes
 * the safe-name rule (words.ts), never in the Title otherwise, and the log's own text never.
 */
import type { NotVerifiableReason, SessionLogVerdict } from '../domain/sessionLog.ts';
import type { SessionLogState } from './productFields.ts';

export type { SessionLogState };

import { quote, userWords } from './words.ts';

/** Why a session that streams was not queued for verification. */
export type NotScheduledReason = 'no-queue' | 'queue-unavailable' | 'too-large';

/** Where the session log stands for one session finding. */
export type SessionLogNote =
  | { readonly kind: 'scheduled'; readonly logGroupName: string }
  | { readonly kind: 'not-scheduled'; readonly logGroupName: string; readonly reason: NotScheduledReason }
  | { readonly kind: 'not-verifiable'; readonly reason: NotVerifiableReason | 'log-group-unknown' }
  | {
      readonly kind: 'read';
      readonly logGroupName: string;
      readonly verdict: Exclude<SessionLogVerdict, { kind: 'pending' }>;
      /** The time this reading stands for (StartSession time plus the delay or the window). */
      readonly observedAt: string;
      readonly windowMinutes: number;
    };

const NOT_VERIFIABLE: Readonly<Record<NotVerifiableReason | 'log-group-unknown', string>> = {
  'port-session': 'Port sessions write no session log, so no log can confirm who the session ran as.',
  'command-document':
    'Command sessions never stream to CloudWatch Logs (the agent turns streaming off for them), so no session log can confirm the OS user.',
  'streaming-disabled':
    'Its document does not stream sessions to CloudWatch Logs (cloudWatchStreamingEnabled is not true), so no session log can confirm the OS user.',
  'no-log-group':
    'Its document turns streaming on but names no log group (cloudWatchLogGroupName), so the agent writes no session log.',
  'invalid-log-group-name':
    'Its document names a log group that is not a valid CloudWatch Logs name, so the agent writes no session log.',
  'document-rejected': 'The agent rejects its document’s logging inputs, so it writes no session log.',
  'log-group-missing': 'The session log group does not exist, so the agent streamed no session log.',
  'no-user-recorded':
    'The session log records no user (the agent did not switch user), so it cannot confirm one.',
  'log-group-unknown':
    'Its document names its log group through a value the auditor cannot resolve, so the session log is not read.',
};

const NOT_SCHEDULED: Readonly<Record<NotScheduledReason, string>> = {
  'no-queue': 'this deployment has no session verification queue',
  'queue-unavailable': 'the verification could not be queued (access to the verification queue was denied)',
  'too-large': 'the verification request is larger than a queue message may be',
};

const group = (name: string): string => `log group ${quote(name)}`;

/** The verdict's sentence; `expected` is the user the audit expected the shell to start as. */
const verdictSentence = (note: Extract<SessionLogNote, { kind: 'read' }>, expected: string): string => {
  const where = group(note.logGroupName);
  const { verdict } = note;
  switch (verdict.kind) {
    case 'verified':
      return `Verified by the session log: the agent recorded that the shell started as ${userWords(verdict.observedUser)} (${where}).`;
    case 'unexpected-user':
      return `The session log records that the shell started as ${userWords(verdict.observedUser)}, not the expected ${userWords(verdict.expectedUser)} (${where}): Session Manager gave the session another user than the auditor computed (a session tag or mapping it could not see), or something other than the agent wrote the log.`;
    case 'started-although-refused':
      return `The session log records a shell started as ${userWords(verdict.observedUser)}, although the agent should have refused this session${expected === '' ? '' : ` for ${userWords(expected)}`} (${where}).`;
    case 'never-started':
      return `No session log stream appeared in ${where} within ${note.windowMinutes} minutes of the session: the session never started a shell, which confirms the refusal.`;
    case 'not-verifiable':
      return NOT_VERIFIABLE[verdict.reason];
    case 'unknown':
      switch (verdict.reason) {
        case 'access-denied':
          return `The session log in ${where} could not be read (access denied).`;
        case 'kms':
          return `The session log in ${where} could not be read: its KMS key may not be used for the auditor.`;
        case 'malformed-record':
          return `The first event of the session log in ${where} is not a record the agent writes (${verdict.problem ?? 'malformed'}), so it is not trusted.`;
        case 'masked':
          return `The session log in ${where} masks the user name (a data protection policy), so it cannot confirm the user.`;
        case 'no-stream':
          return `No session log stream appeared in ${where} within ${note.windowMinutes} minutes, although the session should have started: the node may be unable to stream (no logs:CreateLogStream, or no route to CloudWatch Logs).`;
        case 'empty-stream':
          return `The session log stream in ${where} holds no event, so it cannot confirm the user.`;
        case 'settings-unknown':
          return NOT_VERIFIABLE['log-group-unknown'];
      }
  }
};

/** The Description's sentence about the session log. */
export const sessionLogSentence = (note: SessionLogNote, expected: string): string => {
  switch (note.kind) {
    case 'scheduled':
      return `Its document streams the session to ${group(note.logGroupName)}: the auditor reads the session log to confirm the OS user the agent started the shell as.`;
    case 'not-scheduled':
      return `Its document streams the session to ${group(note.logGroupName)}, but ${NOT_SCHEDULED[note.reason]}, so the session log is not read.`;
    case 'not-verifiable':
      return NOT_VERIFIABLE[note.reason];
    case 'read':
      return verdictSentence(note, expected);
  }
};

/** What to change because of what the log said ('' when nothing). */
export const sessionLogFix = (note: SessionLogNote): string => {
  if (note.kind === 'not-scheduled' && note.reason === 'queue-unavailable')
    return 'Allow the audit function sqs:SendMessage on its session verification queue.';
  if (note.kind !== 'read') return '';
  const { verdict } = note;
  if (verdict.kind === 'unexpected-user' || verdict.kind === 'started-although-refused')
    return "Check the principal's session tags and SSMSessionRunAs tag at the session's time, and who besides the nodes' agents may write to the log group.";
  if (verdict.kind === 'unknown' && verdict.reason === 'access-denied')
    return `Grant the auditor logs:GetLogEvents on ${group(note.logGroupName)} (the SessionLogGroupPattern parameter).`;
  if (verdict.kind === 'unknown' && verdict.reason === 'kms')
    return `Check that the KMS key of ${group(note.logGroupName)} is enabled and that its key policy lets CloudWatch Logs use it.`;
  return '';
};

/** RunAs/SessionLog for a note. */
export const sessionLogState = (note: SessionLogNote): SessionLogState =>
  note.kind === 'read' ? note.verdict.kind : note.kind;
