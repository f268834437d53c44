import {
  AccessDeniedException,
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  GetLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudWatchSessionLogs } from '../../../src/aws/cloudWatchSessionLogs.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages } from './sdkMocks.ts';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'us-east-1' });

const GROUP = '/ssm/sessions';
const SESSION = 'alice-0a1b2c3d4e5f6a7b8';
const RECORD = '{"eventVersion":"1.0","runAsUser":"alice"}';
const metadata = { $metadata: { httpStatusCode: 400 } };

const adapter = (maxPages?: number) =>
  createCloudWatchSessionLogs(client, maxPages === undefined ? {} : { maxPages });

beforeEach(() => {
  logs.reset();
});

describe('createCloudWatchSessionLogs', () => {
  it('reads the first event of the stream named after the session, in one call', async () => {
    // Prepare
    logs.on(GetLogEventsCommand).resolves({
      events: [{ timestamp: 1_772_323_503_000, message: RECORD, ingestionTime: 1_772_323_504_000 }],
      nextForwardToken: 'f/1',
      nextBackwardToken: 'b/0',
    });

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({ kind: 'event', message: RECORD, timestamp: 1_772_323_503_000 });
    expect(logs).toReceiveCommandExactlyOnceWith(GetLogEventsCommand, {
      logGroupName: GROUP,
      logStreamName: SESSION,
      startFromHead: true,
      limit: 1,
    });
  });

  it('follows the forward token past an empty page', async () => {
    // Prepare
    const sent = servePages(logs.on(GetLogEventsCommand), [
      { events: [], nextForwardToken: 'f/1', nextBackwardToken: 'b/0' },
      { events: [{ timestamp: 5, message: RECORD }], nextForwardToken: 'f/2' },
    ]);

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({ kind: 'event', message: RECORD, timestamp: 5 });
    expect(sent).toEqual([
      { logGroupName: GROUP, logStreamName: SESSION, startFromHead: true, limit: 1 },
      { logGroupName: GROUP, logStreamName: SESSION, startFromHead: true, limit: 1, nextToken: 'f/1' },
    ]);
  });

  it('calls a stream empty when the forward token comes back unchanged', async () => {
    // Prepare
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f/0', nextBackwardToken: 'b/0' });

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({ kind: 'empty-stream' });
    expect(logs).toReceiveCommandTimes(GetLogEventsCommand, 2);
  });

  it('stops after maxPages empty pages', async () => {
    // Prepare
    let page = 0;
    logs.on(GetLogEventsCommand).callsFake(() => {
      page += 1;
      return { events: [], nextForwardToken: `f/${page}` };
    });

    // Act
    const read = await adapter(4).firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({ kind: 'empty-stream' });
    expect(logs).toReceiveCommandTimes(GetLogEventsCommand, 4);
  });

  it('reads an event without a message as an empty message, for the parser to reject', async () => {
    // Prepare
    logs.on(GetLogEventsCommand).resolves({ events: [{ ingestionTime: 9 }], nextForwardToken: 'f/1' });

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({ kind: 'event', message: '' });
  });

  it.each([
    ['the stream', 'The specified log stream does not exist.', { kind: 'no-stream' }],
    ['the group', 'The specified log group does not exist.', { kind: 'no-group' }],
    ['something unnamed', 'Resource not found.', { kind: 'no-group' }],
  ])('tells a missing %s apart by the error message', async (_what, message, expected) => {
    // Prepare
    logs.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message, ...metadata }));

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual(expected);
  });

  it.each([
    [
      'a missing grant',
      new AccessDeniedException({
        message: `User: arn:aws:sts::111122223333:assumed-role/auditor/x is not authorized to perform: logs:GetLogEvents on resource: arn:aws:logs:us-east-1:111122223333:log-group:${GROUP}:log-stream:${SESSION}`,
        ...metadata,
      }),
      'access-denied',
    ],
    [
      'a KMS key CloudWatch Logs may not use',
      new AccessDeniedException({
        message: `The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:111122223333:log-group:${GROUP}'`,
        ...metadata,
      }),
      'kms',
    ],
    [
      'a disabled KMS key',
      new CloudWatchLogsServiceException({
        name: 'KmsKeyDisabledException',
        $fault: 'client',
        message: 'The key is disabled.',
        ...metadata,
      }),
      'kms',
    ],
  ])('reports %s as unreadable, not as a crash', async (_case, error, reason) => {
    // Prepare
    logs.on(GetLogEventsCommand).rejects(error);

    // Act
    const read = await adapter().firstEventOf(GROUP, SESSION);

    // Assess
    expect(read).toEqual({
      kind: 'unreadable',
      reason,
      detail: `${error.name}: ${error.message}`,
    });
  });

  it.each([
    ['throttling', new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
    [
      'a 5xx',
      new ServiceUnavailableException({
        message: 'try later',
        $metadata: { httpStatusCode: 503, attempts: 3 },
      }),
    ],
    [
      'a KMS throttle',
      new ThrottlingException({ message: 'KMS rate exceeded', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a bad parameter', new InvalidParameterException({ message: 'bad name', ...metadata })],
  ])('throws %s as an AwsCallError naming the call', async (_case, error) => {
    // Prepare
    logs.on(GetLogEventsCommand).rejects(error);

    // Act
    const reading = adapter().firstEventOf(GROUP, SESSION);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(AwsCallError);
    await expect(reading).rejects.toMatchObject({ operation: 'logs:GetLogEvents', cause: error });
  });
});
