/**
 * EventBridge "AWS API Call via CloudTrail" for ssm:StartSession → StartSessionCommand.
 * Other SSM calls are out of scope (a return value); anything malformed throws
 * MalformedEventError naming the field, so the record fails: its queue redelivers it and then
 * keeps it in the function's dead-letter queue instead of dropping it.
 */
import { isDocumentReference } from '../domain/arn.ts';
import { consoleSession } from '../domain/identity.ts';
import { PREFERENCES_DOCUMENT } from '../domain/sessionManager.ts';
import { MalformedEventError } from '../errors.ts';
import { type ApiCallRecord, openEnvelope, parseApiCallRecord } from './envelope.ts';
import { asObject, type JsonObject, objectAt, optionalStringAt, stringAt, valueAt } from './fields.ts';
import { type Intake, inScope, outOfScope } from './intake.ts';

export interface StartSessionCommand extends ApiCallRecord {
  /** `i-…`, `mi-…`, `ecs:cluster_task_container`, … */
  readonly target: string;
  /** requestParameters.documentName, or SSM-SessionManagerRunShell when none was named. */
  readonly documentName: string;
  /** Whether StartSession named a document. */
  readonly documentNamed: boolean;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  /** responseElements.sessionId; null when responseElements was null or had none. */
  readonly sessionId: string | null;
  /** Signed with per-request console keys: the key that STS issued never appears (see consoleSession). */
  readonly console: boolean;
  /** The event as delivered: a session whose STS record has not arrived is audited again from it. */
  readonly event: unknown;
}

export const SSM_SOURCE = { source: 'aws.ssm', eventSource: 'ssm.amazonaws.com' } as const;

const TARGET = /^[A-Za-z0-9_:./-]+$/;
const MAX_TARGET = 400;
const SESSION_ID = /^[\x21-\x7e]{1,256}$/;
const MAX_PARAMETERS = 200;
const MAX_PARAMETER_NAME = 256;
const MAX_PARAMETER_VALUES = 100;
// Command parameters (InteractiveCommands documents) can carry whole scripts.
const MAX_PARAMETER_VALUE = 65_536;

const parametersOf = (requestParameters: JsonObject, base: string): Record<string, string[]> => {
  const raw = valueAt(requestParameters, 'parameters');
  if (raw === undefined || raw === null) return {};
  const path = `${base}.parameters`;
  const object = asObject(raw, path);
  const entries = Object.entries(object);
  if (entries.length > MAX_PARAMETERS)
    throw new MalformedEventError(path, `has more than ${MAX_PARAMETERS} entries`);
  // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(
    entries.map(([name, values]): [string, string[]] => {
      const valuesPath = `${path}.${name.slice(0, MAX_PARAMETER_NAME)}`;
      if (name.trim() === '' || name.length > MAX_PARAMETER_NAME) {
        throw new MalformedEventError(valuesPath, `must be a name of 1 to ${MAX_PARAMETER_NAME} characters`);
      }
      if (!Array.isArray(values)) throw new MalformedEventError(valuesPath, 'must be an array of strings');
      if (values.length > MAX_PARAMETER_VALUES) {
        throw new MalformedEventError(valuesPath, `has more than ${MAX_PARAMETER_VALUES} values`);
      }
      return [
        name,
        values.map((value: unknown, index) => {
          if (typeof value !== 'string') {
            throw new MalformedEventError(`${valuesPath}[${index}]`, 'must be a string');
          }
          if (value.length > MAX_PARAMETER_VALUE) {
            throw new MalformedEventError(
              `${valuesPath}[${index}]`,
              `is longer than ${MAX_PARAMETER_VALUE} characters`,
            );
          }
          return value;
        }),
      ];
    }),
  );
};

const sessionIdOf = (detail: JsonObject): string | null => {
  const responseElements = valueAt(detail, 'responseElements');
  if (responseElements === undefined || responseElements === null) return null;
  const object = asObject(responseElements, 'detail.responseElements');
  const sessionId = optionalStringAt(object, 'sessionId', 'detail.responseElements', {
    pattern: SESSION_ID,
    expected: 'a session id (printable ASCII, at most 256 characters)',
  });
  return sessionId ?? null;
};

/**
 * The StartSession record of an opened envelope (see envelope.ts). Exported for callers
 * that already opened the envelope; the eventName is not checked again.
 */
export const parseStartSessionRecord = (
  detail: JsonObject,
  envelope: JsonObject,
  now: number,
  event: unknown = envelope,
): StartSessionCommand => {
  const record: ApiCallRecord = parseApiCallRecord(detail, envelope, now);
  const base = 'detail.requestParameters';
  const requestParameters = objectAt(detail, 'requestParameters', 'detail');
  const target = stringAt(requestParameters, 'target', base, {
    max: MAX_TARGET,
    pattern: TARGET,
    expected: 'a target id of letters, digits and _ : . - /',
  });
  const documentName = optionalStringAt(requestParameters, 'documentName', base, { max: 1024 });
  if (documentName !== undefined && !isDocumentReference(documentName)) {
    throw new MalformedEventError(`${base}.documentName`, 'must be an SSM document name or document ARN');
  }
  return {
    ...record,
    target,
    documentName: documentName ?? PREFERENCES_DOCUMENT,
    documentNamed: documentName !== undefined,
    parameters: parametersOf(requestParameters, base),
    sessionId: sessionIdOf(detail),
    console: consoleSession({
      sessionCredentialFromConsole: valueAt(detail, 'sessionCredentialFromConsole'),
      userAgent: record.userAgent,
      accessKeyId: record.principal.accessKeyId,
      ...(record.principal.sessionCreatedAt === undefined
        ? {}
        : { creationDate: record.principal.sessionCreatedAt }),
    }),
    event,
  };
};

/** `now` is the clock (epoch ms): an event dated more than 15 minutes after it is malformed. */
export const parseStartSessionEvent = (
  event: unknown,
  now: number = Date.now(),
): Intake<StartSessionCommand> => {
  const { envelope, detail, eventName } = openEnvelope(event, SSM_SOURCE);
  if (eventName !== 'StartSession') return outOfScope(`${eventName} is not StartSession`);
  return inScope(parseStartSessionRecord(detail, envelope, now, event));
};
