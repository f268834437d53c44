import {
  CloudTrailClient,
  CloudTrailServiceException,
  type Event,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createCloudTrailSessionTags,
  NOT_FOUND_REASON,
  sessionTagsOfRecord,
} from '../../../src/aws/cloudTrailSessionTags.ts';
import type { Principal } from '../../../src/domain/facts.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Operators`;
const KEY = 'ASIAEXAMPLEBOB000001';
const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });

const bob: Principal = {
  kind: 'role',
  arn: ROLE_ARN,
  accountId: ACCOUNT,
  name: 'Operators',
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/bob`,
  accessKeyId: KEY,
  sessionName: 'bob',
  sessionCreatedAt: '2026-01-01T12:00:00Z',
};

/** A CloudTrail AssumeRole* record as LookupEvents returns it (record JSON in CloudTrailEvent). */
const stsEvent = (
  eventName: string,
  accessKeyId: string,
  requestParameters: Record<string, unknown>,
): Event => ({
  EventId: `evt-${eventName}-${accessKeyId}`,
  EventName: eventName,
  EventSource: 'sts.amazonaws.com',
  CloudTrailEvent: JSON.stringify({
    eventVersion: '1.08',
    eventSource: 'sts.amazonaws.com',
    eventName,
    eventTime: '2026-01-01T12:00:00Z',
    sourceIPAddress: '203.0.113.10',
    requestParameters: { roleArn: ROLE_ARN, roleSessionName: 'bob', ...requestParameters },
    responseElements: { credentials: { accessKeyId, expiration: 'Jan 1, 2026, 1:00:00 PM' } },
    resources: [{ ARN: ROLE_ARN, accountId: ACCOUNT, type: 'AWS::IAM::Role' }],
  }),
});

const ctError = serviceError(CloudTrailServiceException);

const adapter = (ttlMs = 60_000, now?: () => number) =>
  createCloudTrailSessionTags(client, { ttlMs, ...(now === undefined ? {} : { now }) });

beforeEach(() => {
  ct.reset();
});

describe('createCloudTrailSessionTags', () => {
  it('looks up the role ARN within 5 minutes either side of the session creation', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', KEY, {})] });

    // Act
    await adapter().sessionTagsOf(bob);

    // Assess
    expect(ct).toReceiveNthCommandWith(LookupEventsCommand, 1, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: ROLE_ARN }],
      StartTime: new Date('2026-01-01T11:55:00Z'),
      EndTime: new Date('2026-01-01T12:05:00Z'),
      MaxResults: 50,
    });
  });

  it.each([
    {
      label: 'AssumeRole tags list plus incoming transitive tags',
      event: stsEvent('AssumeRole', KEY, {
        incomingTransitiveTags: { Department: 'Engineering' },
        tags: [
          { key: 'SSMSessionRunAs', value: 'bob' },
          { key: 'CostCenter', value: '12345' },
        ],
        transitiveTagKeys: ['SSMSessionRunAs'],
      }),
      tags: { Department: 'Engineering', SSMSessionRunAs: 'bob', CostCenter: '12345' },
    },
    {
      label: 'AssumeRoleWithSAML principalTags map',
      event: stsEvent('AssumeRoleWithSAML', KEY, {
        principalTags: { SSMSessionRunAs: 'bob', Project: 'Unicorn' },
      }),
      tags: { SSMSessionRunAs: 'bob', Project: 'Unicorn' },
    },
    {
      label: 'AssumeRoleWithWebIdentity principalTags map',
      event: stsEvent('AssumeRoleWithWebIdentity', KEY, { principalTags: { ssmsessionrunas: 'web' } }),
      tags: { ssmsessionrunas: 'web' },
    },
    { label: 'AssumeRole without tags', event: stsEvent('AssumeRole', KEY, {}), tags: {} },
  ])('reads the session tags of $label', async ({ event, tags }) => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({ Events: [event] });

    // Act
    const fact = await adapter().sessionTagsOf(bob);

    // Assess
    expect(fact).toEqual({ status: 'known', tags });
  });

  it('matches the record whose issued access key is the session key, skipping others and junk', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({
      Events: [
        stsEvent('AssumeRole', 'ASIAOTHERSESSION0001', {
          tags: [{ key: 'SSMSessionRunAs', value: 'mallory' }],
        }),
        { EventName: 'AssumeRole', CloudTrailEvent: '{not json' },
        { EventName: 'AssumeRole', CloudTrailEvent: '[1,2]' },
        stsEvent('GetRole', KEY, {}),
        stsEvent('AssumeRole', KEY, { tags: [{ key: 'SSMSessionRunAs', value: 'bob' }] }),
      ],
    });

    // Act
    const fact = await adapter().sessionTagsOf(bob);

    // Assess
    expect(fact).toEqual({ status: 'known', tags: { SSMSessionRunAs: 'bob' } });
  });

  it('ignores tag values that are not strings', () => {
    // Act
    const tags = sessionTagsOfRecord({
      eventName: 'AssumeRole',
      requestParameters: {
        incomingTransitiveTags: { a: 1, b: 'ok' },
        tags: [{ key: 'c', value: null }, { key: 'd', value: 'ok' }, 'junk'],
      },
    });

    // Assess
    expect(tags).toEqual({ b: 'ok', d: 'ok' });
  });

  it('follows NextToken across 3 pages', async () => {
    // Prepare
    const sent = servePages(ct.on(LookupEventsCommand), [
      { Events: [stsEvent('AssumeRole', 'ASIAOTHER00000000001', {})], NextToken: 't1' },
      { Events: [], NextToken: 't2' },
      { Events: [stsEvent('AssumeRoleWithSAML', KEY, { principalTags: { SSMSessionRunAs: 'bob' } })] },
    ]);

    // Act
    const fact = await adapter().sessionTagsOf(bob);

    // Assess
    expect(fact).toEqual({ status: 'known', tags: { SSMSessionRunAs: 'bob' } });
    expect(sent.map((input) => input.NextToken)).toEqual([undefined, 't1', 't2']);
  });

  it('stops after 5 pages and says the record was not found', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({ Events: [], NextToken: 'more' });

    // Act
    const fact = await adapter().sessionTagsOf(bob);

    // Assess
    expect(fact).toEqual({ status: 'unknown', reason: `${NOT_FOUND_REASON} (searched 5 pages)` });
    expect(ct).toReceiveCommandTimes(LookupEventsCommand, 5);
  });

  it('says the record was not found, and looks again next time (CloudTrail can be late)', async () => {
    // Prepare
    ct.on(LookupEventsCommand)
      .resolvesOnce({ Events: [] })
      .resolves({
        Events: [stsEvent('AssumeRole', KEY, { tags: [{ key: 'SSMSessionRunAs', value: 'bob' }] })],
      });
    const tags = adapter();

    // Act
    const first = await tags.sessionTagsOf(bob);
    const second = await tags.sessionTagsOf(bob);

    // Assess
    expect(first).toEqual({ status: 'unknown', reason: NOT_FOUND_REASON });
    expect(second).toEqual({ status: 'known', tags: { SSMSessionRunAs: 'bob' } });
    expect(ct).toReceiveCommandTimes(LookupEventsCommand, 2);
  });

  it.each([
    {
      label: 'an IAM user',
      principal: { ...bob, kind: 'user' as const },
      fact: { status: 'not-a-role-session' },
    },
    { label: 'root', principal: { ...bob, kind: 'root' as const }, fact: { status: 'not-a-role-session' } },
    {
      label: 'a role session with a blank access key',
      principal: { ...bob, accessKeyId: ' ' },
      fact: { status: 'unknown', reason: 'CloudTrail recorded no access key id for the session' },
    },
    {
      label: 'a role session without a creation date',
      principal: { ...bob, sessionCreatedAt: 'yesterday' },
      fact: { status: 'unknown', reason: 'CloudTrail recorded no creation date for the session' },
    },
  ])('answers without calling CloudTrail for $label', async ({ principal, fact }) => {
    // Act
    const result = await adapter().sessionTagsOf(principal);

    // Assess
    expect(result).toEqual(fact);
    expect(ct).not.toReceiveAnyCommand();
  });

  it('finds the session tags of a federated user in its GetFederationToken record, by event name', async () => {
    // Prepare
    const federated: Principal = {
      kind: 'federated-user',
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      accountId: ACCOUNT,
      name: 'bob',
      path: '/',
      callerArn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      accessKeyId: KEY,
      sessionCreatedAt: '2026-01-01T12:00:00Z',
    };
    ct.on(LookupEventsCommand).resolves({
      Events: [
        stsEvent('GetFederationToken', 'ASIAOTHERKEY00000001', {
          name: 'eve',
          tags: [{ key: 'SSMSessionRunAs', value: 'eve' }],
        }),
        stsEvent('GetFederationToken', KEY, {
          name: 'bob',
          tags: [{ key: 'SSMSessionRunAs', value: 'bob' }],
        }),
      ],
    });

    // Act
    const fact = await adapter().sessionTagsOf(federated);

    // Assess
    expect(fact).toEqual({ status: 'known', tags: { SSMSessionRunAs: 'bob' } });
    expect(ct).toReceiveCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetFederationToken' }],
    });
  });

  it('turns AccessDenied into unknown', async () => {
    // Prepare
    ct.on(LookupEventsCommand).rejects(ctError('AccessDeniedException', 400));

    // Act
    const fact = await adapter().sessionTagsOf(bob);

    // Assess
    expect(fact).toEqual({
      status: 'unknown',
      reason: 'the auditor is not allowed cloudtrail:LookupEvents (AccessDeniedException)',
    });
  });

  it.each([
    { label: 'ThrottlingException', err: ctError('ThrottlingException', 400) },
    { label: 'a 500', err: ctError('InternalFailure', 500) },
    { label: 'InvalidTimeRangeException', err: ctError('InvalidTimeRangeException', 400) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    ct.on(LookupEventsCommand).rejects(err);

    // Act
    const result = adapter().sessionTagsOf(bob);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().sessionTagsOf(bob)).rejects.toMatchObject({
      operation: 'cloudtrail:LookupEvents',
    });
  });

  describe('cache (by access key id)', () => {
    it('reuses a found record for the same access key until the TTL expires', async () => {
      // Prepare
      let clock = 0;
      ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', KEY, {})] });
      const tags = adapter(1_000, () => clock);

      // Act
      await tags.sessionTagsOf(bob);
      await tags.sessionTagsOf({ ...bob, callerArn: 'another caller ARN, same key' });
      const cachedCalls = ct.commandCalls(LookupEventsCommand).length;
      clock = 1_001;
      await tags.sessionTagsOf(bob);

      // Assess
      expect(cachedCalls).toBe(1);
      expect(ct).toReceiveCommandTimes(LookupEventsCommand, 2);
    });

    it('makes one LookupEvents call for concurrent look-ups of one session', async () => {
      // Prepare
      ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', KEY, {})] });
      const tags = adapter();

      // Act
      await Promise.all([tags.sessionTagsOf(bob), tags.sessionTagsOf(bob), tags.sessionTagsOf(bob)]);

      // Assess
      expect(ct).toReceiveCommandTimes(LookupEventsCommand, 1);
    });

    it('does not cache a throttled look-up', async () => {
      // Prepare
      ct.on(LookupEventsCommand)
        .rejectsOnce(ctError('ThrottlingException', 400))
        .resolves({ Events: [stsEvent('AssumeRole', KEY, {})] });
      const tags = adapter();

      // Act
      await expect(tags.sessionTagsOf(bob)).rejects.toBeInstanceOf(AwsCallError);
      const second = await tags.sessionTagsOf(bob);

      // Assess
      expect(second).toEqual({ status: 'known', tags: {} });
    });

    it('looks up every time with ttl 0', async () => {
      // Prepare
      ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', KEY, {})] });
      const tags = adapter(0);

      // Act
      await Promise.all([tags.sessionTagsOf(bob), tags.sessionTagsOf(bob)]);

      // Assess
      expect(ct).toReceiveCommandTimes(LookupEventsCommand, 2);
    });
  });
});
