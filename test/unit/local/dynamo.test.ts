import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDynamoError, startLocalDynamo, type TableSpec } from '../../../src/local/services/dynamo.ts';
import { startLocalAws } from '../../../src/local/services/server.ts';
import { baseWorld, CREDENTIALS, rejection } from './localAwsHelpers.ts';

/** A state table shaped like the auditor's: composite key, a GSI, an expiry attribute. */
const STATE_TABLE: TableSpec = {
  TableName: 'RunAsState',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'roleSession', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byRoleSession',
      KeySchema: [
        { AttributeName: 'roleSession', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
};

const KEY = 'key#ASIAEXAMPLEKEY00001';
const ROLE_SESSION = 'arn:aws:iam::111122223333:role/Ops/alice';
const ISSUED = 1_772_323_200; // 2026-03-01T00:00:00Z, epoch seconds

describe('the local DynamoDB through startLocalAws and the endpoint env', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('serves put, get, a failing conditional put, conditional updates and queries to the real SDK', async () => {
    const local = await startLocalAws(baseWorld(), { dynamo: { tables: [STATE_TABLE] } });
    try {
      // Prepare
      Object.assign(process.env, local.endpointEnv());
      const client = new DynamoDBClient({ region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
      const doc = DynamoDBDocumentClient.from(client);
      const record = {
        pk: KEY,
        sk: `issued#${ISSUED}`,
        roleSession: ROLE_SESSION,
        tags: { SSMSessionRunAs: 'alice' },
      };
      const put = (version: number) =>
        doc.send(
          new PutCommand({
            TableName: 'RunAsState',
            Item: { ...record, version, expiresAt: ISSUED + 3600 },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );

      // Act
      await put(1);
      const duplicate = await rejection(put(2));
      const got = await doc.send(
        new GetCommand({ TableName: 'RunAsState', Key: { pk: KEY, sk: record.sk }, ConsistentRead: true }),
      );
      const bumped = await doc.send(
        new UpdateCommand({
          TableName: 'RunAsState',
          Key: { pk: KEY, sk: record.sk },
          UpdateExpression: 'SET version = :next, #s = :s',
          ConditionExpression: 'version < :next',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':next': 3, ':s': 'resolved' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const stale = await rejection(
        doc.send(
          new UpdateCommand({
            TableName: 'RunAsState',
            Key: { pk: KEY, sk: record.sk },
            UpdateExpression: 'SET version = :next',
            ConditionExpression: 'version < :next',
            ExpressionAttributeValues: { ':next': 2 },
          }),
        ),
      );
      await doc.send(
        new PutCommand({
          TableName: 'RunAsState',
          Item: { pk: KEY, sk: 'session#s-2', roleSession: 'other' },
        }),
      );
      const byKey = await doc.send(
        new QueryCommand({
          TableName: 'RunAsState',
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': KEY, ':prefix': 'issued#' },
        }),
      );
      const byIndex = await doc.send(
        new QueryCommand({
          TableName: 'RunAsState',
          IndexName: 'byRoleSession',
          KeyConditionExpression: 'roleSession = :rs AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':rs': ROLE_SESSION,
            ':from': `issued#${ISSUED - 300}`,
            ':to': `issued#${ISSUED + 300}`,
          },
        }),
      );

      // Assess
      expect(local.endpointEnv().AWS_ENDPOINT_URL_DYNAMODB).toBe(local.dynamo?.endpoint);
      expect(local.dynamo?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(duplicate).toBeInstanceOf(ConditionalCheckFailedException);
      expect(duplicate.$metadata?.httpStatusCode).toBe(400);
      expect(got.Item).toEqual({ ...record, version: 1, expiresAt: ISSUED + 3600 });
      expect(bumped.Attributes).toMatchObject({ version: 3, status: 'resolved' });
      expect(stale).toBeInstanceOf(ConditionalCheckFailedException);
      expect(byKey.Items?.map((item) => item.sk)).toEqual([record.sk]);
      expect(byIndex.Items?.map((item) => item.pk)).toEqual([KEY]);
      expect(local.calls.snapshot()).toEqual({
        'dynamodb:GetItem': 1,
        'dynamodb:PutItem': 3,
        'dynamodb:Query': 2,
        'dynamodb:UpdateItem': 2,
      });
    } finally {
      await local.close();
    }
  });

  it('keeps an expired item (no TTL deletion) and refuses the APIs dynalite lacks', async () => {
    const local = await startLocalAws(baseWorld(), { dynamo: { tables: [STATE_TABLE] } });
    try {
      // Prepare
      Object.assign(process.env, local.endpointEnv());
      const client = new DynamoDBClient({ region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
      const doc = DynamoDBDocumentClient.from(client);
      await doc.send(new PutCommand({ TableName: 'RunAsState', Item: { pk: 'old', sk: 'x', expiresAt: 1 } }));

      // Act
      const expired = await doc.send(
        new GetCommand({ TableName: 'RunAsState', Key: { pk: 'old', sk: 'x' } }),
      );
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'RunAsState' }));
      const enableTtl = await rejection(
        client.send(
          new UpdateTimeToLiveCommand({
            TableName: 'RunAsState',
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          }),
        ),
      );
      const transaction = await rejection(
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: 'RunAsState', Item: { pk: { S: 'a' }, sk: { S: 'b' } } } }],
          }),
        ),
      );

      // Assess
      expect(expired.Item).toEqual({ pk: 'old', sk: 'x', expiresAt: 1 });
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
      expect(enableTtl.name).toBe('UnknownOperationException');
      expect(transaction.name).toBe('UnknownOperationException');
    } finally {
      await local.close();
    }
  });

  it('is not started unless asked for, and stops with the endpoint', async () => {
    // Prepare
    const plain = await startLocalAws(baseWorld());
    const withDynamo = await startLocalAws(baseWorld(), { dynamo: { tables: [] } });
    const endpoint = withDynamo.dynamo?.endpoint ?? '';
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });

    // Act
    await Promise.all([plain.close(), withDynamo.close()]);
    const afterClose = await rejection(client.send(new DescribeTableCommand({ TableName: 'RunAsState' })));

    // Assess
    expect(plain.dynamo).toBeUndefined();
    expect('AWS_ENDPOINT_URL_DYNAMODB' in plain.endpointEnv()).toBe(false);
    expect(endpoint).not.toBe('');
    expect((afterClose as Error & { code?: string }).code).toBe('ECONNREFUSED');
  });
});

