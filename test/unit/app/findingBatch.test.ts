import { describe, expect, it } from 'vitest';
import { createFindingBatch, storedOf } from '../../../src/app/findingBatch.ts';
import type { FindingReader, StoredFinding } from '../../../src/app/ports.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';

const US = { accountId: '111122223333', region: 'us-east-1' };
const EU = { accountId: '111122223333', region: 'eu-west-1' };

const finding = (
  id: string,
  updatedAt: string,
  extra: Partial<Pick<AsffFinding, 'CreatedAt' | 'RecordState' | 'GeneratorId' | 'ProductFields'>> = {},
): AsffFinding => ({
  SchemaVersion: '2018-10-08',
  Id: id,
  ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
  GeneratorId: 'ssm-runas-auditor/principal',
  AwsAccountId: '111122223333',
  Region: 'us-east-1',
  Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  CreatedAt: updatedAt,
  UpdatedAt: updatedAt,
  Severity: { Label: 'HIGH' },
  Title: 'title',
  Description: 'description',
  ProductFields: { 'RunAs/Check': 'principal' },
  Resources: [
    { Type: 'AwsIamRole', Id: 'arn:aws:iam::111122223333:role/Ops', Partition: 'aws', Region: 'us-east-1' },
  ],
  Compliance: { Status: 'FAILED' },
  RecordState: 'ACTIVE',
  FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: [] },
  ...extra,
});

/** A Security Hub holding `stored` (what the batch reads through). */
const hub = (stored: readonly AsffFinding[]): FindingReader => ({
  findingsByIds: async (ids) =>
    new Map(stored.filter((f) => ids.includes(f.Id)).map((f) => [f.Id, storedOf(f)] as const)),
  activeFindings: async ({ generatorId }) =>
    stored.filter((f) => f.GeneratorId === generatorId && f.RecordState === 'ACTIVE').map(storedOf),
});

describe('createFindingBatch', () => {
  it('groups by account and Region, keeps the newest UpdatedAt and the earliest CreatedAt, and knows every owner', async () => {
    // Prepare
    const batch = createFindingBatch();

    // Act
    await batch
      .forRecord('r1')
      .sinkFor(US)
      .importFindings([finding('a', '2026-03-01T13:05:00Z'), finding('b', '2026-03-01T13:00:00Z')]);
    await batch
      .forRecord('r2')
      .sinkFor(US)
      .importFindings([finding('a', '2026-03-01T13:00:00Z')]);
    await batch
      .forRecord('r3')
      .sinkFor(EU)
      .importFindings([finding('a', '2026-03-01T12:00:00Z')]);
    const groups = batch.groups();

    // Assess
    expect(groups.map((g) => [g.region, g.findings.map((f) => [f.Id, f.CreatedAt, f.UpdatedAt])])).toEqual([
      [
        'us-east-1',
        [
          ['a', '2026-03-01T13:00:00Z', '2026-03-01T13:05:00Z'],
          ['b', '2026-03-01T13:00:00Z', '2026-03-01T13:00:00Z'],
        ],
      ],
      ['eu-west-1', [['a', '2026-03-01T12:00:00Z', '2026-03-01T12:00:00Z']]],
    ]);
    expect([...(groups[0]?.owners.get('a') ?? [])]).toEqual(['r1', 'r2']);
    for (const f of groups.flatMap((g) => g.findings))
      expect(Date.parse(f.CreatedAt)).toBeLessThanOrEqual(Date.parse(f.UpdatedAt));
  });

  it('keeps the first of two findings with the same UpdatedAt, as Security Hub drops the second', async () => {
    // Prepare
    const batch = createFindingBatch();
    const first = { ...finding('a', '2026-03-01T13:00:00Z'), Title: 'first' };

    // Act
    await batch.forRecord('r1').sinkFor(US).importFindings([first]);
    await batch
      .forRecord('r2')
      .sinkFor(US)
      .importFindings([{ ...first, Title: 'second' }]);

    // Assess
    expect(batch.groups()[0]?.findings.map((f) => f.Title)).toEqual(['first']);
  });

  it('lets a record read what an earlier record of the batch wrote, unless Security Hub holds something newer', async () => {
    // Prepare
    const batch = createFindingBatch();
    const stored = hub([finding('newer', '2026-03-01T14:00:00Z'), finding('older', '2026-03-01T12:00:00Z')]);
    await batch
      .forRecord('r1')
      .sinkFor(US)
      .importFindings([
        finding('newer', '2026-03-01T13:00:00Z', { RecordState: 'ARCHIVED' }),
        finding('older', '2026-03-01T13:00:00Z', { ProductFields: { 'RunAs/Check': 'principal', x: 'y' } }),
        finding('fresh', '2026-03-01T13:00:00Z'),
      ]);
    const reader = batch.forRecord('r2').readerFor(US, stored);

    // Act
    const byId = await reader.findingsByIds(['newer', 'older', 'fresh', 'none']);
    const active = await reader.activeFindings({ generatorId: 'ssm-runas-auditor/principal' });
    const filtered = await reader.activeFindings({
      generatorId: 'ssm-runas-auditor/principal',
      productFields: { x: 'y' },
    });
    const elsewhere = await batch.forRecord('r2').readerFor(EU, hub([])).findingsByIds(['fresh']);

    // Assess
    expect([...byId.entries()].map(([id, f]: [string, StoredFinding]) => [id, f.UpdatedAt])).toEqual([
      ['newer', '2026-03-01T14:00:00Z'],
      ['older', '2026-03-01T13:00:00Z'],
      ['fresh', '2026-03-01T13:00:00Z'],
    ]);
    expect(active.map((f) => f.Id).sort()).toEqual(['fresh', 'newer', 'older']);
    expect(filtered.map((f) => f.Id)).toEqual(['older']);
    expect(elsewhere.size).toBe(0);
  });

  it('drops an active finding from what a later record reads once the batch archived it', async () => {
    // Prepare
    const batch = createFindingBatch();
    const stored = hub([finding('gone', '2026-03-01T12:00:00Z')]);
    await batch
      .forRecord('r1')
      .sinkFor(US)
      .importFindings([finding('gone', '2026-03-01T13:00:00Z', { RecordState: 'ARCHIVED' })]);

    // Act
    const active = await batch
      .forRecord('r2')
      .readerFor(US, stored)
      .activeFindings({ generatorId: 'ssm-runas-auditor/principal' });

    // Assess
    expect(active).toEqual([]);
  });
});
