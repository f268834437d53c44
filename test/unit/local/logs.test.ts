import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  InvalidParameterException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchSessionLogs } from '../../../src/aws/cloudWatchSessionLogs.ts';
import {
  LOGS_TARGET_PREFIX,
  LOGS_VALIDATION_ERROR,
  type LogsState,
  logsOperation,
} from '../../../src/local/services/logs.ts';
import { AwsApiError, isJsonObject, JsonInput } from '../../../src/local/services/wire.ts';
import { parseLogGroups, type WorldLogGroup } from '../../../src/local/world/worldLogs.ts';
import { ACCOUNT, CREDENTIALS, rejection } from './localAwsHelpers.ts';

const GROUP = '/ssm/sessions';
const SESSION = 'alice-0a1b2c3d4e5f6a7b8';
const RECORD = { eventVersion: '1.0', runAsUser: 'alice', sessionId: SESSION };
const T0 = Date.parse('2026-03-01T00:05:03Z');

const WORLD: Record<string, WorldLogGroup[]> = {
  'us-east-1': parseLogGroups(
    [
      {
        name: GROUP,
        streams: [
          {
            name: SESSION,
            events: [
              { timestamp: '2026-03-01T00:05:05Z', message: 'third' },
              { timestamp: '2026-03-01T00:05:03Z', message: RECORD },
              { timestamp: '2026-03-01T00:05:04Z', message: 'second' },
            ],
          },
          { name: 'empty-session-0a1b2c3d4e5f6a7b8', events: [] },
        ],
      },
      { name: '/ssm/locked', readable: false },
      {
        name: '/ssm/encrypted',
        kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        readable: false,
      },
    ],
    'regions.us-east-1.logGroups',
  ),
};

interface Exchange {
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  readonly body: unknown;
}

/** A tiny awsJson1_1 server around the CloudWatch Logs handler, as the local endpoint wires it. */
async function serveLogs(state: LogsState, now: () => number | undefined) {
  const exchanges: Exchange[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const target = String(req.headers['x-amz-target'] ?? '');
    let status = 200;
    let body: unknown;
    try {
      const operation = target.startsWith(LOGS_TARGET_PREFIX)
        ? logsOperation(target.slice(LOGS_TARGET_PREFIX.length))
        : undefined;
      if (operation === undefined) throw new AwsApiError('UnknownOperationException', `no ${target}`);
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!isJsonObject(parsed)) throw new AwsApiError('SerializationException', 'not an object');
      const clock = now();
      body = operation(new JsonInput(parsed, LOGS_VALIDATION_ERROR), {
        region,
        requestId: 'local-request',
        accountId: ACCOUNT,
        partition: 'aws',
        logs: state,
        ...(clock === undefined ? {} : { now: clock }),
      });
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      status = error.status;
      body = { __type: error.code, message: error.message };
    }
    exchanges.push({ headers: req.headers, status, body });
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let clock: number | undefined;
let local: Awaited<ReturnType<typeof serveLogs>>;
const client = (region = 'us-east-1') =>
  new CloudWatchLogsClient({ region, endpoint: local.url, credentials: CREDENTIALS, maxAttempts: 1 });
const get = (input: Partial<GetLogEventsCommandInput>, region?: string) =>
  client(region).send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: SESSION, ...input }));

beforeAll(async () => {
  local = await serveLogs({ logGroupsIn: (region) => WORLD[region] ?? [] }, () => clock);
});
afterAll(async () => {
  await local.close();
});

