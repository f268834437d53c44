/**
 * Session document content as the agent's Go decoder reads it: object keys match the decoder's
 * struct fields case-insensitively (`"RunAsEnabled"` counts), and only the session type is needed
 * to know what kind of session it is. Typed validation is the settings phase's job.
 */
import { type Known, known, unknown } from './facts.ts';
import { goField, isRecord, type JsonRecord, jsonText } from './json.ts';
import { SESSION_TYPES, type SessionType } from './sessionManager.ts';

/** The parts of a Session document the Run As decision reads, as written. */
export interface SessionDocument {
  /** As written: the agent accepts only the string "1.0". */
  readonly schemaVersion: unknown;
  readonly sessionType: SessionType;
  /** `inputs` as written (Standard_Stream preferences: runAsEnabled, runAsDefaultUser, ...). */
  readonly inputs: unknown;
  /** Declared parameters as written (`{{name}}` templates fall back to their defaults). */
  readonly parameters: unknown;
  /** `properties` as written (command documents: linux/macos/windows { commands, runAsElevated }). */
  readonly properties: unknown;
}

/** StartSession `parameters`, as CloudTrail records them: name → list of values. */
export type SessionParameters = Readonly<Record<string, readonly string[]>>;

/**
 * Parses Session document content as GetDocument returns it (a JSON string, or already parsed).
 * Content that is not a Session document of a known type is `unknown`, with the reason.
 */
export const parseSessionDocument = (content: unknown): Known<SessionDocument> => {
  let parsed: unknown = content;
  if (typeof content === 'string') {
    try {
      parsed = JSON.parse(content);
    } catch {
      return unknown('the document content is not valid JSON');
    }
  }
  if (!isRecord(parsed)) return unknown('the document content is not a JSON object');
  const sessionType = goField(parsed, 'sessionType');
  if (sessionType === undefined || sessionType === null) {
    return unknown('the document has no sessionType: it is not a Session document');
  }
  const type = SESSION_TYPES.find((candidate) => candidate === sessionType);
  if (type === undefined) {
    return unknown(`the document has an unknown sessionType ${jsonText(sessionType).slice(0, 80)}`);
  }
  return known({
    schemaVersion: goField(parsed, 'schemaVersion'),
    sessionType: type,
    inputs: goField(parsed, 'inputs'),
    parameters: goField(parsed, 'parameters'),
    properties: goField(parsed, 'properties'),
  });
};

/** `inputs` as a record: absent and null read as an empty struct; anything else is not a record. */
export const recordOrEmpty = (value: unknown): JsonRecord | undefined =>
  value === undefined || value === null ? {} : isRecord(value) ? value : undefined;
