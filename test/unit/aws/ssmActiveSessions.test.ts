import {
  DescribeSessionsCommand,
  DoesNotExistException,
  SSMClient,
  SSMServiceException,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSsmActiveSessions } from '../../../src/aws/ssmActiveSessions.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = serviceError(SSMServiceException);

const session = (id: string, owner = `arn:aws:iam::${ACCOUNT}:user/alice`) => ({
  SessionId: id,
  Target: 'i-0a1b2c3d4e5f60001',
  Status: 'Connected' as const,
  StartDate: new Date('2026-03-01T12:03:37Z'),
  DocumentName: 'SSM-SessionManagerRunShell',
  Owner: owner,
});

beforeEach(() => {
  ssm.reset();
});

describe('createSsmActiveSessions.openSessions', () => {
  it('lists Active sessions over every page', async () => {
    // Prepare
    const sent = servePages(ssm.on(DescribeSessionsCommand), [
      { Sessions: [session('alice-1')], NextToken: 'page-2' },
      { Sessions: [session('alice-2')] },
    ]);

    // Act
    const sessions = await createSsmActiveSessions(client).openSessions();

    // Assess
    expect(sessions).toEqual([
      {
        sessionId: 'alice-1',
        target: 'i-0a1b2c3d4e5f60001',
        owner: `arn:aws:iam::${ACCOUNT}:user/alice`,
        documentName: 'SSM-SessionManagerRunShell',
        startDate: '2026-03-01T12:03:37.000Z',
      },
      expect.objectContaining({ sessionId: 'alice-2' }),
    ]);
    expect(sent).toEqual([
      { State: 'Active', MaxResults: 200 },
      { State: 'Active', MaxResults: 200, NextToken: 'page-2' },
    ]);
  });

  it('filters by Owner when asked', async () => {
    // Prepare
    ssm.on(DescribeSessionsCommand).resolves({ Sessions: [] });

    // Act
    await createSsmActiveSessions(client).openSessions({ owner: `arn:aws:iam::${ACCOUNT}:user/alice` });

    // Assess
    expect(ssm).toReceiveCommandWith(DescribeSessionsCommand, {
      Filters: [{ key: 'Owner', value: `arn:aws:iam::${ACCOUNT}:user/alice` }],
    });
  });

  it('drops entries without a session id and leaves an unknown document out', async () => {
    ssm.on(DescribeSessionsCommand).resolves({
      Sessions: [
        { Target: 'i-0a1b2c3d4e5f60001' },
        { SessionId: 'bob-1', Owner: 'arn:aws:iam::111122223333:user/bob' },
      ],
    });

    const sessions = await createSsmActiveSessions(client).openSessions();

    expect(sessions).toEqual([
      { sessionId: 'bob-1', target: '', owner: 'arn:aws:iam::111122223333:user/bob', startDate: '' },
    ]);
  });

  it('throws when DescribeSessions fails, so the change is retried', async () => {
    ssm.on(DescribeSessionsCommand).rejects(ssmError('AccessDeniedException', 400));

    const listing = createSsmActiveSessions(client).openSessions();

    await expect(listing).rejects.toBeInstanceOf(AwsCallError);
    await expect(listing).rejects.toThrow('ssm:DescribeSessions failed: AccessDeniedException');
  });

  it('stops a service that never stops paging', async () => {
    ssm.on(DescribeSessionsCommand).resolves({ Sessions: [session('s')], NextToken: 'again' });

    await expect(createSsmActiveSessions(client).openSessions()).rejects.toThrow(
      'did not finish within 100 pages',
    );
    expect(ssm).toReceiveCommandTimes(DescribeSessionsCommand, 100);
  });
});

describe('createSsmActiveSessions.terminate', () => {
  it('sends TerminateSession for the session', async () => {
    ssm.on(TerminateSessionCommand).resolves({ SessionId: 'alice-1' });

    await createSsmActiveSessions(client).terminate('alice-1');

    expect(ssm).toReceiveNthCommandWith(TerminateSessionCommand, 1, { SessionId: 'alice-1' });
  });

  it('counts a session that has already ended as terminated', async () => {
    ssm
      .on(TerminateSessionCommand)
      .rejects(new DoesNotExistException({ $metadata: { httpStatusCode: 400 }, message: 'gone' }));

    await expect(createSsmActiveSessions(client).terminate('alice-1')).resolves.toBeUndefined();
  });

  it('throws any other failure', async () => {
    ssm.on(TerminateSessionCommand).rejects(ssmError('AccessDeniedException', 400));

    await expect(createSsmActiveSessions(client).terminate('alice-1')).rejects.toThrow(
      'ssm:TerminateSession failed: AccessDeniedException',
    );
  });
});
