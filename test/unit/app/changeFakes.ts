/**
 * Hand-written fakes of the change ports: one account with IAM principals, and per Region its
 * documents (with versions), open sessions and a Security Hub that keeps findings by Id and, as
 * the real one does, ignores an update whose UpdatedAt is not newer than what it holds.
 */
import type {
  ChangeAuditPorts,
  FindingImporter,
  OpenSession,
  RegionChangePorts,
  StoredFinding,
} from '../../../src/app/ports.ts';
import type { ExpectedUserSource } from '../../../src/domain/decision.ts';
import {
  type DocumentRead,
  type Known,
  known,
  type Principal,
  type Tags,
  unknown,
} from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { assembleFinding } from '../../../src/findings/assembleFinding.ts';
import { sessionResource } from '../../../src/findings/resources.ts';
import { iamRolePrincipal, iamUserPrincipal } from '../principals.ts';

export const ACCOUNT = '111122223333';

export const user = (name: string, path = '/') => iamUserPrincipal(name, path);

export const role = (name: string, path = '/') => iamRolePrincipal(name, path);

export const shell = (inputs: Record<string, unknown>): Record<string, unknown> => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs,
});

export const RUN_AS_ON = shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
export const RUN_AS_OFF = shell({ runAsEnabled: false, runAsDefaultUser: '' });

export interface FakeDocument {
  readonly type?: string;
  readonly versions: Readonly<Record<string, unknown>>;
  defaultVersion: string;
  latestVersion: string;
}

/** A document with one version. */
export const document = (content: unknown, type = 'Session'): FakeDocument => ({
  type,
  versions: { '1': content },
  defaultVersion: '1',
  latestVersion: '1',
});

export interface FakeRegion {
  readonly documents: Map<string, FakeDocument>;
  /** Security Hub's findings, by Id. */
  readonly stored: Map<string, AsffFinding>;
  /** Every finding imported, in order (including ones Security Hub ignored). */
  readonly imported: AsffFinding[];
  readonly importCalls: number[];
  sessions: OpenSession[];
  readonly terminated: string[];
  terminateError?: Error;
  readonly sessionQueries: ({ readonly owner?: string } | undefined)[];
}

export interface FakeWorld {
  /** `user:alice` / `role:Operators` → principal and tags. */
  readonly principals: Map<string, { principal: Principal; tags: Tags }>;
  readonly regions: Map<string, FakeRegion>;
  directoryUnknown?: boolean;
  readonly calls: string[];
}

export const newRegion = (documents: Record<string, FakeDocument> = {}): FakeRegion => ({
  documents: new Map(Object.entries(documents)),
  stored: new Map(),
  imported: [],
  importCalls: [],
  sessions: [],
  terminated: [],
  sessionQueries: [],
});

export const newWorld = (regions: Record<string, FakeRegion>): FakeWorld => ({
  principals: new Map(),
  regions: new Map(Object.entries(regions)),
  calls: [],
});

export const addPrincipal = (world: FakeWorld, principal: Principal, tags: Tags = {}): void => {
  world.principals.set(`${principal.kind}:${principal.name.toLowerCase()}`, { principal, tags });
};

export const toStored = (f: AsffFinding): StoredFinding => ({
  Id: f.Id,
  GeneratorId: f.GeneratorId,
  CreatedAt: f.CreatedAt,
  UpdatedAt: f.UpdatedAt,
  RecordState: f.RecordState,
  ProductFields: f.ProductFields,
  Compliance: { Status: f.Compliance.Status },
  Resources: f.Resources.map((r) => ({ Type: r.Type, Id: r.Id })),
});

/** Puts a finding straight into a Region's Security Hub (an earlier audit's result). */
export const seed = (region: FakeRegion, finding: AsffFinding): void => {
  region.stored.set(finding.Id, finding);
};

