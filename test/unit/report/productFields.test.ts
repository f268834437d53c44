import { describe, expect, it } from 'vitest';
import { findingView } from '../../../src/report/findingView.ts';
import { RUN_AS_FIELD_KEYS, RUN_AS_FIELDS, readRunAsFields } from '../../../src/report/productFields.ts';
import { principalFinding, sessionFinding } from './reportFixtures.ts';

describe('readRunAsFields', () => {
  it('reads each known RunAs/ key into its property and absent keys as empty', () => {
    // Act
    const fields = readRunAsFields({
      'RunAs/Check': 'session',
      'RunAs/Outcome': 'COMPLIANT',
      'RunAs/Principal': 'arn:aws:iam::111122223333:user/alice',
    });

    // Assess
    expect(fields.check).toBe('session');
    expect(fields.outcome).toBe('COMPLIANT');
    expect(fields.principal).toBe('arn:aws:iam::111122223333:user/alice');
    expect(fields.sessionUser).toBe('');
    expect(Object.keys(fields)).toEqual(Object.keys(RUN_AS_FIELDS));
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an array', ['RunAs/Check']],
    ['a string', 'RunAs/Check=session'],
  ])('reads %s as no fields', (_name, value) => {
    // Act
    const fields = readRunAsFields(value);

    // Assess
    expect(Object.values(fields).every((v) => v === '')).toBe(true);
  });

  it('ignores non-string values and never reads inherited keys', () => {
    // Prepare
    const map = Object.create({ 'RunAs/Check': 'inherited' }) as Record<string, unknown>;
    map['RunAs/Outcome'] = 42;
    map['RunAs/Target'] = 'i-0123456789abcdef0';

    // Act
    const fields = readRunAsFields(map);

    // Assess
    expect(fields).toMatchObject({ check: '', outcome: '', target: 'i-0123456789abcdef0' });
  });

  it('lists every key once, all in the RunAs/ namespace', () => {
    // Assess
    expect(new Set(RUN_AS_FIELD_KEYS).size).toBe(RUN_AS_FIELD_KEYS.length);
    expect(RUN_AS_FIELD_KEYS.every((key) => key.startsWith('RunAs/'))).toBe(true);
  });
});

describe('findingView', () => {
  it('reads a stored session finding', () => {
    // Act
    const view = findingView(sessionFinding());

    // Assess
    expect(view).toMatchObject({
      severity: 'HIGH',
      compliance: 'FAILED',
      recordState: 'ACTIVE',
      workflowStatus: 'NEW',
      remediation: 'Set runAsEnabled to true.',
      fields: { check: 'session', outcome: 'RAN_AS_SSM_USER', target: 'i-0123456789abcdef0' },
    });
    expect(view.resources.map((r) => r.type)).toEqual(['Other', 'AwsEc2Instance', 'AwsIamUser']);
  });

  it('defaults what a stored finding may lack: RecordState ACTIVE, LastObservedAt from UpdatedAt', () => {
    // Prepare
    const { RecordState: _r, LastObservedAt: _l, Remediation: _m, ...bare } = principalFinding();

    // Act
    const view = findingView(bare as ReturnType<typeof principalFinding>);

    // Assess
    expect(view.recordState).toBe('ACTIVE');
    expect(view.lastObservedAt).toBe('2026-03-01T14:00:00.000Z');
    expect(view.remediation).toBe('');
  });
});
