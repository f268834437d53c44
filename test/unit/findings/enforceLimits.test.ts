import { describe, expect, it } from 'vitest';
import { InvalidFindingError } from '../../../src/errors.ts';
import type { AsffFinding, AsffResource } from '../../../src/findings/asff.ts';
import { enforceLimits, FINDING_LIMITS, findingBytes } from '../../../src/findings/enforceLimits.ts';

const resource = (n: number): AsffResource => ({
  Type: 'Other',
  Id: `arn:aws:ssm:us-east-1:111122223333:session/s-${n}`,
  Partition: 'aws',
  Region: 'us-east-1',
});

const finding = (overrides: Partial<AsffFinding> = {}): AsffFinding => ({
  SchemaVersion: '2018-10-08',
  Id: '111122223333/us-east-1/ssm-runas/session/s-1',
  ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
  GeneratorId: 'ssm-runas-auditor/session',
  AwsAccountId: '111122223333',
  Region: 'us-east-1',
  Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  CreatedAt: '2026-03-01T10:00:00.000Z',
  UpdatedAt: '2026-03-01T10:00:00.000Z',
  Severity: { Label: 'HIGH', Original: 'RAN_AS_SSM_USER' },
  Title: 'Session ran as ssm-user',
  Description: 'Run As is disabled.',
  Remediation: { Recommendation: { Text: 'Enable Run As.', Url: 'https://docs.aws.amazon.com/' } },
  ProductFields: { 'RunAs/Check': 'session' },
  Resources: [resource(1)],
  Compliance: { Status: 'FAILED' },
  RecordState: 'ACTIVE',
  FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'RAN_AS_SSM_USER' }, Types: ['x'] },
  ...overrides,
});

