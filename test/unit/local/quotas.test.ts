import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUOTAS,
  ManualClock,
  parseQuotaConfig,
  type QuotaCall,
  QuotaError,
  Quotas,
} from '../../../src/local/services/quotas.ts';
import { parseWorld, WorldError } from '../../../src/local/world/world.ts';
import { ACCOUNT } from './localAwsHelpers.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');

function call(overrides: Partial<QuotaCall> = {}): QuotaCall {
  return {
    account: ACCOUNT,
    region: 'us-east-1',
    service: 'securityhub',
    operation: 'BatchImportFindings',
    ...overrides,
  };
}

/** How many of `n` calls made at the clock's current instant are admitted. */
function admitted(quotas: Quotas, n: number, c: QuotaCall = call()): number {
  let count = 0;
  for (let i = 0; i < n; i += 1) if (quotas.admit(c) === undefined) count += 1;
  return count;
}

describe('Quotas: token buckets', () => {
  it.each([
    ['securityhub', 'BatchImportFindings', 10, 30, 'TooManyRequestsException'],
    ['securityhub', 'GetFindings', 3, 6, 'TooManyRequestsException'],
    ['cloudtrail', 'LookupEvents', 2, 2, 'ThrottlingException'],
    ['ssm', 'GetDocument', 10, 20, 'ThrottlingException'],
    ['ssm', 'DescribeInstanceInformation', 10, 20, 'ThrottlingException'],
    ['ssm', 'ListInventoryEntries', 10, 20, 'ThrottlingException'],
    ['ssm', 'SendCommand', 10, 20, 'ThrottlingException'],
    ['ssm', 'GetCommandInvocation', 10, 20, 'ThrottlingException'],
    ['ssm', 'DescribeSessions', 10, 20, 'ThrottlingException'],
    ['ssm', 'TerminateSession', 10, 20, 'ThrottlingException'],
    ['iam', 'ListUserTags', 10, 20, 'Throttling'],
    ['iam', 'ListRoleTags', 10, 20, 'Throttling'],
    ['iam', 'GetUser', 10, 20, 'Throttling'],
    ['iam', 'GetRole', 10, 20, 'Throttling'],
  ] as const)(
    '%s:%s admits a burst of %#, refills at its rate, throttles with its error',
    (service, operation, rate, burst, code) => {
      // Prepare
      const clock = new ManualClock(T0);
      const quotas = new Quotas({ enforce: true, limits: {} }, clock);
      const c = call({ service, operation });

      // Act
      const inBurst = admitted(quotas, burst, c);
      const over = quotas.admit(c);
      clock.advance(1000);
      const afterOneSecond = admitted(quotas, burst + 1, c);

      // Assess
      expect(quotas.limit(service, operation)).toEqual({ rate, burst });
      expect(inBurst).toBe(burst);
      expect(over?.code).toBe(code);
      expect(afterOneSecond).toBe(Math.min(rate, burst));
    },
  );

  it('refills fractions of a second at the rate, never above the burst', () => {
    // Prepare
    const clock = new ManualClock(T0);
    const quotas = new Quotas({ enforce: true, limits: {} }, clock);
    admitted(quotas, 30);

    // Act
    clock.advance(100);
    const after100ms = admitted(quotas, 5);
    clock.advance(60_000);
    const afterAMinute = admitted(quotas, 100);

    // Assess
    expect(after100ms).toBe(1);
    expect(afterAMinute).toBe(30);
  });

  it('keeps one bucket per account, Region and operation; IAM is global', () => {
    // Prepare
    const clock = new ManualClock(T0);
    const quotas = new Quotas({ enforce: true, limits: {} }, clock);
    admitted(quotas, 30);
    admitted(quotas, 20, call({ service: 'iam', operation: 'GetRole', region: 'us-east-1' }));

    // Act
    const otherRegion = admitted(quotas, 40, call({ region: 'eu-west-1' }));
    const otherAccount = admitted(quotas, 40, call({ account: '444455556666' }));
    const otherOperation = admitted(quotas, 10, call({ operation: 'GetFindings' }));
    const iamElsewhere = admitted(
      quotas,
      5,
      call({ service: 'iam', operation: 'GetRole', region: 'eu-west-1' }),
    );

    // Assess
    expect([otherRegion, otherAccount, otherOperation, iamElsewhere]).toEqual([30, 30, 6, 0]);
  });

  it('admits everything when not enforced, and counts only quota throttles', () => {
    // Prepare
    const clock = new ManualClock(T0);
    const off = new Quotas(undefined, clock);
    const on = new Quotas({ enforce: true, limits: {} }, clock);

    // Act
    const offAdmitted = admitted(off, 1000);
    admitted(on, 35);
    admitted(on, 8, call({ operation: 'GetFindings' }));

    // Assess
    expect(offAdmitted).toBe(1000);
    expect(off.throttled()).toEqual({});
    expect(on.throttled()).toEqual({
      'securityhub:BatchImportFindings': 5,
      'securityhub:GetFindings': 2,
    });
  });

  it('applies overrides, `service:*` to unlisted operations, and set() restarts the bucket', () => {
    // Prepare
    const clock = new ManualClock(T0);
    const quotas = new Quotas(
      {
        enforce: true,
        limits: { 'securityhub:BatchImportFindings': { rate: 1, burst: 2 }, 'ssm:*': { rate: 1, burst: 1 } },
      },
      clock,
    );

    // Act
    const overridden = admitted(quotas, 5);
    const unlisted = admitted(quotas, 5, call({ service: 'ssm', operation: 'DescribeDocumentPermission' }));
    const stillDefault = admitted(quotas, 25, call({ service: 'ssm', operation: 'GetDocument' }));
    quotas.set('securityhub:BatchImportFindings', { rate: 1, burst: 4 });
    const afterSet = admitted(quotas, 5);

    // Assess
    expect([overridden, unlisted, stillDefault, afterSet]).toEqual([2, 1, 20, 4]);
    expect(quotas.limit('cloudtrail', 'GetTrail')).toBeUndefined();
  });

  it('refills nothing and drains nothing when the clock moves back', () => {
    // Prepare
    const clock = new ManualClock(T0);
    const quotas = new Quotas(
      { enforce: true, limits: { 'cloudtrail:LookupEvents': { rate: 2, burst: 2 } } },
      clock,
    );
    const lookup = call({ service: 'cloudtrail', operation: 'LookupEvents' });
    admitted(quotas, 2, lookup);

    // Act
    clock.set(T0 - 3_600_000);
    const back = admitted(quotas, 2, lookup);
    clock.set(T0 - 3_600_000 + 500);
    const forward = admitted(quotas, 2, lookup);

    // Assess
    expect([back, forward]).toEqual([0, 1]);
  });

  it('reset() refills every bucket and clears the counts', () => {
    // Prepare
    const quotas = new Quotas({ enforce: true, limits: {} }, new ManualClock(T0));
    admitted(quotas, 31);

    // Act
    quotas.reset();

    // Assess
    expect(quotas.throttled()).toEqual({});
    expect(admitted(quotas, 31)).toBe(30);
  });

  it('covers every operation the auditor calls', () => {
    // Assess
    expect(Object.keys(DEFAULT_QUOTAS).sort()).toEqual([
      'cloudtrail:LookupEvents',
      'iam:GetRole',
      'iam:GetUser',
      'iam:ListRoleTags',
      'iam:ListUserTags',
      'logs:GetLogEvents',
      'securityhub:*',
      'securityhub:BatchImportFindings',
      'securityhub:GetFindings',
      'ssm:DescribeDocument',
      'ssm:DescribeInstanceInformation',
      'ssm:DescribeSessions',
      'ssm:GetCommandInvocation',
      'ssm:GetDocument',
      'ssm:ListInventoryEntries',
      'ssm:SendCommand',
      'ssm:TerminateSession',
    ]);
  });
});

