/**
 * FindingImporter over Security Hub BatchImportFindings, and a reader of this product's own
 * findings (GetFindings) for re-evaluation. A finding provider imports only: it never
 * calls BatchUpdateFindings.
 */
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandOutput,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { FailedFinding, FindingImporter, FindingReader, StoredFinding } from '../app/ports.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { toAwsCallError } from './sdkErrors.ts';

/** BatchImportFindings limits: 100 findings and 6 MB per call. */
export const MAX_FINDINGS_PER_CALL = 100;
export const MAX_BYTES_PER_CALL = 6 * 1024 * 1024;
/** Room for the request envelope around the findings array. */
const ENVELOPE_BYTES = 1024;
/** GetFindings: each filter attribute takes at most 20 values. */
export const MAX_FILTER_VALUES = 20;
const PAGE_SIZE = 100;

/**
 * The finding as BatchImportFindings takes it. `Region` is left out: Security Hub fills it with
 * the Region of the call and it cannot be set with BatchImportFindings (AwsSecurityFinding
 * reference); the finding's Region is where the call goes, and each resource keeps its own.
 */
export const importable = (finding: AsffFinding): Omit<AsffFinding, 'Region'> => {
  const { Region: _region, ...rest } = finding;
  return rest;
};

/** Splits findings into batches within the per-call count and size limits, keeping their order. */
export const batchFindings = <F>(findings: readonly F[]): F[][] => {
  const batches: F[][] = [];
  let batch: F[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const finding of findings) {
    const size = Buffer.byteLength(JSON.stringify(finding), 'utf8') + 1;
    if (batch.length > 0 && (batch.length >= MAX_FINDINGS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      batches.push(batch);
      batch = [];
      bytes = ENVELOPE_BYTES;
    }
    batch.push(finding);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
};

/**
 * Imports through `sh` (a client of the findings' account and Region, paced by the composition).
 * Every batch is sent even when an earlier one failed, so one bad finding or call holds back
 * nothing else; what failed is reported finding by finding.
 */
export const createSecurityHubFindingImporter = (sh: SecurityHubClient): FindingImporter => ({
  importFindings: async (findings) => {
    const failed: FailedFinding[] = [];
    const calls: number[] = [];
    for (const batch of batchFindings(findings.map(importable))) {
      calls.push(batch.length);
      let response: BatchImportFindingsCommandOutput;
      try {
        response = await sh.send(
          // AsffFinding is a structurally compatible, readonly subset of AwsSecurityFinding;
          // the SDK type only differs in mutable arrays and its string-literal unions.
          new BatchImportFindingsCommand({ Findings: batch as unknown as AwsSecurityFinding[] }),
        );
      } catch (err) {
        const error = toAwsCallError('securityhub:BatchImportFindings', err);
        for (const f of batch) failed.push({ id: f.Id, code: error.name, message: error.message, error });
        continue;
      }
      for (const f of response.FailedFindings ?? []) {
        failed.push({ id: f.Id ?? '', code: f.ErrorCode ?? '', message: f.ErrorMessage ?? '' });
      }
    }
    return { failed, calls };
  },
});

export type { StoredFinding };

/** The FindingReader port over GetFindings (kept under its adapter name for existing callers). */
export type SecurityHubFindingReader = FindingReader;

const toStored = (f: AwsSecurityFinding): StoredFinding | undefined => {
  if (typeof f.Id !== 'string') return undefined;
  return {
    Id: f.Id,
    GeneratorId: f.GeneratorId ?? '',
    CreatedAt: f.CreatedAt ?? '',
    UpdatedAt: f.UpdatedAt ?? '',
    RecordState: f.RecordState ?? '',
    ProductFields: { ...(f.ProductFields ?? {}) },
    Compliance: f.Compliance?.Status === undefined ? undefined : { Status: f.Compliance.Status },
    Resources: (f.Resources ?? []).map((r) => ({ Type: r.Type ?? '', Id: r.Id ?? '' })),
  };
};

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

export const createSecurityHubFindingReader = (sh: SecurityHubClient): FindingReader => {
  const getAll = async (filters: AwsSecurityFindingFilters): Promise<AwsSecurityFinding[]> => {
    const findings: AwsSecurityFinding[] = [];
    let nextToken: string | undefined;
    do {
      try {
        const response = await sh.send(
          new GetFindingsCommand({
            Filters: filters,
            MaxResults: PAGE_SIZE,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
        findings.push(...(response.Findings ?? []));
        nextToken = response.NextToken || undefined;
      } catch (err) {
        throw toAwsCallError('securityhub:GetFindings', err);
      }
    } while (nextToken !== undefined);
    return findings;
  };

  return {
    findingsByIds: async (ids) => {
      const found = new Map<string, StoredFinding>();
      for (const part of chunk([...new Set(ids)], MAX_FILTER_VALUES)) {
        const findings = await getAll({ Id: part.map((id) => ({ Value: id, Comparison: 'EQUALS' })) });
        for (const finding of findings) {
          const stored = toStored(finding);
          if (stored !== undefined && part.includes(stored.Id)) found.set(stored.Id, stored);
        }
      }
      return found;
    },

    activeFindings: async ({ generatorId, productFields = {}, updatedBefore }) => {
      const pairs = Object.entries(productFields);
      // Security Hub takes 20 values per filter attribute; any further pairs are matched here.
      const sent = pairs.slice(0, MAX_FILTER_VALUES);
      const findings = await getAll({
        GeneratorId: [{ Value: generatorId, Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
        // DateFilter End is inclusive; a finding updated at exactly that instant is matched below.
        ...(updatedBefore === undefined ? {} : { UpdatedAt: [{ End: updatedBefore }] }),
        ...(sent.length === 0
          ? {}
          : { ProductFields: sent.map(([Key, Value]) => ({ Key, Value, Comparison: 'EQUALS' as const })) }),
      });
      return findings
        .map(toStored)
        .filter((f): f is StoredFinding => f !== undefined)
        .filter((f) => pairs.every(([key, value]) => f.ProductFields[key] === value))
        .filter((f) => updatedBefore === undefined || Date.parse(f.UpdatedAt) < Date.parse(updatedBefore));
    },
  };
};
