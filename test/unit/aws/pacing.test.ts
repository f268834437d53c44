import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPacer, type PacingClock, pace, REQUEST_RATES, rateOf } from '../../../src/aws/pacing.ts';
import { DeadlineError } from '../../../src/errors.ts';
import { DEFAULT_QUOTAS, ManualClock } from '../../../src/local/services/quotas.ts';
import { type LocalAws, startLocalAws } from '../../../src/local/services/server.ts';
import { baseWorld, CREDENTIALS } from '../local/localAwsHelpers.ts';

const SCOPE = { account: '111122223333', region: 'us-east-1' };

/** A clock that only moves when the pacer waits, recording each wait's end. */
const steppingClock = (start = 0) => {
  const clock = new ManualClock(start);
  const waits: number[] = [];
  const pacing: PacingClock = {
    now: () => clock.now(),
    sleepUntil: async (ms) => {
      waits.push(ms - start);
      if (ms > clock.now()) clock.set(ms);
    },
  };
  return { clock, waits, pacing };
};

describe('the request rates', () => {
  it.each(Object.entries(DEFAULT_QUOTAS))('pace %s as the local endpoint enforces it', (operation, limit) => {
    // Assess
    expect(rateOf(operation.endsWith(':*') ? operation.replace('*', 'AnyOther') : operation)).toEqual(limit);
  });

  it('name the quotas the issue is about', () => {
    // Assess
    expect(REQUEST_RATES['securityhub:BatchImportFindings']).toEqual({ rate: 10, burst: 30 });
    expect(REQUEST_RATES['cloudtrail:LookupEvents']).toEqual({ rate: 2, burst: 2 });
    expect(rateOf('sts:AssumeRole')).toBeUndefined();
  });
});

describe('createPacer', () => {
  it('lets a burst through, then spaces calls at the rate', async () => {
    // Prepare
    const { waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 1, clock: pacing });

    // Act
    for (let i = 0; i < 33; i++) await pacer.acquire(SCOPE, 'securityhub:BatchImportFindings');

    // Assess: 30 at once, then one every 100 ms.
    expect(waits).toEqual([100, 200, 300]);
  });

  it('divides the rate and the burst by the invocations that share the quota', async () => {
    // Prepare
    const { waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 2, clock: pacing });

    // Act
    for (let i = 0; i < 17; i++) await pacer.acquire(SCOPE, 'securityhub:BatchImportFindings');

    // Assess: a burst of 15, then one every 200 ms (5/s).
    expect(waits).toEqual([200, 400]);
  });

  it('gives concurrent callers consecutive slots', async () => {
    // Prepare
    const { waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 1, clock: pacing });

    // Act: LookupEvents allows 2/s with a burst of 2.
    await Promise.all(Array.from({ length: 5 }, () => pacer.acquire(SCOPE, 'cloudtrail:LookupEvents')));

    // Assess
    expect(waits).toEqual([500, 1000, 1500]);
  });

  it('keeps one bucket per account, Region and operation, and one per account for IAM', async () => {
    // Prepare
    const { waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 1, clock: pacing });
    const other = { account: SCOPE.account, region: 'eu-west-1' };

    // Act
    for (const scope of [SCOPE, SCOPE, other, other]) await pacer.acquire(scope, 'cloudtrail:LookupEvents');
    for (let i = 0; i < 20; i++) await pacer.acquire(i % 2 === 0 ? SCOPE : other, 'iam:ListRoleTags');
    await pacer.acquire(other, 'iam:ListRoleTags');

    // Assess: the Regions' LookupEvents buckets are separate; IAM's is shared (its 21st call waits).
    expect(waits).toEqual([100]);
  });

  it('refills with time', async () => {
    // Prepare
    const { clock, waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 1, clock: pacing });
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');

    // Act
    clock.advance(1000);
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');

    // Assess
    expect(waits).toEqual([]);
  });

  it('fails a wait that would leave less than the import its time, without taking the slot', async () => {
    // Prepare
    const { waits, pacing } = steppingClock();
    const pacer = createPacer({ share: 1, clock: pacing, remainingTimeMs: () => 5_400 });
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');
    await pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');

    // Act
    const read = pacer.acquire(SCOPE, 'cloudtrail:LookupEvents');

    // Assess: a read must leave 5 s; waiting 500 ms would leave 4.9 s.
    await expect(read).rejects.toBeInstanceOf(DeadlineError);
    await expect(read).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining('LookupEvents'),
    });
    expect(waits).toEqual([]);
  });

  it('refuses a share that is not a positive whole number', () => {
    // Assess
    expect(() => createPacer({ share: 0 })).toThrow(RangeError);
  });
});

describe('pace (SDK middleware) against the local endpoint', () => {
  let local: LocalAws;
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));

  beforeEach(async () => {
    local = await startLocalAws(baseWorld(), {
      clock,
      quotas: { enforce: true, limits: { 'securityhub:GetFindings': { rate: 3, burst: 6 } } },
    });
  });

  afterEach(async () => {
    await local.close();
  });

  const clients = (onThrottled: (op: string) => void, pacing: PacingClock) => {
    const config = {
      region: 'us-east-1',
      endpoint: local.url,
      credentials: CREDENTIALS,
      retryStrategy: new ConfiguredRetryStrategy(3, () => 1),
    };
    const pacer = createPacer({ share: 1, clock: pacing, onThrottled });
    return {
      sh: pace(new SecurityHubClient(config), pacer, { ...SCOPE, service: 'securityhub' }),
      ssm: pace(new SSMClient(config), pacer, { ...SCOPE, service: 'ssm' }),
    };
  };

  it('keeps a burst of calls under the quota: none is throttled', async () => {
    // Prepare
    const throttled: string[] = [];
    const { sh } = clients((op) => throttled.push(op), {
      now: () => clock.now(),
      sleepUntil: async (ms) => clock.set(Math.max(ms, clock.now())),
    });

    // Act
    for (let i = 0; i < 12; i++) await sh.send(new GetFindingsCommand({}));

    // Assess
    expect(local.calls.count('securityhub:GetFindings')).toBe(12);
    expect(local.quotas.throttled()).toEqual({});
    expect(throttled).toEqual([]);
  });

  it('counts every attempt a service throttled, retries included', async () => {
    // Prepare: a caller the pacer cannot see has emptied the bucket.
    const throttled: string[] = [];
    const { ssm } = clients((op) => throttled.push(op), {
      now: () => clock.now(),
      sleepUntil: async () => undefined,
    });
    local.faults.add({ service: 'ssm', kind: 'throttle', times: 2 });

    // Act
    await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));

    // Assess
    expect(throttled).toEqual(['ssm:GetDocument', 'ssm:GetDocument']);
    expect(local.calls.count('ssm:GetDocument')).toBe(3);
  });
});
