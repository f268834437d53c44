import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialRegistry,
  localCredentials,
  type Principal,
  principalOfAccessKey,
} from '../../../src/local/services/credentials.ts';
import { type StsAccountSpec, stsDirectoryOf } from '../../../src/local/services/stsDirectory.ts';
import { rejection } from './localAwsHelpers.ts';
import { memberTrust } from './orgHelpers.ts';
import { type LocalSts, startLocalSts } from './stsHelpers.ts';

const AUDIT = '111122223333';
const MEMBER = '444455556666';
const ORG = 'o-a1b2c3d4e5';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const MEMBER_ROLE_ARN = `arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member`;

/** The audit function's own Lambda session, as its execution role's credentials sign. */
const auditFunction: Principal = {
  type: 'assumed-role',
  partition: 'aws',
  accountId: AUDIT,
  session: {
    roleArn: `arn:aws:iam::${AUDIT}:role/ssm-runas-auditor/ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C`,
    roleName: 'ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C',
    roleId: 'AROAAUDITFUNCTION0001',
    sessionName: 'ssm-runas-auditor-AuditSession',
    tags: [],
    transitiveTagKeys: [],
    issuedAt: NOW - 60_000,
    expiresAt: NOW + 3_600_000,
    chained: false,
  },
};
const AUDIT_KEY = {
  accessKeyId: 'ASIAAUDITFUNCTION001',
  secretAccessKey: 'audit-secret',
  sessionToken: 'audit-token',
};

const operator: Principal = {
  type: 'user',
  partition: 'aws',
  accountId: AUDIT,
  userName: 'erin',
  path: '/',
  userId: 'AIDAERINERINERINERIN',
};
const OPERATOR_KEY = { accessKeyId: 'AKIAERINOPERATOR0001', secretAccessKey: 'erin-secret' };

const taggingTrust = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: principal }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ],
});

const ACCOUNTS: Record<string, StsAccountSpec> = {
  [AUDIT]: {
    organizationId: ORG,
    roles: [
      { roleName: 'Developers', maxSessionDuration: 14_400, assumeRolePolicyDocument: taggingTrust(AUDIT) },
      { roleName: 'Releasers', assumeRolePolicyDocument: taggingTrust(AUDIT) },
      {
        roleName: 'Untaggable',
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: AUDIT }, Action: 'sts:AssumeRole' }],
        },
      },
    ],
  },
  [MEMBER]: {
    organizationId: ORG,
    roles: [
      {
        roleName: 'ssm-runas-auditor-member',
        roleId: 'AROAMEMBERROLE0000001',
        assumeRolePolicyDocument: memberTrust(),
      },
      {
        roleName: 'external-id-member',
        assumeRolePolicyDocument: memberTrust({ 'sts:ExternalId': 'runas-7f3a' }),
      },
    ],
  },
};

let clock = NOW;
let registry: CredentialRegistry;
let sts: LocalSts;

const start = async (credentials: CredentialRegistry): Promise<void> => {
  registry = credentials;
  sts = await startLocalSts(
    stsDirectoryOf({ partition: 'aws', accounts: ACCOUNTS, now: () => clock }),
    registry,
  );
};

const assume = (credentials: typeof AUDIT_KEY | typeof OPERATOR_KEY, input: AssumeRoleCommandInput) =>
  sts.client(credentials).send(new AssumeRoleCommand(input));

