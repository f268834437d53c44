/**
 * The session log: the one record of the OS user a session really ran as. When a Standard_Stream
 * document streams to CloudWatch Logs, the SSM agent writes the shell's output to a stream named
 * exactly the session id, each event a JSON CloudWatchMessage whose `runAsUser` is the user it
 * started the shell as (before any shell profile ran). Port sessions and command documents never
 * stream. The message is hostile input: anything that can write to the log group can forge it.
 */
import { agentBool } from './inputs.ts';
import { goField, type JsonRecord } from './json.ts';
import { recordOrEmpty, type SessionDocument, type SessionParameters } from './sessionDocument.ts';
import { SSM_USER } from './sessionManager.ts';
import { parameterContext, substitute } from './templates.ts';

// ----- the record --------------------------------------------------------------------------------

/** What the first event of the stream says, once it passed every check. */
export interface SessionLogRecord {
  readonly kind: 'record';
  /** Exactly as the agent wrote it; '' when the agent did not switch user (elevated, container). */
  readonly runAsUser: string;
  readonly sessionId: string;
  readonly target: string;
  /** RFC 3339, from the node's clock when the agent built the event. */
  readonly eventTime: string;
}

export type SessionLogParse = SessionLogRecord | { readonly kind: 'malformed'; readonly problem: string };

/**
 * The agent keeps an event's raw output under 33,000 bytes, which its JSON encoding can inflate
 * about six times (`StreamMessageLengthThresholdInBytes`); 256 KiB is above any event it writes
 * and far below the 1 MB CloudWatch Logs accepts.
 */
export const MAX_SESSION_LOG_MESSAGE_LENGTH = 256 * 1024;
/** Longer than any OS user name; also Security Hub's ProductFields value limit is 2048. */
const MAX_RUN_AS_USER_LENGTH = 1024;

/** The CloudWatchMessage fields of event version 1.0, in the agent's spelling (Go json tags). */
const RECORD_KEYS: ReadonlySet<string> = new Set([
  'eventVersion',
  'eventTime',
  'awsRegion',
  'target',
  'userIdentity',
  'runAsUser',
  'sessionId',
  'sessionData',
]);
// Go's time.RFC3339 layout (the agent writes UTC, "Z"); fractions are accepted, not required.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const malformed = (problem: string): SessionLogParse => ({ kind: 'malformed', problem });

/** A one-field object such as `target: {"id": …}`; the problem names the field, never its value. */
const innerString = (outer: unknown, field: string, key: string): string | { problem: string } => {
  if (!isRecord(outer)) return { problem: `${field} is not an object` };
  const keys = Object.keys(outer);
  if (keys.length !== 1 || keys[0] !== key) return { problem: `${field} must hold exactly "${key}"` };
  const value = outer[key];
  return typeof value === 'string' ? value : { problem: `${field}.${key} is not a string` };
};

/**
 * Parses the first event's message strictly as the agent's CloudWatchMessage, version 1.0, for
 * the session and node the audit expects. Problems are described in our words only, so they can
 * reach a finding without echoing the message.
 */
