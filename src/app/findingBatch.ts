/**
 * The findings of one Lambda batch: every record's use case writes into this collector instead of
 * Security Hub, and reads its own findings back through it (a change record sees what an earlier
 * record of the same batch wrote). Once the records have run, the findings are grouped by account
 * and Region and de-duplicated by Id as Security Hub would keep them, each remembering the records
 * that produced it, so a refused finding fails exactly those records.
 */
import type { AsffFinding } from '../findings/asff.ts';
import type {
  ChangeAuditPorts,
  ChangeReadPorts,
  FindingReader,
  FindingSink,
  SessionAuditPorts,
  SessionReadPorts,
  StoredFinding,
} from './ports.ts';

/** Where findings are imported: the finding's account and Region. */
export interface Placement {
  readonly accountId: string;
  readonly region: string;
}

/** The findings to import into one account and Region, each with the records that produced it. */
export interface ImportGroup extends Placement {
  readonly findings: readonly AsffFinding[];
  /** Finding Id → ids of the records whose use case wrote it. */
  readonly owners: ReadonlyMap<string, ReadonlySet<string>>;
}

/** What one record's use case is given: its sink and reader, bound to the record. */
export interface RecordFindings {
  sinkFor(placement: Placement): FindingSink;
  readerFor(placement: Placement, base: FindingReader): FindingReader;
}

export interface FindingBatch {
  forRecord(recordId: string): RecordFindings;
  groups(): ImportGroup[];
}

interface Held {
  finding: AsffFinding;
  readonly owners: Set<string>;
}

const newer = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

const earliest = (a: string, b: string): string => (Date.parse(b) < Date.parse(a) ? b : a);

/** The finding as GetFindings would return it to re-evaluation. */
export const storedOf = (f: AsffFinding): StoredFinding => ({
  Id: f.Id,
  GeneratorId: f.GeneratorId,
  CreatedAt: f.CreatedAt,
  UpdatedAt: f.UpdatedAt,
  RecordState: f.RecordState,
  ProductFields: { ...f.ProductFields },
  Compliance: { Status: f.Compliance.Status },
  Resources: f.Resources.map((r) => ({ Type: r.Type, Id: r.Id })),
});

export const createFindingBatch = (): FindingBatch => {
  // account/region → Id → the finding Security Hub would keep; insertion order is import order.
  const held = new Map<string, Map<string, Held>>();
  const placementKey = (p: Placement): string => `${p.accountId}/${p.region}`;
  const inPlacement = (p: Placement): Map<string, Held> => {
    const key = placementKey(p);
    let found = held.get(key);
    if (found === undefined) {
      found = new Map();
      held.set(key, found);
    }
    return found;
  };

  const collect = (placement: Placement, recordId: string, finding: AsffFinding): void => {
    const byId = inPlacement(placement);
    const existing = byId.get(finding.Id);
    if (existing === undefined) {
      byId.set(finding.Id, { finding, owners: new Set([recordId]) });
      return;
    }
    existing.owners.add(recordId);
    // Security Hub keeps an update only when its UpdatedAt is later; CreatedAt is the first one seen.
    const kept = newer(finding.UpdatedAt, existing.finding.UpdatedAt) ? finding : existing.finding;
    const createdAt = earliest(existing.finding.CreatedAt, finding.CreatedAt);
    existing.finding = kept.CreatedAt === createdAt ? kept : { ...kept, CreatedAt: createdAt };
  };

  /** The batch's finding overrides the stored one when Security Hub would keep it. */
  const overlay = (placement: Placement, stored: StoredFinding | undefined, id: string) => {
    const mine = held.get(placementKey(placement))?.get(id)?.finding;
    if (mine === undefined) return stored;
    return stored === undefined || newer(mine.UpdatedAt, stored.UpdatedAt) ? storedOf(mine) : stored;
  };

  const readerFor = (placement: Placement, base: FindingReader): FindingReader => ({
    findingsByIds: async (ids) => {
      const found = new Map(await base.findingsByIds(ids));
      for (const id of ids) {
        const finding = overlay(placement, found.get(id), id);
        if (finding !== undefined) found.set(id, finding);
      }
      return found;
    },
    activeFindings: async (filter) => {
      const stored = await base.activeFindings(filter);
      const pairs = Object.entries(filter.productFields ?? {});
      const before =
        filter.updatedBefore === undefined ? Number.POSITIVE_INFINITY : Date.parse(filter.updatedBefore);
      const matches = (f: StoredFinding): boolean =>
        f.GeneratorId === filter.generatorId &&
        f.RecordState === 'ACTIVE' &&
        Date.parse(f.UpdatedAt) < before &&
        pairs.every(([key, value]) => f.ProductFields[key] === value);
      const out = new Map<string, StoredFinding>();
      for (const f of stored) {
        const current = overlay(placement, f, f.Id);
        if (current !== undefined && matches(current)) out.set(f.Id, current);
      }
      for (const [id, { finding }] of held.get(placementKey(placement)) ?? []) {
        if (out.has(id) || stored.some((f) => f.Id === id)) continue;
        const current = storedOf(finding);
        if (matches(current)) out.set(id, current);
      }
      return [...out.values()];
    },
  });

  return {
    forRecord: (recordId) => ({
      sinkFor: (placement) => ({
        importFindings: async (findings) => {
          for (const finding of findings) collect(placement, recordId, finding);
        },
      }),
      readerFor,
    }),
    groups: () =>
      [...held.entries()].map(([key, byId]) => {
        const [accountId = '', region = ''] = key.split('/');
        return {
          accountId,
          region,
          findings: [...byId.values()].map((h) => h.finding),
          owners: new Map([...byId.entries()].map(([id, h]) => [id, h.owners])),
        };
      }),
  };
};

/** A session audit's ports in a batch: the adapters' reads, the record's sink. */
export const sessionPortsIn = (
  reads: SessionReadPorts,
  record: RecordFindings,
  placement: Placement,
): SessionAuditPorts => ({ ...reads, findings: record.sinkFor(placement) });

/** A change's ports in a batch: per Region, the record's sink and a reader that sees the batch's findings. */
export const changePortsIn = (
  reads: ChangeReadPorts,
  record: RecordFindings,
  accountId: string,
): ChangeAuditPorts => ({
  principalTags: reads.principalTags,
  principals: reads.principals,
  inRegion: (region) => {
    const ports = reads.inRegion(region);
    const placement = { accountId, region };
    return {
      ...ports,
      findings: record.sinkFor(placement),
      findingReader: record.readerFor(placement, ports.findingReader),
    };
  },
});
