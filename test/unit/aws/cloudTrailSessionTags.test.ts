import {
  CloudTrailClient,
  CloudTrailServiceException,
  type Event,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudTrailStsRecords } from '../../../src/aws/cloudTrailSessionTags.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Operators`;
const KEY = 'ASIAEXAMPLEBOB000001';
const CREATED = '2026-01-01T12:00:00Z';
const NOW = Date.parse('2026-01-02T00:00:00Z');
const ct = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });

/** A CloudTrail STS record as LookupEvents returns it (the record JSON in CloudTrailEvent). */
const stsEvent = (
  eventName: string,
  accessKeyId: string,
  requestParameters: Record<string, unknown> = {},
  session = 'bob',
): Event => ({
  EventId: `evt-${eventName}-${accessKeyId}`,
  EventName: eventName,
  EventSource: 'sts.amazonaws.com',
  CloudTrailEvent: JSON.stringify({
    eventVersion: '1.08',
    userIdentity:
      eventName === 'GetFederationToken'
        ? { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/broker`, accountId: ACCOUNT }
        : { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT },
    eventSource: 'sts.amazonaws.com',
    eventName,
    eventTime: CREATED,
    awsRegion: 'eu-west-1',
    recipientAccountId: ACCOUNT,
    sourceIPAddress: '203.0.113.10',
    eventID: `evt-${eventName}-${accessKeyId}`,
    requestParameters:
      eventName === 'GetFederationToken'
        ? { name: session, ...requestParameters }
        : { roleArn: ROLE_ARN, roleSessionName: session, ...requestParameters },
    responseElements: {
      credentials: { accessKeyId, expiration: 'Jan 1, 2026, 1:00:00 PM' },
      ...(eventName === 'GetFederationToken'
        ? { federatedUser: { arn: `arn:aws:sts::${ACCOUNT}:federated-user/${session}` } }
        : { assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/${session}` } }),
    },
    resources: [{ ARN: ROLE_ARN, accountId: ACCOUNT, type: 'AWS::IAM::Role' }],
  }),
});

const ctError = serviceError(CloudTrailServiceException);
const adapter = () => createCloudTrailStsRecords(client, { now: () => NOW });

beforeEach(() => {
  ct.reset();
});

describe('createCloudTrailStsRecords', () => {
  it('finds the record of an issued key with one exact ResourceName look-up, no time window', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({
      Events: [stsEvent('AssumeRole', KEY, { tags: [{ key: 'SSMSessionRunAs', value: 'bob' }] })],
    });

    // Act
    const found = await adapter().byAccessKey(KEY);

    // Assess
    expect(ct).toReceiveCommandTimes(LookupEventsCommand, 1);
    expect(ct).toReceiveCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEY }],
      MaxResults: 50,
    });
    expect(ct.commandCalls(LookupEventsCommand)[0]?.args[0].input.StartTime).toBeUndefined();
    expect(found).toEqual({
      known: true,
      value: [
        expect.objectContaining({
          eventName: 'AssumeRole',
          recordedIn: 'eu-west-1',
          accessKeyId: KEY,
          sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/bob`,
          issuedAt: '2026-01-01T12:00:00.000Z',
          tags: { SSMSessionRunAs: 'bob' },
        }),
      ],
    });
  });

  it('keeps a record without session tags: it proves the session has none', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', KEY)] });

    // Act
    const found = await adapter().byAccessKey(KEY);

    // Assess
    expect(found).toEqual({ known: true, value: [expect.objectContaining({ accessKeyId: KEY, tags: {} })] });
  });

  it('skips records that are not STS issues, unreadable or malformed, keeping the others', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({
      Events: [
        { EventName: 'AssumeRole', CloudTrailEvent: '{not json' },
        { EventName: 'AssumeRole' },
        stsEvent('GetCallerIdentity', KEY),
        stsEvent('AssumeRole', 'short'),
        stsEvent('AssumeRoleWithSAML', KEY, { principalTags: { SSMSessionRunAs: 'bob' } }),
      ],
    });

    // Act
    const found = await adapter().byAccessKey(KEY);

    // Assess
    expect(found.known && found.value.map((r) => r.eventName)).toEqual(['AssumeRoleWithSAML']);
  });

  it('finds a console session’s record by its role, within a few seconds of its creationDate', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({ Events: [stsEvent('AssumeRole', 'ASIAISSUEDKEY0000001')] });

    // Act
    const found = await adapter().issuedAt({ kind: 'role', roleArn: ROLE_ARN }, CREATED);

    // Assess
    expect(ct).toReceiveCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: ROLE_ARN }],
      StartTime: new Date('2026-01-01T11:59:59Z'),
      EndTime: new Date('2026-01-01T12:00:02Z'),
    });
    expect(found.known && found.value).toHaveLength(1);
  });

  it('finds a federated user’s records by event name: they name the federating IAM user', async () => {
    // Prepare
    ct.on(LookupEventsCommand).resolves({
      Events: [stsEvent('GetFederationToken', KEY, { tags: [{ key: 'SSMSessionRunAs', value: 'bob' }] })],
    });

    // Act
    const found = await adapter().issuedAt({ kind: 'federated-user' }, CREATED);

    // Assess
    expect(ct).toReceiveCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetFederationToken' }],
    });
    expect(found.known && found.value[0]).toMatchObject({
      sessionArn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      issuerArn: `arn:aws:iam::${ACCOUNT}:user/broker`,
    });
  });

  it('follows NextToken, and stops after 3 pages', async () => {
    // Prepare
    const sent = servePages(ct.on(LookupEventsCommand), [
      { Events: [stsEvent('AssumeRole', 'ASIAOTHER00000000001', {}, 'other')], NextToken: 't1' },
      { Events: [], NextToken: 't2' },
      { Events: [stsEvent('AssumeRole', KEY)], NextToken: 't3' },
    ]);

    // Act
    const found = await adapter().issuedAt({ kind: 'role', roleArn: ROLE_ARN }, CREATED);

    // Assess
    expect(sent.map((input) => input.NextToken)).toEqual([undefined, 't1', 't2']);
    expect(found.known && found.value.map((r) => r.accessKeyId)).toEqual(['ASIAOTHER00000000001', KEY]);
  });

  it('turns AccessDenied into unknown', async () => {
    // Prepare
    ct.on(LookupEventsCommand).rejects(ctError('AccessDeniedException', 400));

    // Act
    const found = await adapter().byAccessKey(KEY);

    // Assess
    expect(found).toEqual({
      known: false,
      reason: 'the auditor is not allowed cloudtrail:LookupEvents (AccessDeniedException)',
    });
  });

  it.each([
    { label: 'ThrottlingException', err: ctError('ThrottlingException', 400) },
    { label: 'a 500', err: ctError('InternalFailure', 500) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    ct.on(LookupEventsCommand).rejects(err);

    // Act
    const result = adapter().byAccessKey(KEY);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().byAccessKey(KEY)).rejects.toMatchObject({ operation: 'cloudtrail:LookupEvents' });
  });
});
