import {
  DescribeInstanceInformationCommand,
  InvalidInstanceId,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSsmNodePlatforms } from '../../../src/aws/ssmNodePlatforms.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const NODE = 'i-0123456789abcdef0';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = serviceError(SSMServiceException);

const adapter = (ttlMs = 60_000, now?: () => number) =>
  createSsmNodePlatforms(client, { ttlMs, ...(now === undefined ? {} : { now }) });

beforeEach(() => {
  ssm.reset();
});

describe('createSsmNodePlatforms', () => {
  it.each(['Linux', 'MacOS', 'Windows'] as const)(
    'reads platform %s filtered by instance id',
    async (platform) => {
      // Prepare
      ssm.on(DescribeInstanceInformationCommand).resolves({
        InstanceInformationList: [{ InstanceId: NODE, PlatformType: platform, PingStatus: 'Online' }],
      });

      // Act
      const result = await adapter().platformOf(NODE);

      // Assess
      expect(result).toEqual({ known: true, value: platform });
      expect(ssm).toReceiveNthCommandWith(DescribeInstanceInformationCommand, 1, {
        Filters: [{ Key: 'InstanceIds', Values: [NODE] }],
      });
    },
  );

  it.each([
    {
      label: 'an empty list',
      setup: () => ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] }),
    },
    {
      label: 'only other nodes',
      setup: () =>
        ssm.on(DescribeInstanceInformationCommand).resolves({
          InstanceInformationList: [{ InstanceId: 'mi-0123456789abcdef0', PlatformType: 'Linux' }],
        }),
    },
    {
      label: 'InvalidInstanceId',
      setup: () =>
        ssm
          .on(DescribeInstanceInformationCommand)
          .rejects(new InvalidInstanceId({ $metadata: { httpStatusCode: 400 }, message: 'not registered' })),
    },
  ])('answers null for a node that is not registered ($label)', async ({ setup }) => {
    // Prepare
    setup();

    // Act
    const result = await adapter().platformOf(NODE);

    // Assess
    expect(result).toEqual({ known: true, value: null });
  });

  it.each([
    {
      label: 'AccessDeniedException',
      setup: () => ssm.on(DescribeInstanceInformationCommand).rejects(ssmError('AccessDeniedException', 400)),
      reason: 'the auditor is not allowed ssm:DescribeInstanceInformation (AccessDeniedException)',
    },
    {
      label: 'an unrecognised platform',
      setup: () =>
        ssm
          .on(DescribeInstanceInformationCommand)
          .resolves({ InstanceInformationList: [{ InstanceId: NODE, PlatformType: 'Plan9' as never }] }),
      reason: `node ${NODE} reports an unrecognised platform type "Plan9"`,
    },
  ])('answers unknown for $label', async ({ setup, reason }) => {
    // Prepare
    setup();

    // Act
    const result = await adapter().platformOf(NODE);

    // Assess
    expect(result).toEqual({ known: false, reason });
  });

  it.each([
    { label: 'ThrottlingException', err: ssmError('ThrottlingException', 400) },
    { label: 'a 503', err: ssmError('ServiceUnavailable', 503) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).rejects(err);

    // Act
    const result = adapter().platformOf(NODE);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'ssm:DescribeInstanceInformation',
      cause: err,
    });
    await expect(adapter().platformOf(NODE)).rejects.toBeInstanceOf(AwsCallError);
  });

  describe('cache (by node id)', () => {
    it('caches per node until the TTL expires', async () => {
      // Prepare
      let clock = 0;
      ssm
        .on(DescribeInstanceInformationCommand)
        .resolves({ InstanceInformationList: [{ InstanceId: NODE, PlatformType: 'Linux' }] });
      const platforms = adapter(1_000, () => clock);

      // Act
      await Promise.all([platforms.platformOf(NODE), platforms.platformOf(NODE)]);
      await platforms.platformOf(NODE);
      const beforeExpiry = ssm.commandCalls(DescribeInstanceInformationCommand).length;
      clock = 1_000;
      await platforms.platformOf(NODE);

      // Assess
      expect(beforeExpiry).toBe(1);
      expect(ssm).toReceiveCommandTimes(DescribeInstanceInformationCommand, 2);
    });

    it('does not cache a failed look-up, and never caches with ttl 0', async () => {
      // Prepare
      ssm
        .on(DescribeInstanceInformationCommand)
        .rejectsOnce(ssmError('ThrottlingException', 400))
        .resolves({ InstanceInformationList: [{ InstanceId: NODE, PlatformType: 'Linux' }] });
      const cached = adapter();
      const uncached = adapter(0);

      // Act
      await expect(cached.platformOf(NODE)).rejects.toBeInstanceOf(AwsCallError);
      await cached.platformOf(NODE);
      await uncached.platformOf(NODE);
      await uncached.platformOf(NODE);

      // Assess
      expect(ssm).toReceiveCommandTimes(DescribeInstanceInformationCommand, 4);
    });
  });
});
