/** The sweep of an organization: its own account and the AUDITED_ACCOUNTS, each alone in failing. */
import { describe, expect, it, vi } from 'vitest';
import type { StartSessionHistory } from '../../../src/app/historyPorts.ts';
import { sweepAccounts, sweptAccounts, sweptRegions } from '../../../src/composition/sweep.ts';
import { loadConfig } from '../../../src/config.ts';
import { MemberRoleError } from '../../../src/errors.ts';
import { logger } from '../../../src/logger.ts';
import { fakeImporter, fakePorts, newRegion, newWorld } from '../app/changeFakes.ts';
import {
  historyOf,
  keepingImporter,
  memoryState,
  sessionReads,
  startSessionRecord,
} from '../app/historyFakes.ts';

const AUDIT = '111122223333';
const MEMBER = '222233334444';
const BROKEN = '999988887777';
const AT = '2026-03-01T12:00:00.000Z';
const ORGANIZATION = { AWS_REGION: 'us-east-1', ORGANIZATION_ID: 'o-a1b2c3d4e5', AUDIT_ACCOUNT_ID: AUDIT };

const input = {
  accountId: AUDIT,
  region: 'us-east-1',
  partition: 'aws' as const,
  scheduledTime: AT,
  now: Date.parse(AT),
  remainingTimeMs: () => 900_000,
};

/** Ports per account; the broken account's history cannot be read (its member role is refused). */
const portsFor = (refused: MemberRoleError, swept: string[]) => {
  const state = memoryState();
  return (accountId: string) => {
    swept.push(accountId);
    const { history } = historyOf([startSessionRecord(1, '2026-03-01T11:00:00Z', { user: 'oscar' })]);
    const broken: StartSessionHistory = {
      // biome-ignore lint/correctness/useYield: a history whose first page is refused
      pages: async function* () {
        throw refused;
      },
    };
    const world = newWorld({ 'us-east-1': newRegion(), 'eu-west-1': newRegion() });
    return {
      sessions: {
        history: accountId === BROKEN ? broken : history,
        reads: sessionReads({ oscar: { SSMSessionRunAs: 'root' } }).reads,
        importerFor: () => keepingImporter().importer,
        ledger: state.ledger,
        watermarks: state.watermarks,
      },
      refresh: { reads: fakePorts(world), importerFor: fakeImporter(world), remainingTimeMs: () => 900_000 },
    };
  };
};

describe('sweptAccounts', () => {
  it('is the own account, then the organization’s AUDITED_ACCOUNTS without repeats', () => {
    // Act
    const config = loadConfig({ ...ORGANIZATION, AUDITED_ACCOUNTS: `${MEMBER}, ${AUDIT}, ${MEMBER}` });

    // Assess
    expect(sweptAccounts(config, AUDIT)).toEqual([AUDIT, MEMBER]);
    expect(sweptAccounts(loadConfig({ AWS_REGION: 'us-east-1' }), AUDIT)).toEqual([AUDIT]);
  });
});

describe('sweepAccounts', () => {
  it('sweeps one account as before: its result', async () => {
    // Prepare
    const swept: string[] = [];
    const refused = new MemberRoleError(BROKEN, 'arn', 'AccessDenied: no');

    // Act
    const result = await sweepAccounts(
      input,
      portsFor(refused, swept),
      loadConfig({ AWS_REGION: 'us-east-1' }),
    );

    // Assess
    expect(swept).toEqual([AUDIT]);
    expect(Array.isArray(result)).toBe(false);
  });

  it('sweeps every account, and fails with the refused member’s error only after the others are done', async () => {
    // Prepare
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const swept: string[] = [];
    const refused = new MemberRoleError(
      BROKEN,
      `arn:aws:iam::${BROKEN}:role/ssm-runas-auditor-member`,
      'AccessDenied: no',
    );
    const config = loadConfig({ ...ORGANIZATION, AUDITED_ACCOUNTS: `${MEMBER},${BROKEN}` });

    // Act
    const error = await sweepAccounts(input, portsFor(refused, swept), config).catch((e: unknown) => e);

    // Assess
    expect(swept).toEqual([AUDIT, MEMBER, BROKEN]);
    expect(error).toBe(refused);
    expect(errors.mock.calls).toEqual([
      ['account not swept', { accountId: BROKEN, region: 'us-east-1', error: refused }],
    ]);
    errors.mockRestore();
  });

  it('in an organization, sweeps each account in every audited Region, and refreshes its posture once', async () => {
    // Prepare
    const pairs: string[] = [];
    const refreshed: string[] = [];
    const ports = portsFor(new MemberRoleError(BROKEN, 'arn', 'AccessDenied: no'), []);
    const config = loadConfig({
      ...ORGANIZATION,
      AUDITED_ACCOUNTS: MEMBER,
      AUDITED_REGIONS: 'eu-west-1,us-east-1',
    });

    // Act
    const results = (await sweepAccounts(
      input,
      (accountId, region) => {
        pairs.push(`${accountId}/${region}`);
        const wiring = ports(accountId);
        // Which runs read the posture: the refresh's reads are touched only by a refresh.
        const reads = new Proxy(wiring.refresh.reads, {
          get: (target, key, receiver) => {
            if (!refreshed.includes(`${accountId}/${region}`)) refreshed.push(`${accountId}/${region}`);
            return Reflect.get(target, key, receiver);
          },
        });
        return { ...wiring, refresh: { ...wiring.refresh, reads } };
      },
      config,
    )) as Awaited<ReturnType<typeof sweepAccounts>>[];

    // Assess
    expect(sweptRegions(config)).toEqual(['us-east-1', 'eu-west-1']);
    expect(sweptRegions(loadConfig({ AWS_REGION: 'us-east-1', AUDITED_REGIONS: 'eu-west-1' }))).toEqual([
      'us-east-1',
    ]);
    expect(pairs).toEqual([
      `${AUDIT}/us-east-1`,
      `${AUDIT}/eu-west-1`,
      `${MEMBER}/us-east-1`,
      `${MEMBER}/eu-west-1`,
    ]);
    expect(results).toHaveLength(4);
    // Sessions in every run; the posture (every audited Region's) only in each account's own-Region run.
    expect(results.map((r) => ('sessions' in r ? r.sessions.slices.length > 0 : false))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(refreshed.sort()).toEqual([`${AUDIT}/us-east-1`, `${MEMBER}/us-east-1`]);
  });
});