describe('startLocalDynamo', () => {
  it('creates every table ACTIVE, in memory, one namespace per instance', async () => {
    // Prepare
    const [a, b] = await Promise.all([
      startLocalDynamo({ tables: [STATE_TABLE] }),
      startLocalDynamo({ tables: [STATE_TABLE] }),
    ]);
    try {
      const docOf = (endpoint: string) =>
        DynamoDBDocumentClient.from(
          new DynamoDBClient({ region: 'eu-west-1', endpoint, credentials: CREDENTIALS }),
        );

      // Act
      const described = await new DynamoDBClient({
        region: 'us-east-1',
        endpoint: a.endpoint,
        credentials: CREDENTIALS,
      }).send(new DescribeTableCommand({ TableName: 'RunAsState' }));
      await docOf(a.endpoint).send(
        new PutCommand({ TableName: 'RunAsState', Item: { pk: 'only-in-a', sk: '1' } }),
      );
      const inB = await docOf(b.endpoint).send(
        new GetCommand({ TableName: 'RunAsState', Key: { pk: 'only-in-a', sk: '1' } }),
      );

      // Assess
      expect(described.Table?.TableStatus).toBe('ACTIVE');
      expect(described.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(
        described.Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus]),
      ).toEqual([['byRoleSession', 'ACTIVE']]);
      expect(inB.Item).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it.each([
    ['a reserved word in an expression', 'reserved keyword: status', 'SET status = :v', {}],
    ['an unused expression value', 'unused in expressions', 'SET v = :v', { ':u': 2 }],
  ])('validates as DynamoDB does: %s', async (_case, message, UpdateExpression, extraValues) => {
    const dynamo = await startLocalDynamo({ tables: [STATE_TABLE] });
    try {
      // Prepare
      const doc = DynamoDBDocumentClient.from(
        new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: CREDENTIALS }),
      );

      // Act
      const error = await rejection(
        doc.send(
          new UpdateCommand({
            TableName: 'RunAsState',
            Key: { pk: 'a', sk: 'b' },
            UpdateExpression,
            ExpressionAttributeValues: { ':v': 1, ...extraValues },
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain(message);
    } finally {
      await dynamo.close();
    }
  });

  it('refuses an item over 400 KB', async () => {
    const dynamo = await startLocalDynamo({ tables: [STATE_TABLE] });
    try {
      // Prepare
      const doc = DynamoDBDocumentClient.from(
        new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: CREDENTIALS }),
      );
      const item = (kb: number) => ({ pk: 'a', sk: `${kb}`, blob: 'x'.repeat(kb * 1024) });

      // Act
      await doc.send(new PutCommand({ TableName: 'RunAsState', Item: item(399) }));
      const error = await rejection(doc.send(new PutCommand({ TableName: 'RunAsState', Item: item(401) })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('Item size has exceeded the maximum allowed size');
    } finally {
      await dynamo.close();
    }
  });

  it('names the table DynamoDB refused', async () => {
    // Prepare
    const bad: TableSpec = {
      TableName: 'Broken',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    };

    // Act
    const error = await rejection(startLocalDynamo({ tables: [bad] }));

    // Assess
    expect(error).toBeInstanceOf(LocalDynamoError);
    expect(error.message).toMatch(/^cannot create table Broken: ValidationException: /);
  });
});