describe('local CloudWatch Logs GetLogEvents', () => {
  it('reads the first event with the real client over Logs_20140328 awsJson1_1', async () => {
    // Prepare
    clock = undefined;

    // Act
    const out = await get({ startFromHead: true, limit: 1 });

    // Assess
    expect(out.events).toEqual([{ timestamp: T0, message: JSON.stringify(RECORD), ingestionTime: T0 }]);
    expect(out.nextForwardToken).toBe('f/1');
    const exchange = local.exchanges.at(-1);
    expect(exchange?.headers['x-amz-target']).toBe('Logs_20140328.GetLogEvents');
    expect(exchange?.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('pages forward one event at a time and returns the same token at the end', async () => {
    // Prepare
    clock = undefined;
    const messages: string[] = [];
    let token: string | undefined;

    // Act
    for (let page = 0; page < 5; page += 1) {
      const out = await get({
        startFromHead: true,
        limit: 1,
        ...(token === undefined ? {} : { nextToken: token }),
      });
      messages.push(...(out.events ?? []).map((event) => event.message ?? ''));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }

    // Assess
    expect(messages).toEqual([JSON.stringify(RECORD), 'second', 'third']);
    expect(token).toBe('f/3');
  });

  it('returns the newest events without startFromHead, and filters by time', async () => {
    // Prepare
    clock = undefined;

    // Act
    const newest = await get({ limit: 1 });
    const ranged = await get({ startFromHead: true, startTime: T0 + 1000, endTime: T0 + 2000 });

    // Assess
    expect(newest.events?.map((event) => event.message)).toEqual(['third']);
    expect(ranged.events?.map((event) => event.message)).toEqual(['second']);
  });

  it('hides a stream until its first event has happened on the world clock', async () => {
    // Prepare
    clock = T0 - 1;

    // Act
    const before = await rejection(get({ startFromHead: true }));
    clock = T0 + 1000;
    const during = await get({ startFromHead: true });

    // Assess
    expect(before).toBeInstanceOf(ResourceNotFoundException);
    expect(during.events?.map((event) => event.message)).toEqual([JSON.stringify(RECORD), 'second']);
  });

  it('serves an empty stream as an empty page with an unchanged forward token', async () => {
    // Prepare
    clock = undefined;

    // Act
    const first = await get({
      logStreamName: 'empty-session-0a1b2c3d4e5f6a7b8',
      startFromHead: true,
      limit: 1,
    });
    const again = await get({
      logStreamName: 'empty-session-0a1b2c3d4e5f6a7b8',
      startFromHead: true,
      limit: 1,
      ...(first.nextForwardToken === undefined ? {} : { nextToken: first.nextForwardToken }),
    });

    // Assess
    expect(first.events).toEqual([]);
    expect(again.nextForwardToken).toBe(first.nextForwardToken);
  });

  it.each([
    [
      'a missing stream',
      { logStreamName: 'bob-0a1b2c3d4e5f6a7b8' },
      'us-east-1',
      'The specified log stream does not exist.',
    ],
    [
      'a missing group',
      { logGroupName: '/ssm/none' },
      'us-east-1',
      'The specified log group does not exist.',
    ],
    ['a group of another Region', {}, 'eu-west-1', 'The specified log group does not exist.'],
    [
      'an ARN of another account',
      {
        logGroupName: undefined,
        logGroupIdentifier: `arn:aws:logs:us-east-1:444455556666:log-group:${GROUP}`,
      },
      'us-east-1',
      'The specified log group does not exist.',
    ],
  ])('answers %s with ResourceNotFoundException', async (_case, input, region, message) => {
    // Prepare
    clock = undefined;

    // Act
    const error = await rejection(get(input, region));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', message });
    expect(local.exchanges.at(-1)).toMatchObject({
      status: 400,
      body: { __type: 'ResourceNotFoundException', message },
    });
  });

  it('reads a group by its ARN', async () => {
    // Prepare
    clock = undefined;

    // Act
    const out = await get({
      logGroupName: undefined,
      logGroupIdentifier: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${GROUP}`,
      limit: 1,
      startFromHead: true,
    });

    // Assess
    expect(out.events?.[0]?.message).toBe(JSON.stringify(RECORD));
  });

  it.each([
    [
      '/ssm/locked',
      /not authorized to perform: logs:GetLogEvents on resource: arn:aws:logs:us-east-1:111122223333:log-group:\/ssm\/locked$/,
    ],
    [
      '/ssm/encrypted',
      /^The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:111122223333:log-group:\/ssm\/encrypted'$/,
    ],
  ])('answers the unreadable group %s with AccessDeniedException', async (logGroupName, message) => {
    // Prepare
    clock = undefined;

    // Act
    const error = await rejection(get({ logGroupName }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toMatch(message);
    expect(local.exchanges.at(-1)).toMatchObject({ status: 400, body: { __type: 'AccessDeniedException' } });
  });

  it.each([
    ['a limit of 0', { limit: 0 }],
    ['a limit over 10,000', { limit: 10_001 }],
    ['both a name and an ARN', { logGroupIdentifier: GROUP }],
    ['neither a name nor an ARN', { logGroupName: undefined }],
    ['a forged token', { nextToken: 'f/99' }],
    ['a token of another shape', { nextToken: 'opaque' }],
    ['a negative startTime', { startTime: -1 }],
    ['a group name outside the pattern', { logGroupName: '/ssm/$(id)' }],
    ['a stream name with a colon', { logStreamName: 'a:b' }],
  ])('answers %s with InvalidParameterException', async (_case, input) => {
    // Prepare
    clock = undefined;

    // Act
    const error = await rejection(get(input));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
  });
});

describe('createCloudWatchSessionLogs against the local CloudWatch Logs', () => {
  it.each([
    ['the agent record', GROUP, SESSION, { kind: 'event', message: JSON.stringify(RECORD), timestamp: T0 }],
    ['a missing stream', GROUP, 'bob-0a1b2c3d4e5f6a7b8', { kind: 'no-stream' }],
    ['a missing group', '/ssm/none', SESSION, { kind: 'no-group' }],
    ['an empty stream', GROUP, 'empty-session-0a1b2c3d4e5f6a7b8', { kind: 'empty-stream' }],
    ['a locked group', '/ssm/locked', SESSION, { kind: 'unreadable', reason: 'access-denied' }],
    ['an unusable KMS key', '/ssm/encrypted', SESSION, { kind: 'unreadable', reason: 'kms' }],
  ])('reads %s', async (_case, group, session, expected) => {
    // Prepare
    clock = undefined;
    const before = local.exchanges.length;

    // Act
    const read = await createCloudWatchSessionLogs(client()).firstEventOf(group, session);

    // Assess
    expect(read).toMatchObject(expected);
    expect(local.exchanges.length - before).toBe(expected.kind === 'empty-stream' ? 2 : 1);
  });
});
