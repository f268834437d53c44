import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Operators`;

const assumeRole = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    userName: 'alice',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    accessKeyId: 'AKIAALICE00000000001',
  },
  eventTime: '2026-03-01T00:00:10Z',
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: 'us-east-1',
  requestParameters: {
    roleArn: ROLE_ARN,
    roleSessionName: 'alice-session',
    tags: [{ key: 'SSMSessionRunAs', value: 'alice' }],
  },
  responseElements: {
    credentials: { accessKeyId: 'ASIASESSION000000001', expiration: 'Mar 1, 2026, 1:00:10 AM' },
    assumedRoleUser: {
      assumedRoleId: 'AROAEXAMPLE:alice-session',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice-session`,
    },
  },
  eventID: '11111111-1111-4111-8111-111111111111',
  readOnly: false,
  recipientAccountId: ACCOUNT,
};

const startSession = {
  eventTime: '2026-03-01T00:05:00Z',
  eventSource: 'ssm.amazonaws.com',
  eventName: 'StartSession',
  awsRegion: 'us-east-1',
  userIdentity: {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice-session`,
    accessKeyId: 'ASIASESSION000000001',
    sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE_ARN, userName: 'Operators' } },
  },
  requestParameters: { target: 'i-0123456789abcdef0' },
  responseElements: { sessionId: 'alice-session-0a1b2c3d4e5f6a7b8' },
  eventID: '22222222-2222-4222-8222-222222222222',
  readOnly: false,
};

const tagUsers = Array.from({ length: 7 }, (_, i) => ({
  eventTime: `2026-02-0${i + 1}T00:00:00Z`,
  eventSource: 'iam.amazonaws.com',
  eventName: 'TagUser',
  awsRegion: 'us-east-1',
  userIdentity: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accessKeyId: '' },
  requestParameters: { userName: `user${i}`, tags: [{ key: 'SSMSessionRunAs', value: `u${i}` }] },
  eventID: `33333333-3333-4333-8333-33333333333${i}`,
}));

const world = parseWorld({
  accountId: ACCOUNT,
  regions: {
    'us-east-1': { cloudTrail: [...tagUsers, assumeRole, startSession] },
    'eu-west-1': {
      cloudTrail: [
        { ...startSession, awsRegion: 'eu-west-1', eventID: '44444444-4444-4444-8444-444444444444' },
      ],
    },
  },
});

describe('local CloudTrail LookupEvents through the real SDK', () => {
  it('returns events newest first with the record as CloudTrailEvent', async () => {
    await withLocal(world, async (local) => {
      // Act
      const out = await new CloudTrailClient(clientConfig(local)).send(
        new LookupEventsCommand({ MaxResults: 3 }),
      );

      // Assess
      expect(out.Events?.map((e) => e.EventName)).toEqual(['StartSession', 'AssumeRole', 'TagUser']);
      const [first] = out.Events ?? [];
      expect(first).toMatchObject({
        EventId: startSession.eventID,
        EventTime: new Date('2026-03-01T00:05:00Z'),
        EventSource: 'ssm.amazonaws.com',
        Username: 'alice-session',
        AccessKeyId: 'ASIASESSION000000001',
        ReadOnly: 'false',
      });
      expect(JSON.parse(first?.CloudTrailEvent ?? '')).toEqual(startSession);
      expect(out.NextToken).toBeDefined();
    });
  });

  it('pages through all events with NextToken (MaxResults 4 → 3 pages)', async () => {
    await withLocal(world, async (local) => {
      // Act
      const client = new CloudTrailClient(clientConfig(local));
      const pages = [];
      for await (const page of paginateLookupEvents({ client, pageSize: 4 }, {})) pages.push(page);

      // Assess
      expect(pages.map((p) => p.Events?.length)).toEqual([4, 4, 1]);
      expect(pages.at(-1)?.Events?.[0]?.EventId).toBe(tagUsers[0]?.eventID);
    });
  });

  it.each([
    ['EventName', 'AssumeRole', [assumeRole.eventID]],
    ['EventId', startSession.eventID, [startSession.eventID]],
    ['Username', 'alice', [assumeRole.eventID]],
    ['AccessKeyId', 'ASIASESSION000000001', [startSession.eventID]],
    ['ResourceName', ROLE_ARN, [assumeRole.eventID]],
    ['ResourceName', 'ASIASESSION000000001', [assumeRole.eventID]],
    ['ResourceName', 'user3', [tagUsers[3]?.eventID]],
    ['ResourceType', 'AWS::STS::AssumedRole', [assumeRole.eventID]],
    ['EventSource', 'ssm.amazonaws.com', [startSession.eventID]],
    ['ReadOnly', 'true', []],
  ] as const)('filters by %s = %s', async (key, value, ids) => {
    await withLocal(world, async (local) => {
      // Act
      const out = await new CloudTrailClient(clientConfig(local)).send(
        new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }] }),
      );

      // Assess
      expect(out.Events?.map((e) => e.EventId)).toEqual(ids);
    });
  });

  it('limits to StartTime / EndTime (inclusive) and to the Region of the signature', async () => {
    await withLocal(world, async (local) => {
      // Act
      const window = await new CloudTrailClient(clientConfig(local)).send(
        new LookupEventsCommand({
          StartTime: new Date('2026-03-01T00:00:00Z'),
          EndTime: new Date('2026-03-01T00:05:00Z'),
        }),
      );
      const west = await new CloudTrailClient(clientConfig(local, 'eu-west-1')).send(
        new LookupEventsCommand({}),
      );

      // Assess
      expect(window.Events?.map((e) => e.EventName)).toEqual(['StartSession', 'AssumeRole']);
      expect(west.Events?.map((e) => e.EventId)).toEqual(['44444444-4444-4444-8444-444444444444']);
    });
  });

  it('reports the role resources of an AssumeRole event', async () => {
    await withLocal(world, async (local) => {
      // Act
      const out = await new CloudTrailClient(clientConfig(local)).send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
        }),
      );

      // Assess
      expect(out.Events?.[0]?.Resources).toEqual([
        { ResourceType: 'AWS::IAM::Role', ResourceName: ROLE_ARN },
        { ResourceType: 'AWS::IAM::AccessKey', ResourceName: 'ASIASESSION000000001' },
        {
          ResourceType: 'AWS::STS::AssumedRole',
          ResourceName: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice-session`,
        },
      ]);
    });
  });

  it.each([
    [
      'two lookup attributes',
      {
        LookupAttributes: [
          { AttributeKey: 'EventName' as const, AttributeValue: 'A' },
          { AttributeKey: 'Username' as const, AttributeValue: 'B' },
        ],
      },
      'InvalidLookupAttributesException',
    ],
    ['MaxResults above 50', { MaxResults: 51 }, 'InvalidMaxResultsException'],
    [
      'a start after the end',
      { StartTime: new Date('2026-03-02T00:00:00Z'), EndTime: new Date('2026-03-01T00:00:00Z') },
      'InvalidTimeRangeException',
    ],
    ['a forged NextToken', { NextToken: 'bm90LWEtdG9rZW4=' }, 'InvalidNextTokenException'],
  ])('rejects %s', async (_case, input, name) => {
    await withLocal(world, async (local) => {
      // Act
      const error = await rejection(
        new CloudTrailClient(clientConfig(local)).send(new LookupEventsCommand(input)),
      );

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });

  it('rejects a NextToken reused with other filters', async () => {
    await withLocal(world, async (local) => {
      // Prepare
      const client = new CloudTrailClient(clientConfig(local));
      const first = await client.send(new LookupEventsCommand({ MaxResults: 2 }));

      // Act
      const error = await rejection(
        client.send(
          new LookupEventsCommand({
            MaxResults: 2,
            NextToken: first.NextToken,
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'TagUser' }],
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('InvalidNextTokenException');
    });
  });
});
