import {
  DescribeInstanceInformationCommand,
  type InstanceInformation,
  InvalidInstanceId,
  ListInventoryEntriesCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeUsers } from '../../../src/app/ports.ts';
import { createInventoryNodeUsers } from '../../../src/aws/inventoryNodeUsers.ts';
import { createSsmFleetUsers } from '../../../src/aws/ssmFleetUsers.ts';
import type { UserPresence } from '../../../src/domain/facts.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const TYPE = 'Custom:OSUsers';
const HOUR = 3_600_000;
const CAPTURED = '2026-03-01T11:30:00Z';
const STALE = '2026-02-01T00:00:00Z';
/** The change event's time. */
const AS_OF = '2026-03-01T13:05:00Z';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = serviceError(SSMServiceException);

const node = (id: string, platform: 'Linux' | 'MacOS' | 'Windows' = 'Linux'): InstanceInformation => ({
  InstanceId: id,
  PlatformType: platform,
  PingStatus: 'Online',
});

const inventory = (id: string, users: readonly string[], captureTime = CAPTURED) => ({
  TypeName: TYPE,
  InstanceId: id,
  SchemaVersion: '1.0',
  CaptureTime: captureTime,
  Entries: users.map((Name) => ({ Name })),
});

/** The adapter as composition builds it: over the real inventory adapter, no cache. */
const adapter = (concurrency?: number) =>
  createSsmFleetUsers(client, {
    nodeUsers: createInventoryNodeUsers(client, {
      typeName: TYPE,
      maxAgeMs: 48 * HOUR,
      now: () => Date.parse(AS_OF),
      ttlMs: 0,
    }),
    ...(concurrency === undefined ? {} : { concurrency }),
  });

const listedNodes = () =>
  ssm.commandCalls(ListInventoryEntriesCommand).map((call) => call.args[0].input.InstanceId);

beforeEach(() => {
  ssm.reset();
});

