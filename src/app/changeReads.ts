/**
 * Reads of one change, memoized for its invocation: a change touches the same principal's tags
 * and the same documents from several places (posture, re-evaluated findings, open sessions), and
 * every place must see the same state. The adapters behind a change are not cached across
 * invocations (the whole point is to see what just changed).
 */
import type { VersionLabel } from '../domain/decision.ts';
import type { DocumentRead, Known, Principal, Tags } from '../domain/facts.ts';
import { otherLabel } from '../domain/runAs.ts';
import { PREFERENCES_DOCUMENT } from '../domain/sessionManager.ts';
import type { ChangeAuditPorts } from './ports.ts';

/** A document as sessions run it (the judged version) and its other version. */
export interface DocumentVersions {
  readonly judged: Known<DocumentRead | null>;
  readonly other: Known<DocumentRead | null>;
}

export interface ChangeReads {
  tagsOf(principal: Principal): Promise<Known<Tags>>;
  /** A document of a Region at a version (`$LATEST`, `$DEFAULT` or a number); value null when it does not exist. */
  documentOf(region: string, name: string, version: string): Promise<Known<DocumentRead | null>>;
  /** Both versions of a document: the judged one and the other. */
  versionsOf(region: string, name: string): Promise<DocumentVersions>;
  /** The Region's preferences at the judged version. */
  preferencesOf(region: string): Promise<Known<DocumentRead | null>>;
  readonly judgedVersion: VersionLabel;
}

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

export const createChangeReads = (ports: ChangeAuditPorts, judgedVersion: VersionLabel): ChangeReads => {
  const tags = memo<Known<Tags>>();
  const documents = memo<Known<DocumentRead | null>>();
  const documentOf = (region: string, name: string, version: string) =>
    documents(`${region}\u0000${name}\u0000${version}`, () =>
      ports.inRegion(region).documents.documentOf(name, version),
    );
  return {
    judgedVersion,
    tagsOf: (principal) => tags(principal.arn, () => ports.principalTags.tagsOf(principal)),
    documentOf,
    versionsOf: async (region, name) => {
      const [judged, other] = await Promise.all([
        documentOf(region, name, judgedVersion),
        documentOf(region, name, otherLabel(judgedVersion)),
      ]);
      return { judged, other };
    },
    preferencesOf: (region) => documentOf(region, PREFERENCES_DOCUMENT, judgedVersion),
  };
};