export const parseSessionLogMessage = (
  message: string,
  expected: { readonly sessionId: string; readonly target: string },
): SessionLogParse => {
  if (message.length > MAX_SESSION_LOG_MESSAGE_LENGTH) {
    return malformed(`the message is longer than ${MAX_SESSION_LOG_MESSAGE_LENGTH} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return malformed('the message is not JSON');
  }
  if (!isRecord(parsed)) return malformed('the message is not a JSON object');
  for (const key of Object.keys(parsed)) {
    if (!RECORD_KEYS.has(key)) return malformed('the message has a field the agent does not write');
  }
  const { eventVersion, eventTime, awsRegion, runAsUser, sessionId, sessionData } = parsed;
  if (eventVersion !== '1.0') return malformed('eventVersion is not "1.0"');
  if (typeof eventTime !== 'string' || !RFC3339.test(eventTime) || Number.isNaN(Date.parse(eventTime))) {
    return malformed('eventTime is not an RFC 3339 time');
  }
  if (typeof awsRegion !== 'string') return malformed('awsRegion is not a string');
  if (typeof runAsUser !== 'string') return malformed('runAsUser is not a string');
  if (runAsUser.length > MAX_RUN_AS_USER_LENGTH) return malformed('runAsUser is longer than any user name');
  if (typeof sessionId !== 'string') return malformed('sessionId is not a string');
  if (sessionId !== expected.sessionId) return malformed('sessionId is not the session whose stream this is');
  const target = innerString(parsed.target, 'target', 'id');
  if (typeof target !== 'string') return malformed(target.problem);
  if (target !== expected.target) return malformed('target.id is not the session target');
  const owner = innerString(parsed.userIdentity, 'userIdentity', 'arn');
  if (typeof owner !== 'string') return malformed(owner.problem);
  if (!Array.isArray(sessionData) || !sessionData.every((line) => typeof line === 'string')) {
    return malformed('sessionData is not a list of strings');
  }
  return { kind: 'record', runAsUser, sessionId, target, eventTime };
};

// ----- the verdict -------------------------------------------------------------------------------

/** Why a session cannot be checked against its log, by the nature of the session or document. */
export type NotVerifiableReason =
  | 'port-session'
  | 'command-document'
  | 'streaming-disabled'
  | 'no-log-group'
  | 'invalid-log-group-name'
  | 'document-rejected'
  | 'log-group-missing'
  | 'no-user-recorded';

export type SessionLogUnreadable = 'access-denied' | 'kms';

/** Why the log could have answered but did not. */
export type UnknownReason =
  | SessionLogUnreadable
  | 'settings-unknown'
  | 'malformed-record'
  | 'masked'
  | 'no-stream'
  | 'empty-stream';

/** What reading the session's stream gave, with the first event already parsed. */
export type SessionLogEvidence =
  | SessionLogParse
  | { readonly kind: 'no-stream' }
  | { readonly kind: 'empty-stream' }
  | { readonly kind: 'no-group' }
  | { readonly kind: 'unreadable'; readonly reason: SessionLogUnreadable }
  | { readonly kind: 'not-streamed'; readonly reason: NotVerifiableReason }
  /** The document names its log group through something the auditor cannot resolve. */
  | { readonly kind: 'settings-unknown' };

/** What the audit concluded about the session, as the log can confirm it. */
export interface AuditedShell {
  /** With Run As on: the user it resolved, untrimmed, as the agent receives and records it. */
  readonly expectedUser: string;
  /** false when Run As was off: the agent then starts the shell as ssm-user. */
  readonly runAsApplied: boolean;
  /** The audit concluded the agent refused the shell (no user, user missing, uid or gid 0). */
  readonly refusalExpected: boolean;
}

export type SessionLogVerdict =
  | { readonly kind: 'verified'; readonly observedUser: string }
  | { readonly kind: 'unexpected-user'; readonly observedUser: string; readonly expectedUser: string }
  | { readonly kind: 'started-although-refused'; readonly observedUser: string }
  | { readonly kind: 'never-started' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'not-verifiable'; readonly reason: NotVerifiableReason }
  | { readonly kind: 'unknown'; readonly reason: UnknownReason; readonly problem?: string };

/**
 * Compares what the agent recorded with what the audit expected. Names compare exactly: the agent
 * records the very string it passed to `id` (a uid stays digits, case and spaces are kept). No
 * stream is only an answer once the window is over (`windowClosed`); until then it is `pending`.
 */
export const judgeSessionLog = (
  audited: AuditedShell,
  evidence: SessionLogEvidence,
  windowClosed: boolean,
): SessionLogVerdict => {
  switch (evidence.kind) {
    case 'not-streamed':
      return { kind: 'not-verifiable', reason: evidence.reason };
    case 'settings-unknown':
      return { kind: 'unknown', reason: 'settings-unknown' };
    // The agent checks the group when the session starts and streams nothing when it is absent.
    case 'no-group':
      return { kind: 'not-verifiable', reason: 'log-group-missing' };
    case 'unreadable':
      return { kind: 'unknown', reason: evidence.reason };
    case 'malformed':
      return { kind: 'unknown', reason: 'malformed-record', problem: evidence.problem };
    case 'empty-stream':
      return windowClosed ? { kind: 'unknown', reason: 'empty-stream' } : { kind: 'pending' };
    case 'no-stream':
      if (!windowClosed) return { kind: 'pending' };
      // A shell that starts writes its prompt within a second; without one, the missing stream may
      // also be a node that cannot stream (no logs:CreateLogStream, no route to CloudWatch Logs).
      return audited.refusalExpected ? { kind: 'never-started' } : { kind: 'unknown', reason: 'no-stream' };
    case 'record':
      return compare(audited, evidence.runAsUser);
  }
};

const compare = (audited: AuditedShell, observedUser: string): SessionLogVerdict => {
  if (observedUser === '') return { kind: 'not-verifiable', reason: 'no-user-recorded' };
  if (audited.refusalExpected) return { kind: 'started-although-refused', observedUser };
  const expectedUser = audited.runAsApplied ? audited.expectedUser : SSM_USER;
  if (observedUser === expectedUser) return { kind: 'verified', observedUser };
  // A data protection policy on the group masks what it matches (e-mail-like directory users)
  // with asterisks, which no OS user name contains.
  if (observedUser.includes('*')) return { kind: 'unknown', reason: 'masked' };
  return { kind: 'unexpected-user', observedUser, expectedUser };
};

// ----- what the document says about streaming --------------------------------------------------

export type LogEncryption = 'required' | 'not-required' | 'unknown';

export type SessionLogSettings =
  | { readonly kind: 'streams'; readonly logGroupName: string; readonly encryption: LogEncryption }
  | { readonly kind: 'not-streamed'; readonly reason: NotVerifiableReason }
  /** A log group name the auditor cannot resolve ({{ssm:…}}, or a parameter with no value). */
  | { readonly kind: 'unknown' };

/** CloudWatch Logs' rule for log group names. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * Reads whether sessions on this document stream a session log, and where. `doc` is the document
 * whose inputs the agent receives; `params` the StartSession parameters. Types follow the agent's
 * struct: a non-boolean cloudWatchStreamingEnabled (a template included) or a non-string log
 * group name fails every session; cloudWatchEncryptionEnabled is read with ConvertToBool.
 */
export const readSessionLogSettings = (
  doc: SessionDocument,
  params: SessionParameters,
): SessionLogSettings => {
  if (doc.sessionType === 'Port') return { kind: 'not-streamed', reason: 'port-session' };
  if (doc.sessionType !== 'Standard_Stream') return { kind: 'not-streamed', reason: 'command-document' };
  const rejected = { kind: 'not-streamed', reason: 'document-rejected' } as const;
  const inputs: JsonRecord | undefined = recordOrEmpty(doc.inputs);
  if (inputs === undefined) return rejected;
  const context = parameterContext(doc.parameters, params);

  const streaming = goField(inputs, 'cloudWatchStreamingEnabled');
  if (streaming !== undefined && streaming !== null && typeof streaming !== 'boolean') return rejected;
  const rawName = goField(inputs, 'cloudWatchLogGroupName');
  if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') return rejected;

  let encryption: LogEncryption = 'not-required';
  const rawEncryption = substitute(goField(inputs, 'cloudWatchEncryptionEnabled'), context);
  if (rawEncryption.kind !== 'value') encryption = 'unknown';
  else {
    const value = agentBool(rawEncryption.value);
    if (value === undefined) return rejected;
    encryption = value ? 'required' : 'not-required';
  }

  if (streaming !== true) return { kind: 'not-streamed', reason: 'streaming-disabled' };
  if (typeof rawName !== 'string' || rawName === '') return { kind: 'not-streamed', reason: 'no-log-group' };
  const name = substitute(rawName, context);
  if (name.kind !== 'value') return { kind: 'unknown' };
  // A template that resolves to a non-string fails the agent's second decode of the inputs.
  if (name.value !== null && typeof name.value !== 'string') return rejected;
  if (name.value === null || name.value === '') return { kind: 'not-streamed', reason: 'no-log-group' };
  // The agent looks such a name up, finds no group, and streams nothing.
  if (!LOG_GROUP_NAME.test(name.value)) return { kind: 'not-streamed', reason: 'invalid-log-group-name' };
  return { kind: 'streams', logGroupName: name.value, encryption };
};