const thrownBy = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('enforceLimits', () => {
  it('leaves a finding within every limit unchanged', () => {
    // Prepare
    const input = finding();

    // Act
    const limited = enforceLimits(input);

    // Assess
    expect(limited).toEqual(input);
  });

  it.each([
    ['Title', 'title', 256],
    ['Description', 'description', 1024],
  ] as const)('keeps a %s of exactly its limit and cuts one over', (field, limitName, limit) => {
    // Prepare
    const exact = 't'.repeat(limit);

    // Act
    const kept = enforceLimits(finding({ [field]: exact }));
    const cut = enforceLimits(finding({ [field]: `${exact}u` }));

    // Assess
    expect(FINDING_LIMITS[limitName]).toBe(limit);
    expect(kept[field]).toBe(exact);
    expect(cut[field]).toHaveLength(limit);
    expect(cut[field].endsWith('…')).toBe(true);
  });

  it('cuts the remediation text to 512', () => {
    // Act
    const limited = enforceLimits(
      finding({
        Remediation: { Recommendation: { Text: 'r'.repeat(600), Url: 'https://docs.aws.amazon.com/' } },
      }),
    );

    // Assess
    expect(limited.Remediation?.Recommendation.Text).toHaveLength(512);
    expect(limited.Remediation?.Recommendation.Url).toBe('https://docs.aws.amazon.com/');
  });

  it('keeps the first 50 of 60 product fields', () => {
    // Prepare
    const fields = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`RunAs/F${i}`, `v${i}`]));

    // Act
    const limited = enforceLimits(finding({ ProductFields: fields }));

    // Assess
    const keys = Object.keys(limited.ProductFields);
    expect(keys).toHaveLength(50);
    expect(keys[0]).toBe('RunAs/F0');
    expect(keys.at(-1)).toBe('RunAs/F49');
  });

  it.each([
    ['an aws/ prefix', 'aws/securityhub/FindingId'],
    ['an AWS/ prefix in any case', 'AWS/Custom'],
    ['a key over 128 characters', `RunAs/${'k'.repeat(123)}`],
    ['a blank key', ' '],
  ])('drops a product field key with %s', (_case, key) => {
    // Act
    const limited = enforceLimits(finding({ ProductFields: { [key]: 'x', 'RunAs/Check': 'session' } }));

    // Assess
    expect(limited.ProductFields).toEqual({ 'RunAs/Check': 'session' });
  });

  it('keeps a key of exactly 128 characters and cuts a value over 2048', () => {
    // Prepare
    const key = `RunAs/${'k'.repeat(122)}`;

    // Act
    const limited = enforceLimits(finding({ ProductFields: { [key]: 'v'.repeat(3000) } }));

    // Assess
    expect(key).toHaveLength(128);
    expect(limited.ProductFields[key]).toHaveLength(2048);
  });

  it('keeps the first 32 of 40 resources', () => {
    // Prepare
    const resources = Array.from({ length: 40 }, (_, i) => resource(i));

    // Act
    const limited = enforceLimits(finding({ Resources: resources }));

    // Assess
    expect(limited.Resources).toHaveLength(32);
    expect(limited.Resources[31]).toEqual(resource(31));
  });

  it('refuses a finding with no resource', () => {
    // Act
    const error = thrownBy(() => enforceLimits(finding({ Resources: [] })));

    // Assess
    expect(error).toBeInstanceOf(InvalidFindingError);
  });

  it('refuses a title that cleans to nothing', () => {
    // Act
    const error = thrownBy(() => enforceLimits(finding({ Title: '\u0000\n\u202E' })));

    // Assess
    expect(error).toBeInstanceOf(InvalidFindingError);
  });

  it('shrinks a 300 KB finding under 240 KB: description first, then product field values', () => {
    // Prepare: 50 values of 2048 three-byte characters ≈ 307 KB
    const fields = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`RunAs/F${i}`, '用'.repeat(2048)]),
    );
    const input = finding({ Description: '説'.repeat(1024), ProductFields: fields });

    // Act
    const limited = enforceLimits(input);

    // Assess
    expect(findingBytes(input)).toBeGreaterThan(300_000);
    const bytes = findingBytes(limited);
    expect(bytes).toBeLessThanOrEqual(FINDING_LIMITS.findingBytes);
    expect(bytes).toBeGreaterThan(FINDING_LIMITS.findingBytes - 50 * 3 * 2);
    expect(limited.Description.length).toBeLessThan(1024);
    expect(Object.keys(limited.ProductFields)).toHaveLength(50);
    expect(Object.values(limited.ProductFields).every((v) => v.length < 2048 && v.endsWith('…'))).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(limited), 'utf8')).toBe(bytes);
  });

  it('shrinks only the description when that is enough', () => {
    // Prepare: just over the limit by ~1 KB, less than cutting the 3 KB description saves
    const fields = Object.fromEntries(
      Array.from({ length: 38 }, (_, i) => [`RunAs/F${i}`, '用'.repeat(2048)]),
    );
    const base = finding({ Description: '説'.repeat(1024), ProductFields: fields });
    const padLength = FINDING_LIMITS.findingBytes - findingBytes(base) + 1000;
    const pads = Object.fromEntries(
      Array.from({ length: Math.ceil(padLength / 2000) }, (_, i) => [`RunAs/Pad${i}`, 'p'.repeat(2000)]),
    );
    const padded = finding({ Description: '説'.repeat(1024), ProductFields: { ...fields, ...pads } });

    // Act
    const limited = enforceLimits(padded);

    // Assess
    expect(findingBytes(padded)).toBeGreaterThan(FINDING_LIMITS.findingBytes);
    expect(findingBytes(limited)).toBeLessThanOrEqual(FINDING_LIMITS.findingBytes);
    expect(limited.Description.length).toBeLessThan(1024);
    expect(limited.ProductFields).toEqual(padded.ProductFields);
  });

  it('counts UTF-8 bytes like Buffer.byteLength, including astral characters', () => {
    // Prepare
    const input = finding({ Title: '😀é用a' });

    // Act
    const bytes = findingBytes(input);

    // Assess
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(input), 'utf8'));
  });
});
