import {
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetDocumentCommand,
  ListInventoryEntriesCommand,
  paginateDescribeInstanceInformation,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, baseWorld, clientConfig, RUN_SHELL, rejection, withLocal } from './localAwsHelpers.ts';

const versioned = parseWorld({
  accountId: ACCOUNT,
  regions: {
    'us-east-1': {
      documents: [
        {
          name: 'Custom-Shell',
          versions: [
            {
              version: '1',
              content: {
                schemaVersion: '1.0',
                sessionType: 'Standard_Stream',
                inputs: { runAsEnabled: false },
              },
            },
            {
              version: '2',
              content: {
                schemaVersion: '1.0',
                sessionType: 'Standard_Stream',
                parameters: { runAsUser: { type: 'String', default: 'deploy', description: 'who' } },
                inputs: { runAsEnabled: true, runAsDefaultUser: '{{ runAsUser }}' },
              },
            },
          ],
          defaultVersion: '1',
        },
      ],
    },
  },
});

describe('local SSM documents through the real SDK', () => {
  it('GetDocument serves the Region of the signature', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const east = await new SSMClient(clientConfig(local, 'us-east-1')).send(
        new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentFormat: 'JSON' }),
      );
      const west = await new SSMClient(clientConfig(local, 'eu-west-1')).send(
        new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentFormat: 'JSON' }),
      );

      // Assess
      expect(JSON.parse(east.Content ?? '')).toEqual(RUN_SHELL);
      expect(JSON.parse(west.Content ?? '').inputs).toEqual({ runAsEnabled: false, runAsDefaultUser: '' });
      expect(east).toMatchObject({
        Name: 'SSM-SessionManagerRunShell',
        DocumentType: 'Session',
        DocumentVersion: '1',
        DocumentFormat: 'JSON',
        Status: 'Active',
      });
      expect(local.calls.snapshot()).toEqual({ 'ssm:GetDocument': 2 });
    });
  });

  it.each([
    [undefined, '1', false],
    ['$DEFAULT', '1', false],
    ['$LATEST', '2', true],
    ['2', '2', true],
  ])('GetDocument version %s resolves to %s', async (requested, version, runAs) => {
    await withLocal(versioned, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new GetDocumentCommand({
          Name: 'Custom-Shell',
          ...(requested === undefined ? {} : { DocumentVersion: requested }),
        }),
      );

      // Assess
      expect(out.DocumentVersion).toBe(version);
      expect(JSON.parse(out.Content ?? '').inputs.runAsEnabled).toBe(runAs);
    });
  });

  it('GetDocument accepts the document ARN of this account and Region', async () => {
    await withLocal(versioned, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new GetDocumentCommand({ Name: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/Custom-Shell` }),
      );

      // Assess
      expect(out.Name).toBe('Custom-Shell');
    });
  });

  it('GetDocument renders YAML on request', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell', DocumentFormat: 'YAML' }),
      );

      // Assess
      expect(out.DocumentFormat).toBe('YAML');
      expect(parseYaml(out.Content ?? '')).toEqual(RUN_SHELL);
    });
  });

  it.each([
    ['an absent document', { Name: 'Nope-Doc' }, 'InvalidDocument'],
    [
      'an AWS-owned document the world does not list',
      { Name: 'AWS-StartPortForwardingSession' },
      'InvalidDocument',
    ],
    [
      'an ARN of another account',
      { Name: 'arn:aws:ssm:us-east-1:999999999999:document/Custom-Shell' },
      'InvalidDocument',
    ],
    [
      'an ARN of another Region',
      { Name: `arn:aws:ssm:eu-west-1:${ACCOUNT}:document/Custom-Shell` },
      'InvalidDocument',
    ],
    [
      'a version that does not exist',
      { Name: 'Custom-Shell', DocumentVersion: '7' },
      'InvalidDocumentVersion',
    ],
    [
      'a version that is not a number',
      { Name: 'Custom-Shell', DocumentVersion: 'latest' },
      'InvalidDocumentVersion',
    ],
    ['a version name', { Name: 'Custom-Shell', VersionName: 'release' }, 'InvalidDocumentVersion'],
  ])('GetDocument rejects %s', async (_case, input, name) => {
    await withLocal(versioned, async (local) => {
      // Act
      const error = await rejection(new SSMClient(clientConfig(local)).send(new GetDocumentCommand(input)));

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });

  it('DescribeDocument reports versions, parameters and a content hash', async () => {
    await withLocal(versioned, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new DescribeDocumentCommand({ Name: 'Custom-Shell', DocumentVersion: '$LATEST' }),
      );

      // Assess
      expect(out.Document).toMatchObject({
        Name: 'Custom-Shell',
        DocumentVersion: '2',
        DefaultVersion: '1',
        LatestVersion: '2',
        DocumentType: 'Session',
        SchemaVersion: '1.0',
        Owner: 'Self',
        Parameters: [{ Name: 'runAsUser', Type: 'String', Description: 'who', DefaultValue: 'deploy' }],
      });
      expect(out.Document?.Hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});

describe('local SSM nodes and inventory through the real SDK', () => {
  const nodesWorld = parseWorld({
    accountId: ACCOUNT,
    regions: {
      'us-east-1': {
        nodes: [
          ...Array.from({ length: 12 }, (_, i) => ({
            id: `i-${String(i).padStart(17, '0')}`,
            platform: 'Linux',
          })),
          { id: 'mi-0123456789abcdef0', platform: 'MacOS', pingStatus: 'ConnectionLost' },
          { id: 'i-0ffffffffffffffff', platform: 'Windows' },
        ],
      },
    },
  });

  it('DescribeInstanceInformation filters by InstanceIds and reports the platform', async () => {
    await withLocal(nodesWorld, async (local) => {
      const ssm = new SSMClient(clientConfig(local));

      // Act
      const mac = await ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'InstanceIds', Values: ['mi-0123456789abcdef0'] }],
        }),
      );
      const unknown = await ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'InstanceIds', Values: ['i-0000000000000dead'] }],
        }),
      );
      const windows = await ssm.send(
        new DescribeInstanceInformationCommand({
          InstanceInformationFilterList: [{ key: 'PlatformTypes', valueSet: ['Windows'] }],
        }),
      );

      // Assess
      expect(mac.InstanceInformationList).toEqual([
        expect.objectContaining({
          InstanceId: 'mi-0123456789abcdef0',
          PlatformType: 'MacOS',
          PlatformName: 'macOS',
          PingStatus: 'ConnectionLost',
          ResourceType: 'ManagedInstance',
        }),
      ]);
      expect(unknown.InstanceInformationList).toEqual([]);
      expect(windows.InstanceInformationList?.map((n) => n.InstanceId)).toEqual(['i-0ffffffffffffffff']);
    });
  });

  it('DescribeInstanceInformation pages with MaxResults / NextToken', async () => {
    await withLocal(nodesWorld, async (local) => {
      // Act
      const pages = [];
      const client = new SSMClient(clientConfig(local));
      for await (const page of paginateDescribeInstanceInformation({ client, pageSize: 5 }, {}))
        pages.push(page);

      // Assess
      expect(pages.map((p) => p.InstanceInformationList?.length)).toEqual([5, 5, 4]);
      expect(new Set(pages.flatMap((p) => p.InstanceInformationList?.map((n) => n.InstanceId))).size).toBe(
        14,
      );
    });
  });

  it.each([
    [
      'both filter lists',
      {
        Filters: [{ Key: 'InstanceIds', Values: ['i-1'] }],
        InstanceInformationFilterList: [{ key: 'InstanceIds' as const, valueSet: ['i-1'] }],
      },
      'InvalidFilter',
    ],
    ['an unsupported filter key', { Filters: [{ Key: 'tag:Name', Values: ['x'] }] }, 'InvalidFilterKey'],
    ['MaxResults below 5', { MaxResults: 2 }, 'ValidationException'],
    ['a forged NextToken', { NextToken: 'Zm9v' }, 'InvalidNextToken'],
  ])('DescribeInstanceInformation rejects %s', async (_case, input, name) => {
    await withLocal(nodesWorld, async (local) => {
      // Act
      const error = await rejection(
        new SSMClient(clientConfig(local)).send(new DescribeInstanceInformationCommand(input)),
      );

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });

  it('ListInventoryEntries lists node users with the capture time, paginated', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      now: '2026-03-01T00:00:00Z',
      regions: {
        'us-east-1': {
          nodes: [{ id: 'i-0123456789abcdef0', platform: 'Linux', users: ['a', 'b', 'c', 'd', 'e'] }],
        },
      },
    });

    await withLocal(world, async (local) => {
      const client = new SSMClient(clientConfig(local));

      // Act
      // ListInventoryEntries has no SDK paginator: follow NextToken by hand.
      const pages = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListInventoryEntriesCommand({
            InstanceId: 'i-0123456789abcdef0',
            TypeName: 'Custom:OSUsers',
            MaxResults: 2,
            NextToken: token,
          }),
        );
        pages.push(page);
        token = page.NextToken;
      } while (token !== undefined);

      // Assess
      expect(pages.map((p) => p.Entries)).toEqual([
        [
          { Name: 'a', Uid: '10000', Gid: '10000' },
          { Name: 'b', Uid: '10001', Gid: '10001' },
        ],
        [
          { Name: 'c', Uid: '10002', Gid: '10002' },
          { Name: 'd', Uid: '10003', Gid: '10003' },
        ],
        [{ Name: 'e', Uid: '10004', Gid: '10004' }],
      ]);
      expect(pages[0]).toMatchObject({
        CaptureTime: '2026-03-01T00:00:00Z',
        SchemaVersion: '1.0',
        TypeName: 'Custom:OSUsers',
      });
    });
  });

  it.each([
    ['a node with unknown users', 'i-0aaaaaaaaaaaaaaa1', 'Custom:OSUsers'],
    ['another inventory type', 'i-0123456789abcdef0', 'AWS:Application'],
  ])('ListInventoryEntries returns no entries for %s', async (_case, instanceId, typeName) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new ListInventoryEntriesCommand({ InstanceId: instanceId, TypeName: typeName }),
      );

      // Assess
      expect(out.Entries).toEqual([]);
      expect(out.CaptureTime).toBeUndefined();
    });
  });

  it.each([
    [[{ Key: 'Custom:OSUsers.Name', Values: ['alice'], Type: 'Equal' as const }], ['alice']],
    [[{ Key: 'Name', Values: ['r', 'e'], Type: 'BeginWith' as const }], ['ec2-user', 'root']],
    [[{ Key: 'Name', Values: ['root'], Type: 'NotEqual' as const }], ['ec2-user', 'alice']],
    [[{ Key: 'constructor', Values: ['f'], Type: 'BeginWith' as const }], []],
  ])('ListInventoryEntries applies entry filters %j', async (filters, users) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new ListInventoryEntriesCommand({
          InstanceId: 'i-0123456789abcdef0',
          TypeName: 'Custom:OSUsers',
          Filters: filters,
        }),
      );

      // Assess
      expect(out.Entries?.map((e) => e.Name)).toEqual(users);
    });
  });

  it('ListInventoryEntries reports a stale capture time 30 days back', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      now: '2026-03-31T00:00:00Z',
      regions: {
        'us-east-1': {
          nodes: [{ id: 'i-0123456789abcdef0', platform: 'Linux', users: ['a'], inventoryStale: true }],
        },
      },
    });

    await withLocal(world, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new ListInventoryEntriesCommand({ InstanceId: 'i-0123456789abcdef0', TypeName: 'Custom:OSUsers' }),
      );

      // Assess
      expect(out.CaptureTime).toBe('2026-03-01T00:00:00Z');
      expect(out.Entries).toEqual([{ Name: 'a', Uid: '10000', Gid: '10000' }]);
    });
  });

  it.each([
    [
      'an unknown node',
      { InstanceId: 'i-0000000000000dead', TypeName: 'Custom:OSUsers' },
      'InvalidInstanceId',
    ],
    [
      'a malformed type name',
      { InstanceId: 'i-0123456789abcdef0', TypeName: 'OSUsers' },
      'InvalidTypeNameException',
    ],
  ])('ListInventoryEntries rejects %s', async (_case, input, name) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const error = await rejection(
        new SSMClient(clientConfig(local)).send(new ListInventoryEntriesCommand(input)),
      );

      // Assess
      expect(error.name).toBe(name);
    });
  });
});

describe('local SSM: versions replayed events have not created yet', () => {
  const pending = parseWorld({
    accountId: ACCOUNT,
    regions: {
      'us-east-1': {
        documents: [
          {
            name: 'Custom-Shell',
            versions: [
              { version: '1', content: { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} } },
              {
                version: '2',
                content: {
                  schemaVersion: '1.0',
                  sessionType: 'Standard_Stream',
                  inputs: { runAsEnabled: true },
                },
              },
            ],
            defaultVersion: '1',
            latestVersion: '1',
          },
        ],
      },
    },
  });

  it('serves $LATEST as the latest created version and refuses a pending one', async () => {
    await withLocal(pending, async (local) => {
      // Prepare
      const client = new SSMClient(clientConfig(local));

      // Act
      const latest = await client.send(
        new GetDocumentCommand({ Name: 'Custom-Shell', DocumentVersion: '$LATEST' }),
      );
      const error = await rejection(
        client.send(new GetDocumentCommand({ Name: 'Custom-Shell', DocumentVersion: '2' })),
      );

      // Assess
      expect(latest.DocumentVersion).toBe('1');
      expect(error.name).toBe('InvalidDocumentVersion');
    });
  });
});