describe('createSsmFleetUsers', () => {
  it('lists only Linux and macOS nodes, 50 a page, following NextToken', async () => {
    // Prepare
    const sent = servePages(ssm.on(DescribeInstanceInformationCommand), [
      { InstanceInformationList: [node('i-0000000000000000a')], NextToken: 'page-2' },
      { InstanceInformationList: [node('mi-0000000000000000b', 'MacOS')] },
    ]);
    ssm
      .on(ListInventoryEntriesCommand)
      .callsFake((input: { InstanceId: string }) => inventory(input.InstanceId, ['ec2-user']));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(sent).toEqual([
      { Filters: [{ Key: 'PlatformTypes', Values: ['Linux', 'MacOS'] }], MaxResults: 50 },
      {
        Filters: [{ Key: 'PlatformTypes', Values: ['Linux', 'MacOS'] }],
        MaxResults: 50,
        NextToken: 'page-2',
      },
    ]);
    expect(result).toEqual({
      known: true,
      value: { checked: 2, missing: ['i-0000000000000000a', 'mi-0000000000000000b'], unknown: 0 },
    });
  });

  it('gives up after 200 pages of nodes, saying the fleet is too large to check', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [], NextToken: 'again' });

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(result).toEqual({
      known: false,
      reason: 'the Region has more than 10000 Linux and macOS nodes',
    });
    expect(ssm).toReceiveCommandTimes(DescribeInstanceInformationCommand, 200);
    expect(ssm).not.toReceiveCommand(ListInventoryEntriesCommand);
  });

  it('never asks about a Windows node, even one the listing returned', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [node('i-0000000000000000a'), node('i-0000000000000000w', 'Windows')],
    });
    ssm
      .on(ListInventoryEntriesCommand)
      .callsFake((input: { InstanceId: string }) => inventory(input.InstanceId, ['ec2-user']));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(listedNodes()).toEqual(['i-0000000000000000a']);
    expect(result).toEqual({
      known: true,
      value: { checked: 1, missing: ['i-0000000000000000a'], unknown: 0 },
    });
  });

  it('reads every page of a node inventory before saying the user is missing', async () => {
    // Prepare
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [node('i-0000000000000000a')] });
    ssm
      .on(ListInventoryEntriesCommand)
      .resolvesOnce({ ...inventory('i-0000000000000000a', ['ec2-user']), NextToken: 'more' })
      .resolvesOnce(inventory('i-0000000000000000a', ['deploy']));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(ssm.commandCalls(ListInventoryEntriesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: 'i-0000000000000000a', TypeName: TYPE },
      { InstanceId: 'i-0000000000000000a', TypeName: TYPE, NextToken: 'more' },
    ]);
    expect(result).toEqual({ known: true, value: { checked: 1, missing: [], unknown: 0 } });
  });

  it('counts only nodes whose fresh inventory lacks the user; unknown and stale ones are not missing', async () => {
    // Prepare
    const ids = {
      missing: 'i-0000000000000000a',
      present: 'i-0000000000000000b',
      stale: 'i-0000000000000000c',
      empty: 'i-0000000000000000d',
      gone: 'i-0000000000000000e',
    };
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: Object.values(ids).map((id) => node(id)),
    });
    ssm
      .on(ListInventoryEntriesCommand, { InstanceId: ids.missing })
      .resolves(inventory(ids.missing, ['ec2-user']));
    ssm
      .on(ListInventoryEntriesCommand, { InstanceId: ids.present })
      .resolves(inventory(ids.present, ['deploy']));
    ssm
      .on(ListInventoryEntriesCommand, { InstanceId: ids.stale })
      .resolves(inventory(ids.stale, ['ec2-user'], STALE));
    ssm.on(ListInventoryEntriesCommand, { InstanceId: ids.empty }).resolves(inventory(ids.empty, []));
    ssm
      .on(ListInventoryEntriesCommand, { InstanceId: ids.gone })
      .rejects(new InvalidInstanceId({ message: 'gone', $metadata: { httpStatusCode: 400 } }));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(result).toEqual({ known: true, value: { checked: 5, missing: [ids.missing], unknown: 3 } });
  });

  it('returns the missing nodes sorted, whatever order the listing had', async () => {
    // Prepare
    const ids = ['i-0000000000000000c', 'mi-0000000000000000a', 'i-0000000000000000a'];
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: ids.map((id) => node(id)) });
    ssm
      .on(ListInventoryEntriesCommand)
      .callsFake((input: { InstanceId: string }) => inventory(input.InstanceId, ['ec2-user']));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(result.known && result.value.missing).toEqual([
      'i-0000000000000000a',
      'i-0000000000000000c',
      'mi-0000000000000000a',
    ]);
  });

  it('says nothing about the fleet when listing nodes is denied', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).rejects(ssmError('AccessDeniedException', 400));

    // Act
    const result = await adapter().nodesMissing('deploy', AS_OF);

    // Assess
    expect(result).toEqual({
      known: false,
      reason: 'the auditor is not allowed ssm:DescribeInstanceInformation (AccessDeniedException)',
    });
    expect(ssm).not.toReceiveCommand(ListInventoryEntriesCommand);
  });

  it.each([
    ['DescribeInstanceInformation', 'ssm:DescribeInstanceInformation'],
    ['ListInventoryEntries', 'ssm:ListInventoryEntries'],
  ] as const)('throws when %s keeps failing, so Lambda retries the change', async (operation, action) => {
    // Prepare
    if (operation === 'DescribeInstanceInformation') {
      ssm.on(DescribeInstanceInformationCommand).rejects(ssmError('InternalServerError', 500));
    } else {
      ssm
        .on(DescribeInstanceInformationCommand)
        .resolves({ InstanceInformationList: [node('i-0000000000000000a')] });
      ssm.on(ListInventoryEntriesCommand).rejects(ssmError('ThrottlingException', 400));
    }

    // Act
    const outcome = adapter().nodesMissing('deploy', AS_OF);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(AwsCallError);
    await expect(outcome).rejects.toThrow(action);
  });

  it('looks up at most `concurrency` nodes at a time, and every node once', async () => {
    // Prepare
    const ids = Array.from({ length: 30 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: ids.map((id) => node(id)) });
    let inFlight = 0;
    let peak = 0;
    const asked: string[] = [];
    const nodeUsers: NodeUsers = {
      presenceOf: async (nodeId): Promise<UserPresence> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        asked.push(nodeId);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return { status: 'missing', source: 'test' };
      },
    };

    // Act
    const result = await createSsmFleetUsers(client, { nodeUsers, concurrency: 8 }).nodesMissing(
      'deploy',
      AS_OF,
    );

    // Assess
    expect(peak).toBe(8);
    expect([...asked].sort()).toEqual(ids);
    expect(result.known && result.value.missing).toHaveLength(30);
  });

  it('asks a macOS node to compare names ignoring case, a Linux node exactly', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [node('i-0000000000000000a', 'Linux'), node('mi-0000000000000000b', 'MacOS')],
    });
    const asked: [string, string][] = [];
    const nodeUsers: NodeUsers = {
      presenceOf: async (nodeId, _user, lookup): Promise<UserPresence> => {
        asked.push([nodeId, lookup.match]);
        return { status: 'present', source: 'test' };
      },
    };

    // Act
    await createSsmFleetUsers(client, { nodeUsers }).nodesMissing('deploy', AS_OF);

    // Assess
    expect(asked.sort()).toEqual([
      ['i-0000000000000000a', 'exact'],
      ['mi-0000000000000000b', 'ignore-case'],
    ]);
  });
});