const regionPorts = (world: FakeWorld, name: string): RegionChangePorts => {
  const region = world.regions.get(name);
  if (region === undefined) throw new Error(`fake: no Region ${name}`);
  return {
    documents: {
      documentOf: async (nameOrArn, version): Promise<Known<DocumentRead | null>> => {
        world.calls.push(`${name}:document:${nameOrArn}:${version}`);
        const doc = region.documents.get(nameOrArn.replace(/^arn:.*:document\//, ''));
        if (doc === undefined) return known(null);
        const number =
          version === '$DEFAULT' ? doc.defaultVersion : version === '$LATEST' ? doc.latestVersion : version;
        const content = doc.versions[number];
        if (content === undefined) return unknown(`no version ${version}`);
        return known({ name: nameOrArn, content, documentType: doc.type ?? 'Session', version: number });
      },
    },
    findings: {
      importFindings: async (findings) => {
        region.importCalls.push(findings.length);
        for (const f of findings) {
          region.imported.push(f);
          const held = region.stored.get(f.Id);
          // Security Hub drops an update that is not newer than the finding it holds.
          if (held !== undefined && Date.parse(held.UpdatedAt) >= Date.parse(f.UpdatedAt)) continue;
          region.stored.set(f.Id, f);
        }
      },
    },
    findingReader: {
      findingsByIds: async (ids) => {
        world.calls.push(`${name}:findingsByIds:${ids.length}`);
        const found = new Map<string, StoredFinding>();
        for (const id of ids) {
          const f = region.stored.get(id);
          if (f !== undefined) found.set(id, toStored(f));
        }
        return found;
      },
      activeFindings: async ({ generatorId, productFields = {}, updatedBefore }) =>
        [...region.stored.values()]
          .filter(
            (f) =>
              f.GeneratorId === generatorId &&
              f.RecordState === 'ACTIVE' &&
              (updatedBefore === undefined || Date.parse(f.UpdatedAt) < Date.parse(updatedBefore)) &&
              Object.entries(productFields).every(([k, v]) => f.ProductFields[k] === v),
          )
          .map(toStored),
    },
    sessions: {
      openSessions: async (filter) => {
        region.sessionQueries.push(filter);
        return region.sessions.filter((s) => filter?.owner === undefined || s.owner === filter.owner);
      },
      terminate: async (sessionId) => {
        if (region.terminateError !== undefined) throw region.terminateError;
        region.terminated.push(sessionId);
        region.sessions = region.sessions.filter((s) => s.sessionId !== sessionId);
      },
    },
  };
};

/** A batch's importer into the fake Regions (what the handlers are wired with). */
export const fakeImporter =
  (world: FakeWorld) =>
  ({ region }: { readonly region: string }): FindingImporter => ({
    importFindings: async (findings) => {
      await regionPorts(world, region).findings.importFindings(findings);
      return { failed: [], calls: findings.length === 0 ? [] : [findings.length] };
    },
  });

export const fakePorts = (world: FakeWorld): ChangeAuditPorts => ({
  principalTags: {
    tagsOf: async (principal) => {
      world.calls.push(`tags:${principal.name}`);
      const entry = world.principals.get(`${principal.kind}:${principal.name.toLowerCase()}`);
      return entry === undefined
        ? unknown(`${principal.kind} ${principal.name} no longer exists`)
        : known(entry.tags);
    },
  },
  principals: {
    principalOf: async (kind, name) => {
      world.calls.push(`principal:${kind}:${name}`);
      if (world.directoryUnknown === true) return unknown('AccessDenied');
      return known(world.principals.get(`${kind}:${name.toLowerCase()}`)?.principal ?? null);
    },
  },
  inRegion: (name) => regionPorts(world, name),
});

/** The finding Security Hub holds for an Id (fails the test when absent). */
export const held = (region: FakeRegion | undefined, id: string): AsffFinding => {
  const f = region?.stored.get(id);
  if (f === undefined) throw new Error(`no finding ${id}`);
  return f;
};

export interface SessionSeed {
  readonly sessionId: string;
  readonly principal: Principal;
  /** RunAs/SessionUser: '' when the session was refused. */
  readonly sessionUser: string;
  readonly owner?: string;
  readonly target?: string;
  readonly document?: string;
  readonly platform?: string;
  readonly sessionTags?: 'none' | 'applied' | 'unknown';
  readonly expectedUser?: string;
  readonly expectedUserSource?: ExpectedUserSource;
  readonly outcome?: Outcome;
}

/** The session finding an earlier StartSession audit wrote, and the session, still open. */
export const openSession = (
  region: FakeRegion,
  seedOf: SessionSeed,
  regionName = 'us-east-1',
): OpenSession => {
  const target = seedOf.target ?? 'i-0a1b2c3d4e5f60001';
  const document = seedOf.document ?? 'SSM-SessionManagerRunShell';
  const owner =
    seedOf.owner ??
    (seedOf.principal.kind === 'role'
      ? `arn:aws:sts::${ACCOUNT}:assumed-role/${seedOf.principal.name}/alice`
      : seedOf.principal.arn);
  seed(
    region,
    assembleFinding({
      partition: 'aws',
      region: regionName,
      accountId: ACCOUNT,
      check: 'session',
      subject: seedOf.sessionId,
      outcome: seedOf.outcome ?? 'COMPLIANT',
      observedAt: '2026-03-01T12:00:00.000Z',
      title: `Session ran as ${seedOf.sessionUser}`,
      description: 'Earlier audit.',
      remediation: '',
      resources: [
        sessionResource({ partition: 'aws', region: regionName, accountId: ACCOUNT }, seedOf.sessionId),
      ],
      fields: {
        expectedUser: seedOf.expectedUser ?? seedOf.sessionUser,
        expectedUserSource: seedOf.expectedUserSource ?? 'principal-tag',
        sessionUser: seedOf.sessionUser,
        sessionId: seedOf.sessionId,
        principal: seedOf.principal.arn,
        target,
        document,
        platform: seedOf.platform ?? 'Linux',
        sessionTags: seedOf.sessionTags ?? 'none',
      },
    }),
  );
  const session: OpenSession = {
    sessionId: seedOf.sessionId,
    target,
    owner,
    documentName: document,
    startDate: '2026-03-01T12:00:00.000Z',
  };
  region.sessions.push(session);
  return session;
};
