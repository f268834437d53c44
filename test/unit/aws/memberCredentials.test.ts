import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMemberCredentials,
  memberRoleArn,
  roleSessionNameOf,
} from '../../../src/aws/memberCredentials.ts';
import { AwsCallError, MemberRoleError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const sts = mockClient(STSClient);
const client = new STSClient({ region: 'eu-west-1' });
const stsError = serviceError(STSServiceException);

const MEMBER = '222233334444';
const OTHER = '555566667777';
const SETTINGS = {
  partition: 'aws',
  roleName: 'ssm-runas-auditor-member',
  sessionName: 'ssm-runas-auditor-AuditSessionFunction-AbC123',
} as const;

const T0 = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;

const issued = (key: string, expiresAt: number) => ({
  Credentials: {
    AccessKeyId: key,
    SecretAccessKey: `secret-${key}`,
    SessionToken: `token-${key}`,
    Expiration: new Date(expiresAt),
  },
});

/** A clock the test moves. */
const clock = (start = T0) => {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
};

beforeEach(() => {
  sts.reset();
});

describe('createMemberCredentials', () => {
  it('assumes the member role of the account asked for, named after the function, with the external id', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(issued('ASIAMEMBER', T0 + HOUR));
    const credentialsOf = createMemberCredentials(client, { ...SETTINGS, externalId: 'runas-7f3a' }, clock());

    // Act
    const credentials = await credentialsOf(MEMBER)();

    // Assess
    expect(credentials).toEqual({
      accessKeyId: 'ASIAMEMBER',
      secretAccessKey: 'secret-ASIAMEMBER',
      sessionToken: 'token-ASIAMEMBER',
      expiration: new Date(T0 + HOUR),
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member`,
        RoleSessionName: SETTINGS.sessionName,
        DurationSeconds: 3600,
        ExternalId: 'runas-7f3a',
      },
    ]);
  });

  it('sends no external id when none is set', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(issued('ASIAMEMBER', T0 + HOUR));

    // Act
    await createMemberCredentials(client, SETTINGS, clock())(MEMBER)();

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).not.toHaveProperty('ExternalId');
  });

  it('reuses an account’s credentials until five minutes before they expire, then assumes again', async () => {
    // Prepare
    const time = clock();
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(issued('ASIAFIRST', T0 + HOUR))
      .resolves(issued('ASIASECOND', T0 + 2 * HOUR));
    const provider = createMemberCredentials(client, SETTINGS, time)(MEMBER);

    // Act
    const first = await provider();
    time.advance(HOUR - 5 * 60_000 - 1);
    const stillFirst = await provider();
    time.advance(1);
    const second = await provider();

    // Assess
    expect([first.accessKeyId, stillFirst.accessKeyId, second.accessKeyId]).toEqual([
      'ASIAFIRST',
      'ASIAFIRST',
      'ASIASECOND',
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps each account’s credentials apart, and shares one AssumeRole among concurrent callers', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .callsFake((input: { RoleArn: string }) =>
        issued(input.RoleArn.includes(MEMBER) ? 'ASIAMEMBER' : 'ASIAOTHER', T0 + HOUR),
      );
    const credentialsOf = createMemberCredentials(client, SETTINGS, clock());

    // Act
    const keys = await Promise.all(
      [MEMBER, MEMBER, OTHER, MEMBER, OTHER].map(
        async (account) => (await credentialsOf(account)()).accessKeyId,
      ),
    );

    // Assess
    expect(keys).toEqual(['ASIAMEMBER', 'ASIAMEMBER', 'ASIAOTHER', 'ASIAMEMBER', 'ASIAOTHER']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(credentialsOf(MEMBER)).toBe(credentialsOf(MEMBER));
  });

  it.each([
    ['AccessDenied', 403],
    ['AccessDeniedException', 403],
  ])(
    'turns a refused AssumeRole (%s) into an error naming the account and the role',
    async (code, status) => {
      // Prepare
      sts.on(AssumeRoleCommand).rejects(stsError(code, status));
      const provider = createMemberCredentials(client, SETTINGS, clock())(MEMBER);

      // Act
      const error = await provider().then(
        () => undefined,
        (e: unknown) => e,
      );

      // Assess
      expect(error).toBeInstanceOf(MemberRoleError);
      const refused = error as MemberRoleError;
      expect(refused.accountId).toBe(MEMBER);
      expect(refused.roleArn).toBe(`arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member`);
      expect(refused.retryable).toBe(false);
      expect(refused.message).toBe(
        `cannot audit account ${MEMBER}: sts:AssumeRole on arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member ` +
          `was refused (${code}: ${code} happened): deploy member-template.yaml there, with the audit stack's member role name and external id`,
      );
    },
  );

  it('answers a refused account from memory for a minute, then asks STS again', async () => {
    // Prepare
    const time = clock();
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(stsError('AccessDenied', 403))
      .resolves(issued('ASIAFIXED', T0 + 2 * HOUR));
    const credentialsOf = createMemberCredentials(client, SETTINGS, time);

    // Act
    const burst = await Promise.allSettled([1, 2, 3, 4, 5].map(() => credentialsOf(MEMBER)()));
    time.advance(59_999);
    const stillRefused = await credentialsOf(MEMBER)().catch((e: unknown) => e);
    time.advance(1);
    const fixed = await credentialsOf(MEMBER)();

    // Assess
    expect(burst.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(stillRefused).toBeInstanceOf(MemberRoleError);
    expect(fixed.accessKeyId).toBe('ASIAFIXED');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('refuses one account without touching another', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member` })
      .rejects(stsError('AccessDenied', 403))
      .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${OTHER}:role/ssm-runas-auditor-member` })
      .resolves(issued('ASIAOTHER', T0 + HOUR));
    const credentialsOf = createMemberCredentials(client, SETTINGS, clock());

    // Act
    const [member, other] = await Promise.allSettled([credentialsOf(MEMBER)(), credentialsOf(OTHER)()]);

    // Assess
    expect(member.status === 'rejected' && member.reason).toBeInstanceOf(MemberRoleError);
    expect(other.status === 'fulfilled' && other.value.accessKeyId).toBe('ASIAOTHER');
  });

  it('throws a failure that can pass (throttling, 5xx) as a retryable call error, and remembers nothing', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(stsError('Throttling', 400))
      .resolves(issued('ASIALATER', T0 + HOUR));
    const provider = createMemberCredentials(client, SETTINGS, clock())(MEMBER);

    // Act
    const error = await provider().catch((e: unknown) => e);
    const later = await provider();

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).retryable).toBe(true);
    expect((error as Error).message).toContain(`sts:AssumeRole on arn:aws:iam::${MEMBER}:role/`);
    expect(later.accessKeyId).toBe('ASIALATER');
  });

  it('refuses an answer without credentials rather than signing with nothing', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({});

    // Act
    const error = await createMemberCredentials(client, SETTINGS, clock())(MEMBER)().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toContain('without complete credentials');
  });
});

describe('member role names', () => {
  it.each([
    ['ssm-runas-auditor-AuditSessionFunction-AbC123', 'ssm-runas-auditor-AuditSessionFunction-AbC123'],
    ['x', 'ssm-runas-auditor'],
    ['a'.repeat(70), 'a'.repeat(64)],
  ])('names the session after function %s', (functionName, expected) => {
    expect(roleSessionNameOf(functionName)).toBe(expected);
  });

  it('builds the role ARN in the partition, with the role path if any', () => {
    expect(memberRoleArn({ ...SETTINGS, partition: 'aws-cn', roleName: '/audit/reader' }, MEMBER)).toBe(
      `arn:aws-cn:iam::${MEMBER}:role/audit/reader`,
    );
  });
});