describe('local STS (awsQuery) through the real STS client', () => {
  beforeEach(async () => {
    clock = NOW;
    const credentials = new CredentialRegistry();
    credentials.register(AUDIT_KEY.accessKeyId, auditFunction, AUDIT_KEY.sessionToken);
    credentials.register(OPERATOR_KEY.accessKeyId, operator);
    await start(credentials);
  });
  afterEach(async () => {
    await sts.close();
  });

  it('lets an audit function assume the member role and returns the session it made', async () => {
    // Act
    const out = await assume(AUDIT_KEY, {
      RoleArn: MEMBER_ROLE_ARN,
      RoleSessionName: 'audit-session',
      DurationSeconds: 900,
    });

    // Assess
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: 'AROAMEMBERROLE0000001:audit-session',
      Arn: `arn:aws:sts::${MEMBER}:assumed-role/ssm-runas-auditor-member/audit-session`,
    });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    expect(out.Credentials?.Expiration?.toISOString()).toBe('2026-03-01T12:15:00.000Z');
    expect(sts.bodies[0]).toContain('Action=AssumeRole&Version=2011-06-15');
  });

  it('issues distinct credentials on every call, each mapping back to its role session', async () => {
    // Act
    const [a, b] = await Promise.all(
      ['first', 'second'].map((name) =>
        assume(AUDIT_KEY, { RoleArn: MEMBER_ROLE_ARN, RoleSessionName: name }),
      ),
    );

    // Assess
    const keys = [a, b].map((out) => out?.Credentials?.AccessKeyId ?? '');
    expect(new Set(keys).size).toBe(2);
    expect(a?.Credentials?.SecretAccessKey).not.toBe(b?.Credentials?.SecretAccessKey);
    expect(a?.Credentials?.SessionToken).not.toBe(b?.Credentials?.SessionToken);
    const sessions = keys.map((key) => registry.principalOf(key));
    expect(sessions.map((p) => p?.accountId)).toEqual([MEMBER, MEMBER]);
    expect(sessions.map((p) => (p?.type === 'assumed-role' ? p.session.sessionName : p?.type))).toEqual([
      'first',
      'second',
    ]);
  });

  it('answers GetCallerIdentity for issued credentials as the assumed role session in the role’s account', async () => {
    // Prepare
    const out = await assume(AUDIT_KEY, { RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'audit-session' });
    const issued = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };

    // Act
    const [member, audit] = await Promise.all([
      sts.client(issued).send(new GetCallerIdentityCommand({})),
      sts.client(AUDIT_KEY).send(new GetCallerIdentityCommand({})),
    ]);

    // Assess
    expect(member).toMatchObject({
      Account: MEMBER,
      Arn: `arn:aws:sts::${MEMBER}:assumed-role/ssm-runas-auditor-member/audit-session`,
      UserId: 'AROAMEMBERROLE0000001:audit-session',
    });
    expect(audit).toMatchObject({
      Account: AUDIT,
      Arn: `arn:aws:sts::${AUDIT}:assumed-role/ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C/ssm-runas-auditor-AuditSession`,
    });
  });

  it('registers what it issues in the process registry, so principalOfAccessKey knows the account', async () => {
    // Prepare
    await sts.close();
    localCredentials.register(AUDIT_KEY.accessKeyId, auditFunction, AUDIT_KEY.sessionToken);
    await start(localCredentials);

    // Act
    const out = await assume(AUDIT_KEY, { RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'registry' });

    // Assess
    expect(principalOfAccessKey(out.Credentials?.AccessKeyId ?? '')?.accountId).toBe(MEMBER);
    expect(principalOfAccessKey(AUDIT_KEY.accessKeyId)?.accountId).toBe(AUDIT);
    expect(principalOfAccessKey('ASIANOTISSUEDATALL00')).toBeUndefined();
  });

  it.each([
    [
      'a caller outside the trusted role pattern',
      OPERATOR_KEY,
      MEMBER_ROLE_ARN,
      `arn:aws:iam::${AUDIT}:user/erin`,
    ],
    [
      'a role that does not exist',
      AUDIT_KEY,
      `arn:aws:iam::${MEMBER}:role/no-such-role`,
      `arn:aws:sts::${AUDIT}:assumed-role/ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C/ssm-runas-auditor-AuditSession`,
    ],
    [
      'a role ARN with the wrong path',
      AUDIT_KEY,
      `arn:aws:iam::${MEMBER}:role/other/ssm-runas-auditor-member`,
      `arn:aws:sts::${AUDIT}:assumed-role/ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C/ssm-runas-auditor-AuditSession`,
    ],
  ])('refuses %s with AccessDenied (403), naming caller and role', async (_name, key, roleArn, caller) => {
    // Act
    const error = await rejection(assume(key, { RoleArn: roleArn, RoleSessionName: 'probe' }));

    // Assess
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('requires the external id when the trust policy names one', async () => {
    // Prepare
    const RoleArn = `arn:aws:iam::${MEMBER}:role/external-id-member`;

    // Act
    const missing = await rejection(assume(AUDIT_KEY, { RoleArn, RoleSessionName: 'x1' }));
    const wrong = await rejection(
      assume(AUDIT_KEY, { RoleArn, RoleSessionName: 'x2', ExternalId: 'runas-0000' }),
    );
    const right = await assume(AUDIT_KEY, { RoleArn, RoleSessionName: 'x3', ExternalId: 'runas-7f3a' });

    // Assess
    expect([missing.name, wrong.name]).toEqual(['AccessDenied', 'AccessDenied']);
    expect(right.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/external-id-member/x3`);
  });

  it('answers in STS’s XML, errors in its ErrorResponse shape', async () => {
    // Prepare
    const post = (accessKeyId: string, body: string) =>
      fetch(sts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body,
      });

    // Act
    const ok = await post(OPERATOR_KEY.accessKeyId, 'Action=GetCallerIdentity&Version=2011-06-15');
    const denied = await post(
      OPERATOR_KEY.accessKeyId,
      `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(MEMBER_ROLE_ARN)}&RoleSessionName=raw`,
    );

    // Assess
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><UserId>AIDAERINERINERINERIN<\/UserId><Account>111122223333<\/Account><Arn>arn:aws:iam::111122223333:user\/erin<\/Arn><\/GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetCallerIdentityResponse>$/,
    );
    expect(denied.status).toBe(403);
    expect(await denied.text()).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: arn:aws:iam::111122223333:user\/erin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role\/ssm-runas-auditor-member<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it.each([
    [
      'an unknown access key',
      { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 's' },
      'InvalidClientTokenId',
    ],
    [
      'a session key without its token',
      { accessKeyId: AUDIT_KEY.accessKeyId, secretAccessKey: AUDIT_KEY.secretAccessKey },
      'InvalidClientTokenId',
    ],
  ])('refuses %s (403)', async (_name, credentials, code) => {
    // Act
    const error = await rejection(sts.client(credentials).send(new GetCallerIdentityCommand({})));

    // Assess
    expect(error.name).toBe(code);
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses an unsigned request', async () => {
    // Act
    const response = await fetch(sts.url, {
      method: 'POST',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('keeps a key registered to one principal: the same again is fine, another is an error', () => {
    // Prepare
    const credentials = new CredentialRegistry();
    credentials.register(OPERATOR_KEY.accessKeyId, operator);

    // Act
    const again = () => credentials.register(OPERATOR_KEY.accessKeyId, { ...operator });
    const other = () => credentials.register(OPERATOR_KEY.accessKeyId, auditFunction);

    // Assess
    expect(again).not.toThrow();
    expect(other).toThrow(
      `access key ${OPERATOR_KEY.accessKeyId} is already registered to another principal`,
    );
  });

  it('refuses issued credentials once they expire', async () => {
    // Prepare
    const out = await assume(AUDIT_KEY, {
      RoleArn: MEMBER_ROLE_ARN,
      RoleSessionName: 'short',
      DurationSeconds: 900,
    });
    const issued = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
    clock = NOW + 900_000;

    // Act
    const error = await rejection(sts.client(issued).send(new GetCallerIdentityCommand({})));

    // Assess
    expect(error.name).toBe('ExpiredToken');
    expect(error.message).toBe('The security token included in the request is expired');
  });
});

describe('local STS session tags and role chaining', () => {
  beforeEach(async () => {
    clock = NOW;
    const credentials = new CredentialRegistry();
    credentials.register(OPERATOR_KEY.accessKeyId, operator);
    await start(credentials);
  });
  afterEach(async () => {
    await sts.close();
  });

  const DEVELOPERS = `arn:aws:iam::${AUDIT}:role/Developers`;
  const RELEASERS = `arn:aws:iam::${AUDIT}:role/Releasers`;

  const issuedFrom = (out: Awaited<ReturnType<typeof assume>>) => ({
    accessKeyId: out.Credentials?.AccessKeyId ?? '',
    secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
    sessionToken: out.Credentials?.SessionToken ?? '',
  });

  it('carries transitive tags into the next session of a role chain', async () => {
    // Prepare
    const first = await assume(OPERATOR_KEY, {
      RoleArn: DEVELOPERS,
      RoleSessionName: 'erin',
      Tags: [
        { Key: 'SSMSessionRunAs', Value: 'erin' },
        { Key: 'Team', Value: 'payments' },
      ],
      TransitiveTagKeys: ['SSMSessionRunAs'],
    });

    // Act
    const second = await sts
      .client(issuedFrom(first))
      .send(new AssumeRoleCommand({ RoleArn: RELEASERS, RoleSessionName: 'erin-release' }));

    // Assess
    const session = registry.principalOf(second.Credentials?.AccessKeyId ?? '');
    expect(session?.type === 'assumed-role' && session.session).toMatchObject({
      roleArn: RELEASERS,
      tags: [{ Key: 'SSMSessionRunAs', Value: 'erin' }],
      transitiveTagKeys: ['SSMSessionRunAs'],
      chained: true,
    });
    expect(sts.bodies[0]).toContain('Tags.member.1.Key=SSMSessionRunAs&Tags.member.1.Value=erin');
  });

  it('needs sts:TagSession in the trust policy to pass tags', async () => {
    // Act
    const error = await rejection(
      assume(OPERATOR_KEY, {
        RoleArn: `arn:aws:iam::${AUDIT}:role/Untaggable`,
        RoleSessionName: 'erin',
        Tags: [{ Key: 'SSMSessionRunAs', Value: 'erin' }],
      }),
    );

    // Assess
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: arn:aws:iam::${AUDIT}:user/erin is not authorized to perform: sts:TagSession on resource: arn:aws:iam::${AUDIT}:role/Untaggable`,
    );
  });

  it('needs sts:TagSession to carry incoming transitive tags, and refuses to override them', async () => {
    // Prepare
    const first = issuedFrom(
      await assume(OPERATOR_KEY, {
        RoleArn: DEVELOPERS,
        RoleSessionName: 'erin',
        Tags: [{ Key: 'SSMSessionRunAs', Value: 'erin' }],
        TransitiveTagKeys: ['SSMSessionRunAs'],
      }),
    );

    // Act
    const untaggable = await rejection(
      sts
        .client(first)
        .send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${AUDIT}:role/Untaggable`, RoleSessionName: 'e2' }),
        ),
    );
    const override = await rejection(
      sts.client(first).send(
        new AssumeRoleCommand({
          RoleArn: RELEASERS,
          RoleSessionName: 'e3',
          Tags: [{ Key: 'ssmsessionrunas', Value: 'root' }],
        }),
      ),
    );

    // Assess
    expect(untaggable.message).toContain('sts:TagSession');
    expect(override.name).toBe('InvalidParameterValue');
  });

  it.each([
    [
      'a duration above the role’s MaxSessionDuration',
      { RoleArn: RELEASERS, RoleSessionName: 'long', DurationSeconds: 7200 },
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    ],
    [
      'a session name with a space',
      { RoleArn: DEVELOPERS, RoleSessionName: 'erin smith' },
      'ValidationError',
      "1 validation error detected: Value 'erin smith' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    ],
    [
      'a duration under 15 minutes',
      { RoleArn: DEVELOPERS, RoleSessionName: 'erin', DurationSeconds: 60 },
      'ValidationError',
      "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200",
    ],
    [
      'a transitive key that is not a passed tag',
      {
        RoleArn: DEVELOPERS,
        RoleSessionName: 'erin',
        Tags: [{ Key: 'Team', Value: 'a' }],
        TransitiveTagKeys: ['Other'],
      },
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.',
    ],
    [
      'two tags whose keys differ only in case',
      {
        RoleArn: DEVELOPERS,
        RoleSessionName: 'erin',
        Tags: [
          { Key: 'Team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
      },
      'InvalidParameterValue',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    ],
    [
      'a session policy (not implemented locally)',
      { RoleArn: DEVELOPERS, RoleSessionName: 'erin', Policy: '{}' },
      'ValidationError',
      'The local endpoint does not implement the AssumeRole parameter Policy.',
    ],
  ])('refuses %s', async (_name, input, code, message) => {
    // Act
    const error = await rejection(assume(OPERATOR_KEY, input));

    // Assess
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([code, message, 400]);
  });

  it('limits a chained session to one hour', async () => {
    // Prepare
    const first = issuedFrom(
      await assume(OPERATOR_KEY, { RoleArn: DEVELOPERS, RoleSessionName: 'erin', DurationSeconds: 14_400 }),
    );

    // Act
    const error = await rejection(
      sts
        .client(first)
        .send(
          new AssumeRoleCommand({ RoleArn: DEVELOPERS, RoleSessionName: 'again', DurationSeconds: 7200 }),
        ),
    );

    // Assess
    expect(error.message).toBe(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  });
});
