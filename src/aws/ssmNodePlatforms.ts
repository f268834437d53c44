/**
 * NodePlatforms over SSM DescribeInstanceInformation: Run As applies to Linux and macOS
 * only, so the platform decides whether a session is auditable at all.
 */
import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { NodePlatforms } from '../app/ports.ts';
import { type Known, known, type Platform, unknown } from '../domain/facts.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface SsmNodePlatformsOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
}

const PLATFORMS: ReadonlySet<string> = new Set<Platform>(['Linux', 'MacOS', 'Windows']);

const isPlatform = (value: string | undefined): value is Platform =>
  value !== undefined && PLATFORMS.has(value);

export const createSsmNodePlatforms = (ssm: SSMClient, options: SsmNodePlatformsOptions): NodePlatforms => {
  const cache = createTtlCache<Known<Platform | null>>({
    ttlMs: options.ttlMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const read = async (nodeId: string): Promise<Known<Platform | null>> => {
    try {
      const response = await ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [nodeId] }] }),
      );
      const node = (response.InstanceInformationList ?? []).find((info) => info.InstanceId === nodeId);
      if (node === undefined) return known(null);
      if (!isPlatform(node.PlatformType)) {
        return unknown(
          `node ${nodeId} reports an unrecognised platform type ${JSON.stringify(node.PlatformType)}`,
        );
      }
      return known(node.PlatformType);
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.ssmInstance)) {
        case 'access-denied':
          return unknown(`the auditor is not allowed ssm:DescribeInstanceInformation (${sdkErrorName(err)})`);
        case 'not-found':
          return known(null);
        default:
          throw toAwsCallError('ssm:DescribeInstanceInformation', err);
      }
    }
  };

  return { platformOf: (nodeId) => cache.get(nodeId, () => read(nodeId)) };
};
