/**
 * Reads of one change, memoized for its invocation: a change touches the same principal's tags
 * and the same documents from several places (posture, re-evaluated findings, open sessions), and
 * every place must see the same state. The adapters behind a change are not cached across
 * invocations (the whole point is to see what just changed).
 */
import { type Known, type Principal, type Tags, unknown } from '../domain/facts.ts';
import { PREFERENCES_DOCUMENT } from '../domain/runAs.ts';
import { parseSessionDocument, type SessionDocument } from '../domain/sessionDocument.ts';
import type { ChangeAuditPorts, DocumentContent } from './ports.ts';

export const DEFAULT_VERSION = '$DEFAULT';
export const LATEST_VERSION = '$LATEST';

export interface ChangeReads {
  tagsOf(principal: Principal): Promise<Known<Tags>>;
  /** GetDocument as read (type and version included); value null when the document does not exist. */
  documentOf(region: string, name: string, version?: string): Promise<Known<DocumentContent | null>>;
  /** The same read, parsed as a Session document. */
  sessionDocumentOf(region: string, name: string, version?: string): Promise<Known<SessionDocument | null>>;
}

/** A GetDocument read parsed as a Session document; absence stays null. */
export const toSessionDocument = (read: Known<DocumentContent | null>): Known<SessionDocument | null> => {
  if (!read.known || read.value === null) return read as Known<SessionDocument | null>;
  if (read.value.documentType !== '' && read.value.documentType !== 'Session') {
    return unknown(
      `document ${read.value.name} is a ${read.value.documentType} document, not a Session document`,
    );
  }
  return parseSessionDocument(read.value.content);
};

const memo = <V>(): ((key: string, load: () => Promise<V>) => Promise<V>) => {
  const values = new Map<string, Promise<V>>();
  return (key, load) => {
    let value = values.get(key);
    if (value === undefined) {
      value = load();
      values.set(key, value);
    }
    return value;
  };
};

export const createChangeReads = (ports: ChangeAuditPorts): ChangeReads => {
  const tags = memo<Known<Tags>>();
  const documents = memo<Known<DocumentContent | null>>();
  const documentOf = (region: string, name: string, version = DEFAULT_VERSION) =>
    documents(`${region}\u0000${name}\u0000${version}`, () =>
      ports.inRegion(region).documents.documentOf(name, version),
    );
  return {
    tagsOf: (principal) => tags(principal.arn, () => ports.principalTags.tagsOf(principal)),
    documentOf,
    sessionDocumentOf: async (region, name, version) =>
      toSessionDocument(await documentOf(region, name, version)),
  };
};

/** The Region's preferences ($DEFAULT), as Session Manager applies them. */
export const preferencesOf = (reads: ChangeReads, region: string): Promise<Known<SessionDocument | null>> =>
  reads.sessionDocumentOf(region, PREFERENCES_DOCUMENT);
