/** The node listing the fleet pre-check sends: DescribeInstanceInformation by PlatformTypes, paged. */
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, clientConfig, withLocal } from './localAwsHelpers.ts';

const world = parseWorld({
  accountId: ACCOUNT,
  regions: {
    'us-east-1': {
      nodes: [
        ...Array.from({ length: 6 }, (_, i) => ({
          id: `i-${String(i).padStart(17, '0')}`,
          platform: 'Linux',
        })),
        { id: 'mi-0123456789abcdef0', platform: 'MacOS' },
        { id: 'i-0ffffffffffffffff', platform: 'Windows' },
        { id: 'i-0eeeeeeeeeeeeeeee', platform: 'Windows' },
      ],
    },
  },
});

describe('local DescribeInstanceInformation with a PlatformTypes filter', () => {
  it('lists only Linux and macOS nodes for Filters [PlatformTypes: Linux, MacOS], across pages', async () => {
    await withLocal(world, async (local) => {
      // Prepare
      const ssm = new SSMClient(clientConfig(local));
      const filter = { Filters: [{ Key: 'PlatformTypes', Values: ['Linux', 'MacOS'] }], MaxResults: 5 };

      // Act
      const first = await ssm.send(new DescribeInstanceInformationCommand(filter));
      const second = await ssm.send(
        new DescribeInstanceInformationCommand({ ...filter, NextToken: first.NextToken ?? '' }),
      );

      // Assess
      expect(first.InstanceInformationList).toHaveLength(5);
      expect(second.NextToken).toBeUndefined();
      const listed = [...(first.InstanceInformationList ?? []), ...(second.InstanceInformationList ?? [])];
      expect(listed.map((n) => n.PlatformType).sort()).toEqual([...Array(6).fill('Linux'), 'MacOS']);
      expect(listed.map((n) => n.InstanceId)).not.toContain('i-0ffffffffffffffff');
    });
  });

  it('lists only Windows nodes for Filters [PlatformTypes: Windows]', async () => {
    await withLocal(world, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }] }),
      );

      // Assess
      expect(out.InstanceInformationList?.map((n) => n.InstanceId).sort()).toEqual([
        'i-0eeeeeeeeeeeeeeee',
        'i-0ffffffffffffffff',
      ]);
    });
  });
});
