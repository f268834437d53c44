/**
 * The session verification request: what the session audit queues so that, once the agent has
 * had time to stream, the verification can read the session log and re-import the session's
 * finding. It carries the audit's conclusion (the command, the decision, the platform), so the
 * finding is rebuilt from the same facts rather than from a second reading of the world. Written
 * and read back here only; what comes back is checked before it is used: the queue's policy lets
 * only the auditor's functions send, and every text still goes through the findings' quoting.
 */
import type { Decision } from '../domain/decision.ts';
import { isAccountId, isPartition, isRegion } from '../domain/identifiers.ts';
import { isRecord, type JsonRecord } from '../domain/json.ts';
import { isOutcome } from '../domain/outcome.ts';
import type { AuditedShell, LogEncryption } from '../domain/sessionLog.ts';
import { MalformedEventError } from '../errors.ts';
import { type Intake, inScope } from '../events/intake.ts';
import type { StartSessionCommand } from '../events/startSession.ts';

export const VERIFICATION_KIND = 'session-log-verification';

/** `first`: the reading after the delay; `last`: the one when the window closes. */
export type Reading = 'first' | 'last';

export interface VerificationRequest {
  readonly kind: typeof VERIFICATION_KIND;
  readonly version: 1;
  readonly reading: Reading;
  readonly logGroupName: string;
  readonly encryption: LogEncryption;
  readonly audited: AuditedShell;
  /** Whether the session audit imported a finding (a compliant one may not have). */
  readonly reported: boolean;
  readonly platform: string;
  readonly command: StartSessionCommand & { readonly sessionId: string };
  readonly decision: Decision;
}

/** SQS's limit for one message body. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * The request as a message body. JSON already escapes controls and lone surrogates; U+FFFE and
 * U+FFFF, which SQS refuses in a body, can only stand inside a string and are escaped too.
 */
export const writeVerificationRequest = (request: VerificationRequest): string =>
  JSON.stringify(request).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const bad = (field: string, problem: string): never => {
  throw new MalformedEventError(field, problem);
};

const objectAt = (record: JsonRecord, key: string, path: string): JsonRecord => {
  const value = record[key];
  return isRecord(value) ? value : bad(`${path}${key}`, 'must be an object');
};

const stringAt = (record: JsonRecord, key: string, path: string, rule?: RegExp): string => {
  const value = record[key];
  if (typeof value !== 'string') return bad(`${path}${key}`, 'must be a string');
  return rule === undefined || rule.test(value) ? value : bad(`${path}${key}`, 'has the wrong form');
};

const boolAt = (record: JsonRecord, key: string, path: string): boolean => {
  const value = record[key];
  return typeof value === 'boolean' ? value : bad(`${path}${key}`, 'must be true or false');
};

const oneOf = <T extends string>(record: JsonRecord, key: string, path: string, allowed: readonly T[]): T => {
  const value = record[key];
  return allowed.find((a) => a === value) ?? bad(`${path}${key}`, `must be one of ${allowed.join(', ')}`);
};

const checkCommand = (command: JsonRecord): void => {
  const at = 'command.';
  stringAt(command, 'eventId', at, /^[\x21-\x7e]{1,128}$/);
  const time = stringAt(command, 'eventTime', at, ISO_TIME);
  if (Number.isNaN(Date.parse(time))) bad(`${at}eventTime`, 'is not a time');
  if (!isAccountId(stringAt(command, 'accountId', at))) bad(`${at}accountId`, 'must be an account id');
  if (!isRegion(stringAt(command, 'region', at))) bad(`${at}region`, 'must be a Region');
  if (!isPartition(stringAt(command, 'partition', at))) bad(`${at}partition`, 'must be a partition');
  stringAt(command, 'sessionId', at, SESSION_ID);
  stringAt(command, 'target', at);
  stringAt(command, 'documentName', at);
  const principal = objectAt(command, 'principal', at);
  for (const key of ['kind', 'arn', 'name', 'callerArn']) stringAt(principal, key, `${at}principal.`);
  const parameters = objectAt(command, 'parameters', at);
  for (const [name, values] of Object.entries(parameters)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string'))
      bad(`${at}parameters.${name.slice(0, 64)}`, 'must be a list of strings');
  }
};

const checkDecision = (decision: JsonRecord): void => {
  const at = 'decision.';
  if (!isOutcome(stringAt(decision, 'outcome', at))) bad(`${at}outcome`, 'is not an outcome');
  for (const key of ['expectedUser', 'sessionUser', 'settingsDocument', 'documentVersion'])
    stringAt(decision, key, at);
  oneOf(decision, 'expectedUserSource', at, ['session-tag', 'principal-tag', 'preferences', 'none']);
  oneOf(decision, 'sessionTags', at, ['none', 'applied', 'unknown']);
  oneOf(decision, 'judgedVersion', at, ['$LATEST', '$DEFAULT']);
  boolAt(decision, 'userVerified', at);
  const steps = decision.steps;
  if (!Array.isArray(steps) || !steps.every((s) => isRecord(s) && typeof s.step === 'string'))
    bad(`${at}steps`, 'must be a list of steps');
};

/**
 * Reads a queued request. A body that is not one is malformed (thrown, so the queue keeps it and
 * its dead-letter queue ends up with it); nothing of it is echoed in the error.
 */
export const parseVerificationRequest = (event: unknown): VerificationRequest => {
  if (!isRecord(event)) return bad('body', 'must be a JSON object');
  if (event.kind !== VERIFICATION_KIND) bad('kind', `must be "${VERIFICATION_KIND}"`);
  if (event.version !== 1) bad('version', 'must be 1');
  oneOf(event, 'reading', '', ['first', 'last']);
  stringAt(event, 'logGroupName', '', LOG_GROUP_NAME);
  oneOf(event, 'encryption', '', ['required', 'not-required', 'unknown']);
  const audited = objectAt(event, 'audited', '');
  stringAt(audited, 'expectedUser', 'audited.');
  boolAt(audited, 'runAsApplied', 'audited.');
  boolAt(audited, 'refusalExpected', 'audited.');
  boolAt(event, 'reported', '');
  stringAt(event, 'platform', '');
  checkCommand(objectAt(event, 'command', ''));
  checkDecision(objectAt(event, 'decision', ''));
  return event as unknown as VerificationRequest;
};

/** A queued request as the batch runner takes it: always in scope, or malformed (thrown). */
export const verificationIntake = (event: unknown): Intake<VerificationRequest> =>
  inScope(parseVerificationRequest(event));
