/**
 * Hand-written fakes for auditing history: StartSession records in the shape a trail writes (built
 * from events/startsession-compliant-iamuser-tag.json), the session audit's reads of an account
 * where Run As is on with ec2-user as default, and an in-memory ledger and watermarks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  HistoryRecord,
  LedgerLookup,
  StartSessionHistory,
  TimeWindow,
} from '../../../src/app/historyPorts.ts';
import type { FindingImporter, SessionReadPorts } from '../../../src/app/ports.ts';
import type { Ledger, LedgerEntry, Watermarks } from '../../../src/app/statePorts.ts';
import { known, type Tags } from '../../../src/domain/facts.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../events/startsession-compliant-iamuser-tag.json');
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { detail: Record<string, unknown> };

export const ACCOUNT = '111122223333';

/** A StartSession record of IAM user `user` at `eventTime`, with its own eventID and session id. */
export const startSessionRecord = (
  n: number,
  eventTime: string,
  overrides: { readonly user?: string; readonly region?: string; readonly target?: string } = {},
): Record<string, unknown> => {
  const user = overrides.user ?? 'alice';
  const id = String(n).padStart(12, '0');
  return {
    ...structuredClone(fixture.detail),
    eventID: `00000000-0000-4000-8000-${id}`,
    eventTime,
    awsRegion: overrides.region ?? 'us-east-1',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLE000000001',
      userName: user,
    },
    requestParameters: { target: overrides.target ?? 'i-0a1b2c3d4e5f60001' },
    responseElements: { sessionId: `${user}-${id.slice(-12)}0000a` },
  };
};

export const historyRecord = (record: unknown, name = 'record'): HistoryRecord => ({ name, record });

/** A source of pages, as LookupEvents gives them. */
export async function* pagesOf(
  ...pages: readonly (readonly HistoryRecord[])[]
): AsyncGenerator<readonly HistoryRecord[]> {
  for (const page of pages) yield page;
}

/**
 * The session audit's reads: Run As on with default ec2-user for every document, Linux nodes,
 * IAM tags from `tags` (by user name), every user present on every node. Counts calls.
 */
export const sessionReads = (tags: Readonly<Record<string, Tags>> = {}) => {
  const calls: string[] = [];
  const reads: SessionReadPorts = {
    principalTags: {
      tagsOf: async (principal) => {
        calls.push(`tags:${principal.name}`);
        return known(tags[principal.name] ?? {});
      },
    },
    sessionTags: { sessionTagsOf: async () => ({ status: 'not-a-role-session' }) },
    documents: {
      documentOf: async (name) => {
        calls.push(`document:${name}`);
        return known({
          name,
          version: '1',
          documentType: 'Session',
          content: {
            schemaVersion: '1.0',
            sessionType: 'Standard_Stream',
            inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
          },
        });
      },
    },
    platforms: { platformOf: async () => known('Linux' as const) },
    nodeUsers: { presenceOf: async () => ({ status: 'present', source: 'inventory' }) },
  };
  return { reads, calls };
};

/** StartSession records of a Region served by time window, newest first, `pageSize` a page. */
export const historyOf = (records: readonly Record<string, unknown>[], pageSize = 50) => {
  const windows: TimeWindow[] = [];
  const history: StartSessionHistory = {
    pages: async function* (window) {
      windows.push(window);
      const inWindow = records
        .filter((r) => {
          const t = Date.parse(String(r.eventTime));
          return t >= Date.parse(window.from) && t <= Date.parse(window.to);
        })
        .sort((a, b) => Date.parse(String(b.eventTime)) - Date.parse(String(a.eventTime)));
      for (let i = 0; i < inWindow.length; i += pageSize) {
        yield inWindow.slice(i, i + pageSize).map((record) => historyRecord(record, String(record.eventID)));
      }
    },
  };
  return { history, windows };
};

/** The ledger and watermarks in memory, as the state table keeps them. */
export const memoryState = () => {
  const entries = new Map<string, LedgerEntry>();
  const marks = new Map<string, string>();
  const key = (r: { accountId: string; region: string; eventId: string }) =>
    `${r.accountId}/${r.region}/${r.eventId}`;
  const ledger: Ledger & LedgerLookup = {
    mark: async (entry) => {
      if (entries.has(key(entry))) return 'already-marked';
      entries.set(key(entry), entry);
      return 'marked';
    },
    has: async (ref) => entries.has(key(ref)),
    markedAmong: async (refs) =>
      new Set(refs.filter((ref) => entries.has(key(ref))).map((ref) => ref.eventId)),
  };
  const watermarks: Watermarks = {
    get: async (accountId, region) => marks.get(`${accountId}/${region}`),
    advance: async (accountId, region, through) => {
      const current = marks.get(`${accountId}/${region}`);
      if (current !== undefined && Date.parse(current) >= Date.parse(through)) return 'not-advanced';
      marks.set(`${accountId}/${region}`, new Date(through).toISOString());
      return 'advanced';
    },
  };
  return { ledger, watermarks, entries, marks };
};

/** An importer that keeps what it is given, and refuses findings whose Id `refuse` picks. */
export const keepingImporter = (refuse: (finding: AsffFinding) => boolean = () => false) => {
  const imported: AsffFinding[] = [];
  const importer: FindingImporter = {
    importFindings: async (findings) => {
      const failed = findings
        .filter(refuse)
        .map((f) => ({ id: f.Id, code: 'InvalidInput', message: 'refused' }));
      imported.push(...findings.filter((f) => !refuse(f)));
      return { failed, calls: findings.length === 0 ? [] : [findings.length] };
    },
  };
  return { importer, imported };
};
