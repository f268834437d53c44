/**
 * The schema of a world's Regions: per Region, its SSM documents (with versions), managed nodes
 * (with OS users and inventory time), sessions, raw CloudTrail records and CloudWatch Logs groups.
 * A new per-Region key is one entry of regionSchema, with its schema beside the service it feeds.
 */
import { z } from 'zod';
import { parsePrincipalArn } from '../../domain/arn.ts';
import { isDocumentName, isManagedNodeId, isRegion } from '../../domain/identifiers.ts';
import { closed, flag, isoTime, list, nonBlank, oneOf, text, uniqueBy, whole } from './inputSchema.ts';
import {
  type CloudTrailRecord,
  type DocumentContent,
  toIsoSeconds,
  type WorldDocument,
  type WorldNode,
} from './world.ts';
import { logGroupsSchema } from './worldLogs.ts';

const STALE_INVENTORY_MS = 30 * 24 * 60 * 60 * 1000;

/** An ISO time, normalised to `YYYY-MM-DDTHH:MM:SSZ` (the format inventory and findings use). */
export const time = () => isoTime().transform((value) => toIsoSeconds(Date.parse(value)));

const DOCUMENT_TYPES = [
  'Session',
  'Command',
  'Automation',
  'Policy',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
] as const;

const contentSchema = z.record(z.string(), z.unknown(), {
  error: 'expected an object (the document content as JSON)',
}) as z.ZodType<DocumentContent>;

const versionSchema = closed({
  version: text('a version number as a string, e.g. "2"', /^[1-9]\d*$/),
  content: contentSchema,
});

const documentSchema = closed({
  name: text('an SSM document name', isDocumentName),
  documentType: oneOf(DOCUMENT_TYPES).default('Session'),
  owner: nonBlank().default('Self'),
  content: contentSchema.exactOptional(),
  versions: list(versionSchema)
    .superRefine(uniqueBy((v) => v.version, 'version'))
    .exactOptional(),
  defaultVersion: text().exactOptional(),
  latestVersion: text().exactOptional(),
})
  .superRefine((doc, ctx) => {
    const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if ((doc.content === undefined) === (doc.versions === undefined))
      return problem([], 'expected exactly one of "content" and "versions"');
    if (doc.versions === undefined) {
      for (const key of ['defaultVersion', 'latestVersion'] as const)
        if (doc[key] !== undefined) problem([key], 'only a document with "versions" names versions');
      return;
    }
    if (doc.versions.length === 0) return problem(['versions'], 'expected at least one version');
    const listed = new Set(doc.versions.map((v) => v.version));
    for (const key of ['defaultVersion', 'latestVersion'] as const) {
      const named = doc[key];
      if (named !== undefined && !listed.has(named))
        problem([key], `expected one of the listed versions, got ${JSON.stringify(named)}`);
    }
    // Versions above latestVersion stand for versions replayed change events create: SSM serves
    // none of them until then, so the default cannot be one of them.
    const last = doc.versions.at(-1)?.version ?? '1';
    const latest = doc.latestVersion ?? last;
    if (Number(doc.defaultVersion ?? last) > Number(latest))
      problem(['defaultVersion'], `expected a version at most latestVersion (${latest})`);
  })
  .transform((doc): WorldDocument => {
    const versions = doc.versions ?? [{ version: '1', content: doc.content ?? {} }];
    const last = versions.at(-1)?.version ?? '1';
    return {
      name: doc.name,
      documentType: doc.documentType,
      owner: doc.owner,
      versions,
      defaultVersion: doc.defaultVersion ?? last,
      latestVersion: doc.latestVersion ?? last,
    };
  });

/** `"alice"` or `{ "name": "alice", "uid": 1000, "gid": 1000 }`. */
const nodeUserSchema = z.union(
  [
    nonBlank(),
    closed({
      name: nonBlank(),
      uid: whole(0, 4294967294, 'a whole number from 0 to 4294967294'),
      gid: whole(0, 4294967294, 'a whole number from 0 to 4294967294'),
    }),
  ],
  { error: 'expected a user name or an object {"name", "uid", "gid"}' },
);

