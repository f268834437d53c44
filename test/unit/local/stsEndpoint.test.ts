import { IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  type Credentials,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_FUNCTION_ROLE_NAME,
  LOCAL_FUNCTION_SESSION_NAME,
} from '../../../src/local/services/callers.ts';
import { ManualClock } from '../../../src/local/services/quotas.ts';
import { type LocalAws, localCredentials, startLocalAws } from '../../../src/local/services/server.ts';
import { rejection } from './localAwsHelpers.ts';
import { ALICE_KEY, AUDIT, BARE, MEMBER, MEMBER_ROLE, orgWorld, roleArn, SECOPS_KEY } from './orgHelpers.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const PLACEHOLDER = {
  accessKeyId: localCredentials.AWS_ACCESS_KEY_ID,
  secretAccessKey: localCredentials.AWS_SECRET_ACCESS_KEY,
};
const FUNCTION_SESSION = `arn:aws:sts::${AUDIT}:assumed-role/${LOCAL_FUNCTION_ROLE_NAME}/${LOCAL_FUNCTION_SESSION_NAME}`;

let local: LocalAws;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(NOW);
  local = await startLocalAws(orgWorld(), { clock });
});
afterEach(() => local.close());

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const cfg = (credentials: Keys, region = 'us-east-1') => ({
  region,
  endpoint: local.url,
  credentials,
  retryStrategy: new ConfiguredRetryStrategy(1, () => 1),
});
const sts = (credentials: Keys = PLACEHOLDER, region = 'us-east-1') =>
  new STSClient(cfg(credentials, region));
const keysOf = (credentials: Credentials | undefined): Keys => ({
  accessKeyId: credentials?.AccessKeyId ?? '',
  secretAccessKey: credentials?.SecretAccessKey ?? '',
  sessionToken: credentials?.SessionToken ?? '',
});
const assume = (account: string, credentials: Keys = PLACEHOLDER, extra: { ExternalId?: string } = {}) =>
  sts(credentials).send(
    new AssumeRoleCommand({ RoleArn: roleArn(account), RoleSessionName: 'ssm-runas-auditor', ...extra }),
  );

describe('the local endpoint’s STS through the real STSClient', () => {
  it('answers GetCallerIdentity for credentials it did not issue as the audit functions’ session', async () => {
    // Act
    const identity = await sts().send(new GetCallerIdentityCommand({}));

    // Assess
    expect(identity).toMatchObject({ Account: AUDIT, Arn: FUNCTION_SESSION });
  });

  it('lets the audit functions assume the member role, and its credentials act as the member', async () => {
    // Act
    const out = await assume(MEMBER);
    const member = keysOf(out.Credentials);
    const identity = await sts(member, 'eu-west-1').send(new GetCallerIdentityCommand({}));
    const tags = await new IAMClient(cfg(member)).send(new ListUserTagsCommand({ UserName: 'alice' }));
    const doc = await new SSMClient(cfg(member, 'eu-west-1')).send(
      new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }),
    );

    // Assess
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/ssm-runas-auditor`,
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration).toEqual(new Date(NOW + 3_600_000));
    expect(identity).toMatchObject({
      Account: MEMBER,
      Arn: `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/ssm-runas-auditor`,
    });
    expect(tags.Tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'alice' }]);
    expect(doc.Content).toContain('member-eu-user');
    expect(local.calls.count('sts:AssumeRole')).toBe(1);
    expect(local.calls.count('sts:GetCallerIdentity')).toBe(1);
  });

  it('refuses a caller the member role does not trust, in AWS’s words', async () => {
    // Act: an audit account user (not an audit function), and a member user.
    const secops = await rejection(assume(MEMBER, SECOPS_KEY));
    const alice = await rejection(assume(MEMBER, ALICE_KEY));

    // Assess
    expect(secops).toBeInstanceOf(STSServiceException);
    expect(secops.name).toBe('AccessDenied');
    expect(secops.$metadata?.httpStatusCode).toBe(403);
    expect(secops.message).toBe(
      `User: arn:aws:iam::${AUDIT}:user/secops is not authorized to perform: sts:AssumeRole on resource: ${roleArn(MEMBER)}`,
    );
    expect(alice.message).toBe(
      `User: arn:aws:iam::${MEMBER}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${roleArn(MEMBER)}`,
    );
  });

  it('refuses a member without the role exactly as one whose role does not trust the caller', async () => {
    // Act
    const error = await rejection(assume(BARE));

    // Assess
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: ${FUNCTION_SESSION} is not authorized to perform: sts:AssumeRole on resource: ${roleArn(BARE)}`,
    );
  });

  it('enforces the external id a trust policy names', async () => {
    // Prepare
    const send = (ExternalId?: string) =>
      sts().send(
        new AssumeRoleCommand({
          RoleArn: roleArn(MEMBER, 'external-id-member'),
          RoleSessionName: 'audit',
          ...(ExternalId === undefined ? {} : { ExternalId }),
        }),
      );

    // Act
    const without = await rejection(send());
    const wrong = await rejection(send('other-id'));
    const right = await send('runas-7f3a');

    // Assess
    expect([without.name, wrong.name]).toEqual(['AccessDenied', 'AccessDenied']);
    expect(right.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it('refuses issued credentials once expired, and with a wrong session token, on every service', async () => {
    // Prepare
    const member = keysOf((await assume(MEMBER)).Credentials);
    const forged = { ...member, sessionToken: 'IQoJforged' };

    // Act
    const badToken = await rejection(sts(forged).send(new GetCallerIdentityCommand({})));
    clock.advance(3_600_000);
    const expiredSts = await rejection(sts(member).send(new GetCallerIdentityCommand({})));
    const expiredSsm = await rejection(
      new SSMClient(cfg(member)).send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })),
    );

    // Assess
    expect(badToken.name).toBe('InvalidClientTokenId');
    expect(badToken.message).toBe('The security token included in the request is invalid.');
    expect(badToken.$metadata?.httpStatusCode).toBe(403);
    expect(expiredSts.name).toBe('ExpiredToken');
    expect(expiredSsm.name).toBe('ExpiredTokenException');
    expect(expiredSsm.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a session longer than the member role allows', async () => {
    // Act
    const error = await rejection(
      sts().send(
        new AssumeRoleCommand({ RoleArn: roleArn(MEMBER), RoleSessionName: 'audit', DurationSeconds: 7200 }),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('MaxSessionDuration');
  });

  it('answers an STS action it does not serve as STS does', async () => {
    // Act
    const response = await fetch(local.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });

    // Assess
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('for version 2011-06-15');
    expect(text).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
  });

  it('paces STS per calling account and Region with the world’s quota', async () => {
    // Prepare
    local.quotas.enforce = true;
    local.quotas.set('sts:AssumeRole', { rate: 1, burst: 1 });
    await assume(MEMBER);

    // Act
    const throttled = await rejection(assume(MEMBER));
    const otherRegion = await sts(PLACEHOLDER, 'eu-west-1').send(
      new AssumeRoleCommand({ RoleArn: roleArn(MEMBER), RoleSessionName: 'eu' }),
    );

    // Assess
    expect(throttled.name).toBe('Throttling');
    expect(otherRegion.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(local.quotas.throttled()).toEqual({ 'sts:AssumeRole': 1 });
  });
});
