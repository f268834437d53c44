import { DescribeSessionsCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSsmSessionAccess } from '../../../src/aws/ssmSessionAccess.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });
const ssmError = serviceError(SSMServiceException);
const ID = 'dana-0a1b2c3d4e5f6a7b8';

beforeEach(() => {
  ssm.reset();
});

describe('createSsmSessionAccess', () => {
  it('reads the AccessType of the session among active sessions, by its id', async () => {
    // Prepare
    ssm.on(DescribeSessionsCommand).resolves({ Sessions: [{ SessionId: ID, AccessType: 'JustInTime' }] });

    // Act
    const type = await createSsmSessionAccess(client).accessTypeOf(ID);

    // Assess
    expect(type).toBe('JustInTime');
    expect(ssm).toReceiveCommandTimes(DescribeSessionsCommand, 1);
    expect(ssm).toReceiveCommandWith(DescribeSessionsCommand, {
      State: 'Active',
      Filters: [{ key: 'SessionId', value: ID }],
    });
  });

  it('looks in the history of ended sessions next, and says nothing of a session in neither', async () => {
    // Prepare
    ssm
      .on(DescribeSessionsCommand, { State: 'Active' })
      .resolves({ Sessions: [] })
      .on(DescribeSessionsCommand, { State: 'History' })
      .resolves({ Sessions: [{ SessionId: ID, AccessType: 'Standard' }] });

    // Act
    const ended = await createSsmSessionAccess(client).accessTypeOf(ID);
    const unknown = await createSsmSessionAccess(client).accessTypeOf('someone-else-0123');

    // Assess
    expect(ended).toBe('Standard');
    expect(unknown).toBeUndefined();
  });

  it('takes a denied read for an unknown access type, and throws anything else', async () => {
    // Prepare
    ssm
      .on(DescribeSessionsCommand)
      .rejectsOnce(ssmError('AccessDeniedException', 400))
      .rejects(ssmError('InternalServerError', 500));

    // Act
    const denied = await createSsmSessionAccess(client).accessTypeOf(ID);
    const failed = createSsmSessionAccess(client).accessTypeOf(ID);

    // Assess
    expect(denied).toBeUndefined();
    await expect(failed).rejects.toBeInstanceOf(AwsCallError);
  });
});
