/**
 * EventBridge "AWS API Call via CloudTrail" for SSM document changes → DocumentChangeCommand.
 * Only Session documents carry Run As settings: a change to a document of another known type,
 * a failed call or another SSM API is out of scope. Content is never in CloudTrail
 * (HIDDEN_DUE_TO_SECURITY_REASONS), so the command names the document and the use case re-reads it.
 */
import { parseDocumentArn } from '../domain/arn.ts';
import { isDocumentName, type Partition } from '../domain/identifiers.ts';
import { MalformedEventError } from '../errors.ts';
import { openEnvelope, parseApiCallRecord } from './envelope.ts';
import { type JsonObject, objectAt, optionalObjectAt, optionalStringAt, stringAt } from './fields.ts';
import { type Intake, inScope, outOfScope } from './intake.ts';
import { SSM_SOURCE } from './startSession.ts';

export const DOCUMENT_CHANGE_EVENTS = [
  'CreateDocument',
  'UpdateDocument',
  'UpdateDocumentDefaultVersion',
  'DeleteDocument',
] as const;

export type DocumentChangeEventName = (typeof DOCUMENT_CHANGE_EVENTS)[number];

export interface DocumentChangeCommand {
  readonly eventId: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly eventTime: string;
  readonly eventName: DocumentChangeEventName;
  readonly accountId: string;
  readonly region: string;
  readonly partition: Partition;
  /** The document name (an ARN in the request is reduced to its name). */
  readonly documentName: string;
  /** `Session`, or `unknown` when the record does not say (UpdateDocumentDefaultVersion, DeleteDocument). */
  readonly documentType: string;
  /** DeleteDocument of the whole document (not of one version). */
  readonly deleted: boolean;
  /** Versions the response named, when it did. */
  readonly defaultVersion?: string;
  readonly latestVersion?: string;
  /** Who made the change (the caller ARN as CloudTrail recorded it). */
  readonly changedBy: string;
}

export const UNKNOWN_DOCUMENT_TYPE = 'unknown';

const KNOWN_EVENTS: ReadonlySet<string> = new Set(DOCUMENT_CHANGE_EVENTS);
const isDocumentChangeEvent = (name: string): name is DocumentChangeEventName => KNOWN_EVENTS.has(name);

const DOCUMENT_TYPE = /^[A-Za-z.]{1,64}$/;
/** A version number, or the `$LATEST` / `$DEFAULT` aliases the API accepts. */
const DOCUMENT_VERSION = /^(?:[1-9]\d{0,9}|\$LATEST|\$DEFAULT)$/;
const NUMBERED_VERSION = /^[1-9]\d{0,9}$/;

const base = 'detail.requestParameters';

const documentNameOf = (requestParameters: JsonObject): string => {
  const raw = stringAt(requestParameters, 'name', base, { max: 512 });
  if (isDocumentName(raw)) return raw;
  const arn = parseDocumentArn(raw);
  if (arn !== undefined) return arn.name;
  throw new MalformedEventError(`${base}.name`, 'must be an SSM document name or document ARN');
};

const documentTypeRule = { max: 64, pattern: DOCUMENT_TYPE, expected: 'an SSM document type' };
const versionRule = { max: 16, pattern: NUMBERED_VERSION, expected: 'a document version number' };

/** responseElements.documentDescription (Create/UpdateDocument) or .description (UpdateDocumentDefaultVersion). */
const descriptionOf = (detail: JsonObject): { at: string; value: JsonObject } | undefined => {
  const responseElements = optionalObjectAt(detail, 'responseElements', 'detail');
  if (responseElements === undefined) return undefined;
  for (const key of ['documentDescription', 'description']) {
    const value = optionalObjectAt(responseElements, key, 'detail.responseElements');
    if (value !== undefined) return { at: `detail.responseElements.${key}`, value };
  }
  return undefined;
};

/** `now` is the clock (epoch ms): an event dated more than 15 minutes after it is malformed. */
export const parseDocumentChangeEvent = (
  event: unknown,
  now: number = Date.now(),
): Intake<DocumentChangeCommand> => {
  const { envelope, detail, eventName } = openEnvelope(event, SSM_SOURCE);
  if (!isDocumentChangeEvent(eventName)) return outOfScope(`${eventName} does not change a session document`);
  const record = parseApiCallRecord(detail, envelope, now);
  if (record.errorCode !== null) return outOfScope(`${eventName} failed (${record.errorCode})`);

  const requestParameters = objectAt(detail, 'requestParameters', 'detail');
  const documentName = documentNameOf(requestParameters);
  const description = descriptionOf(detail);
  const requestedType = optionalStringAt(requestParameters, 'documentType', base, documentTypeRule);
  const describedType =
    description === undefined
      ? undefined
      : optionalStringAt(description.value, 'documentType', description.at, documentTypeRule);
  // CreateDocument without a documentType creates a Command document (the API's default).
  const documentType =
    describedType ?? requestedType ?? (eventName === 'CreateDocument' ? 'Command' : UNKNOWN_DOCUMENT_TYPE);
  if (documentType !== 'Session' && documentType !== UNKNOWN_DOCUMENT_TYPE) {
    return outOfScope(`document ${documentName} is a ${documentType} document, not a Session document`);
  }

  const version = optionalStringAt(requestParameters, 'documentVersion', base, {
    max: 16,
    pattern: DOCUMENT_VERSION,
    expected: 'a document version ($LATEST, $DEFAULT or a number)',
  });
  const versionName = optionalStringAt(requestParameters, 'versionName', base, { max: 128 });
  const defaultVersion =
    description === undefined
      ? undefined
      : optionalStringAt(description.value, 'defaultVersion', description.at, versionRule);
  const latestVersion =
    description === undefined
      ? undefined
      : optionalStringAt(description.value, 'latestVersion', description.at, versionRule);

  return inScope({
    eventId: record.eventId,
    eventTime: record.eventTime,
    eventName,
    accountId: record.accountId,
    region: record.region,
    partition: record.partition,
    documentName,
    documentType,
    // DeleteDocument with a version (or version name) removes only that version.
    deleted: eventName === 'DeleteDocument' && version === undefined && versionName === undefined,
    ...(defaultVersion === undefined ? {} : { defaultVersion }),
    ...(latestVersion === undefined ? {} : { latestVersion }),
    changedBy: record.principal.callerArn,
  });
};