describe('parseQuotaConfig and the world `quotas` key', () => {
  it('turns enforcement on when the key is written, off when absent or false', () => {
    // Act
    const written = parseWorld({ accountId: ACCOUNT, quotas: {} });
    const absent = parseWorld({ accountId: ACCOUNT });
    const off = parseWorld({
      accountId: ACCOUNT,
      quotas: { enforce: false, limits: { 'ssm:GetDocument': { rate: 0.5, burst: 1 } } },
    });

    // Assess
    expect(written.quotas).toEqual({ enforce: true, limits: {} });
    expect('quotas' in absent).toBe(false);
    expect(off.quotas).toEqual({ enforce: false, limits: { 'ssm:GetDocument': { rate: 0.5, burst: 1 } } });
  });

  it.each([
    [[], 'quotas'],
    [{ enforced: true }, 'quotas.enforced'],
    [{ enforce: 'yes' }, 'quotas.enforce'],
    [{ limits: [] }, 'quotas.limits'],
    [{ limits: { GetFindings: { rate: 1, burst: 1 } } }, 'quotas.limits.GetFindings'],
    [{ limits: { 's3:GetObject': { rate: 1, burst: 1 } } }, 'quotas.limits.s3:GetObject'],
    [{ limits: { 'ssm:GetDocument': { rate: 0, burst: 1 } } }, 'quotas.limits.ssm:GetDocument.rate'],
    [{ limits: { 'ssm:GetDocument': { rate: 1, burst: 1.5 } } }, 'quotas.limits.ssm:GetDocument.burst'],
    [{ limits: { 'ssm:GetDocument': { rate: 1 } } }, 'quotas.limits.ssm:GetDocument.burst'],
    [
      { limits: { 'ssm:GetDocument': { rate: 1, burst: 1, window: 1 } } },
      'quotas.limits.ssm:GetDocument.window',
    ],
  ])('rejects %j at %s', (quotas, path) => {
    // Act
    const direct = () => parseQuotaConfig(quotas);
    const viaWorld = () => parseWorld({ accountId: ACCOUNT, quotas });

    // Assess
    expect(direct).toThrow(QuotaError);
    expect(direct).toThrow(`${path}: `);
    expect(viaWorld).toThrow(WorldError);
    expect(viaWorld).toThrow(`${path}: `);
  });
});