const nodeSchema = closed({
  id: text('a managed node id ("i-…" or "mi-…")', isManagedNodeId),
  platform: oneOf(['Linux', 'MacOS', 'Windows']),
  pingStatus: oneOf(['Online', 'ConnectionLost', 'Inactive']).default('Online'),
  users: list(nodeUserSchema)
    .describe('OS users: a name (uid and gid 10000 + position, root 0) or {name, uid, gid}; absent: unknown.')
    // A name given alone gets uid and gid 10000 + its position (root: 0).
    .transform((users) =>
      users.map((user, index) => {
        if (typeof user !== 'string') return user;
        const id = user === 'root' ? 0 : 10000 + index;
        return { name: user, uid: id, gid: id };
      }),
    )
    .superRefine(uniqueBy((u) => u.name, 'user'))
    .exactOptional(),
  inventoryCaptureTime: time().exactOptional(),
  /** The inventory was captured 30 days before the world's `now`. */
  inventoryStale: flag().exactOptional(),
}).superRefine((node, ctx) => {
  if (node.inventoryStale === true && node.inventoryCaptureTime !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['inventoryStale'],
      message: 'expected either inventoryStale or inventoryCaptureTime, not both',
    });
});

const sessionSchema = closed({
  sessionId: nonBlank(),
  target: nonBlank(),
  owner: text('an IAM/STS ARN', (arn) => parsePrincipalArn(arn).ok),
  status: oneOf(['Connected', 'Connecting', 'Disconnected', 'Terminated', 'Terminating', 'Failed']),
  startDate: time(),
  documentName: nonBlank().exactOptional(),
  accessType: oneOf(['Standard', 'JustInTime'])
    .exactOptional()
    .describe('DescribeSessions AccessType: JustInTime for just-in-time node access sessions.'),
});

/** A raw CloudTrail record, kept as given: only `eventName` and `eventTime` are checked. */
const cloudTrailRecordSchema = z.looseObject(
  { eventName: nonBlank(), eventTime: isoTime('an ISO time') },
  { error: 'expected an object (a raw CloudTrail record)' },
) as unknown as z.ZodType<CloudTrailRecord>;

const regionSchema = closed({
  documents: list(documentSchema)
    .superRefine(uniqueBy((d) => d.name, 'document'))
    .default([]),
  nodes: list(nodeSchema)
    .superRefine(uniqueBy((n) => n.id, 'node'))
    .default([]),
  sessions: list(sessionSchema)
    .superRefine(uniqueBy((s) => s.sessionId, 'session'))
    .default([]),
  cloudTrail: list(cloudTrailRecordSchema)
    .default([])
    .describe('Raw CloudTrail records that LookupEvents serves (the state before the replayed events).'),
  logGroups: logGroupsSchema
    .default([])
    .describe('CloudWatch Logs groups with session-log streams, as GetLogEvents serves them.'),
});

export const regionsSchema = z
  .record(z.string(), regionSchema, { error: 'expected an object keyed by Region' })
  .superRefine((regions, ctx) => {
    for (const name of Object.keys(regions))
      if (!isRegion(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'expected a Region name like "us-east-1"' });
  });

/** A node's inventory time from `inventoryStale`, which only the world's `now` can date. */
export const datedNode = (now: string) => {
  const staleAt = toIsoSeconds(Date.parse(now) - STALE_INVENTORY_MS);
  return ({
    inventoryStale,
    inventoryCaptureTime,
    users,
    ...node
  }: z.output<typeof nodeSchema>): WorldNode => ({
    ...node,
    users: users ?? null,
    inventoryCaptureTime: inventoryStale === true ? staleAt : (inventoryCaptureTime ?? null),
  });
};
