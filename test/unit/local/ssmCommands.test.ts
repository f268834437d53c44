import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSessionsCommand,
  GetCommandInvocationCommand,
  paginateDescribeSessions,
  SendCommandCommand,
  SSMClient,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { probedUser } from '../../../src/local/services/ssm.ts';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/bob`;
const LINUX = 'i-0123456789abcdef0';

function session(n: number, owner: string, status: string, target = LINUX) {
  return {
    sessionId: `s-${n}`,
    target,
    owner,
    status,
    startDate: `2026-02-${String(n).padStart(2, '0')}T00:00:00Z`,
  };
}

const world = parseWorld({
  accountId: ACCOUNT,
  now: '2026-03-01T00:00:00Z',
  regions: {
    'us-east-1': {
      nodes: [
        { id: LINUX, platform: 'Linux', users: ['ec2-user', 'alice', 'root'] },
        { id: 'i-0bbbbbbbbbbbbbbb1', platform: 'Linux' },
        { id: 'i-0ccccccccccccccc2', platform: 'Linux', pingStatus: 'ConnectionLost', users: ['alice'] },
        { id: 'i-0ddddddddddddddd3', platform: 'Windows' },
      ],
      sessions: [
        session(1, ALICE, 'Connected'),
        session(2, ALICE, 'Terminated'),
        session(3, BOB, 'Connected', 'i-0bbbbbbbbbbbbbbb1'),
        session(4, BOB, 'Disconnected'),
        session(5, ALICE, 'Connected'),
        { ...session(6, BOB, 'Failed'), documentName: 'AWS-StartPortForwardingSession' },
      ],
    },
  },
});

const probe = (user: string): string => `id -u -- '${user}' && id -g -- '${user}' && id -un -- '${user}'`;

describe('local SSM sessions through the real SDK', () => {
  it.each([
    ['Active', [], ['s-1', 's-3', 's-4', 's-5']],
    ['History', [], ['s-2', 's-6']],
    ['Active', [{ key: 'Owner', value: ALICE }], ['s-1', 's-5']],
    ['Active', [{ key: 'Target', value: 'i-0bbbbbbbbbbbbbbb1' }], ['s-3']],
    ['Active', [{ key: 'Status', value: 'Disconnected' }], ['s-4']],
    ['History', [{ key: 'SessionId', value: 's-6' }], ['s-6']],
    ['Active', [{ key: 'InvokedAfter', value: '2026-02-04T00:00:00Z' }], ['s-4', 's-5']],
  ] as const)('DescribeSessions %s with %j', async (state, filters, ids) => {
    await withLocal(world, async (local) => {
      // Act
      const out = await new SSMClient(clientConfig(local)).send(
        new DescribeSessionsCommand({ State: state, Filters: filters.map((f) => ({ ...f })) }),
      );

      // Assess
      expect(out.Sessions?.map((s) => s.SessionId)).toEqual(ids);
    });
  });

  it('DescribeSessions returns the session fields and pages', async () => {
    await withLocal(world, async (local) => {
      // Act
      const client = new SSMClient(clientConfig(local));
      const pages = [];
      for await (const page of paginateDescribeSessions({ client, pageSize: 3 }, { State: 'Active' }))
        pages.push(page);
      const history = await client.send(
        new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: 's-6' }] }),
      );

      // Assess
      expect(pages.map((p) => p.Sessions?.length)).toEqual([3, 1]);
      expect(pages[0]?.Sessions?.[0]).toEqual({
        SessionId: 's-1',
        Target: LINUX,
        Status: 'Connected',
        StartDate: new Date('2026-02-01T00:00:00Z'),
        Owner: ALICE,
      });
      expect(history.Sessions?.[0]?.DocumentName).toBe('AWS-StartPortForwardingSession');
    });
  });

  it('TerminateSession moves an active session to History', async () => {
    await withLocal(world, async (local) => {
      const client = new SSMClient(clientConfig(local));

      // Act
      const out = await client.send(new TerminateSessionCommand({ SessionId: 's-5' }));
      const active = await client.send(new DescribeSessionsCommand({ State: 'Active' }));
      const history = await client.send(
        new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: 's-5' }] }),
      );

      // Assess
      expect(out.SessionId).toBe('s-5');
      expect(active.Sessions?.map((s) => s.SessionId)).toEqual(['s-1', 's-3', 's-4']);
      expect(history.Sessions?.[0]).toMatchObject({
        Status: 'Terminated',
        EndDate: new Date('2026-03-01T00:00:00Z'),
      });
    });
  });

  it.each([
    [
      'TerminateSession of an unknown session',
      (ssm: SSMClient) => ssm.send(new TerminateSessionCommand({ SessionId: 'nope' })),
      'DoesNotExistException',
    ],
    [
      'DescribeSessions with a bad filter key',
      (ssm: SSMClient) =>
        ssm.send(
          new DescribeSessionsCommand({
            State: 'Active',
            Filters: [{ key: 'Color' as 'Owner', value: 'x' }],
          }),
        ),
      'InvalidFilterKey',
    ],
    [
      'DescribeSessions with a bad State',
      (ssm: SSMClient) => ssm.send(new DescribeSessionsCommand({ State: 'Open' as 'Active' })),
      'ValidationException',
    ],
  ])('rejects %s', async (_case, command, name) => {
    await withLocal(world, async (local) => {
      // Act
      const error = await rejection(command(new SSMClient(clientConfig(local))));

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });
});

describe('probedUser', () => {
  it.each([
    [[probe('alice')], 'alice'],
    [[probe("o'\\''brien")], "o'brien"],
    [[probe('$(reboot)')], '$(reboot)'],
    [[probe('alice'), 'whoami'], undefined],
    [["id -u -- 'alice'"], undefined],
    [["id -u -- 'alice' && id -g -- 'bob' && id -un -- 'alice'"], undefined],
    [[`${probe('alice')}; reboot`], undefined],
    [['id -u -- alice && id -g -- alice && id -un -- alice'], undefined],
    [['cat /etc/passwd'], undefined],
    [[], undefined],
  ])('%j → %s', (commands, user) => {
    // Act
    const result = probedUser(commands);

    // Assess
    expect(result).toBe(user);
  });
});

describe('local SSM Run Command probe emulation through the real SDK', () => {
  async function runProbe(client: SSMClient, instanceId: string, commands: string[]) {
    const sent = await client.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Parameters: { commands },
      }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    const result = await client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    return { sent, result };
  }

  it.each([
    ['alice', 'Success', 0, '10001\n10001\nalice\n', ''],
    ['root', 'Success', 0, '0\n0\nroot\n', ''],
    ['10001', 'Success', 0, '10001\n10001\nalice\n', ''],
    ['mallory', 'Failed', 1, '', 'id: ‘mallory’: no such user\n'],
  ])('id -u -- %s on a node with known users → %s', async (user, status, code, stdout, stderr) => {
    await withLocal(world, async (local) => {
      // Act
      const { sent, result } = await runProbe(new SSMClient(clientConfig(local)), LINUX, [probe(user)]);

      // Assess
      expect(sent.Command).toMatchObject({
        DocumentName: 'AWS-RunShellScript',
        Status: 'Pending',
        InstanceIds: [LINUX],
        TargetCount: 1,
      });
      expect(sent.Command?.CommandId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result).toMatchObject({
        Status: status,
        StatusDetails: status,
        ResponseCode: code,
        StandardOutputContent: stdout,
        StandardErrorContent: stderr,
        InstanceId: LINUX,
        PluginName: 'aws:runShellScript',
      });
    });
  });

  it('never executes anything: shell metacharacters stay a literal name, other commands are refused', async () => {
    await withLocal(world, async (local) => {
      // Prepare
      const marker = join(tmpdir(), `local-aws-probe-${process.pid}-${Date.now()}`);
      const client = new SSMClient(clientConfig(local));

      // Act
      const quoted = await runProbe(client, LINUX, [probe(`$(touch ${marker})`)]);
      const chained = await runProbe(client, LINUX, [`${probe('alice')}; touch ${marker}`]);
      const other = await runProbe(client, LINUX, [`touch ${marker}`]);

      // Assess
      expect(existsSync(marker)).toBe(false);
      expect(quoted.result).toMatchObject({
        Status: 'Failed',
        ResponseCode: 1,
        StandardErrorContent: `id: ‘$(touch ${marker})’: no such user\n`,
      });
      for (const refused of [chained.result, other.result]) {
        expect(refused).toMatchObject({ Status: 'Failed', ResponseCode: 2 });
        expect(refused.StandardErrorContent).toContain('nothing was run');
      }
    });
  });

  it('reports a failed probe (not "no such user") on a node whose users the world does not list', async () => {
    await withLocal(world, async (local) => {
      // Act
      const { result } = await runProbe(new SSMClient(clientConfig(local)), 'i-0bbbbbbbbbbbbbbb1', [
        probe('alice'),
      ]);

      // Assess
      expect(result).toMatchObject({ Status: 'Failed', ResponseCode: 2 });
      expect(result.StandardErrorContent).toContain('does not list the users');
    });
  });

  it.each([
    [
      'an offline node',
      {
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['i-0ccccccccccccccc2'],
        Parameters: { commands: [probe('alice')] },
      },
      'InvalidInstanceId',
    ],
    [
      'an unknown node',
      {
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['i-0000000000000dead'],
        Parameters: { commands: [probe('alice')] },
      },
      'InvalidInstanceId',
    ],
    [
      'a Windows node',
      {
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['i-0ddddddddddddddd3'],
        Parameters: { commands: [probe('alice')] },
      },
      'UnsupportedPlatformType',
    ],
    [
      'another document',
      { DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [LINUX], Parameters: { commands: ['whoami'] } },
      'InvalidDocument',
    ],
    [
      'Targets instead of InstanceIds',
      {
        DocumentName: 'AWS-RunShellScript',
        Targets: [{ Key: 'tag:a', Values: ['b'] }],
        Parameters: { commands: [probe('a')] },
      },
      'InvalidParameters',
    ],
    [
      'no commands',
      { DocumentName: 'AWS-RunShellScript', InstanceIds: [LINUX], Parameters: {} },
      'InvalidParameters',
    ],
  ])('SendCommand rejects %s', async (_case, input, name) => {
    await withLocal(world, async (local) => {
      // Act
      const error = await rejection(new SSMClient(clientConfig(local)).send(new SendCommandCommand(input)));

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });

  it.each([
    ['a malformed command id', { CommandId: 'abc', InstanceId: LINUX }, 'InvalidCommandId'],
    [
      'an unknown command',
      { CommandId: '00000000-0000-4000-8000-0000000000ff', InstanceId: LINUX },
      'InvocationDoesNotExist',
    ],
  ])('GetCommandInvocation rejects %s', async (_case, input, name) => {
    await withLocal(world, async (local) => {
      // Act
      const error = await rejection(
        new SSMClient(clientConfig(local)).send(new GetCommandInvocationCommand(input)),
      );

      // Assess
      expect(error.name).toBe(name);
    });
  });

  it('a pending fault keeps the invocation Pending, then InProgress, for N polls', async () => {
    await withLocal(world, async (local) => {
      // Prepare
      local.faults.add({ service: 'ssm', kind: 'pending', times: 2, nodeId: LINUX });
      const client = new SSMClient(clientConfig(local));
      const sent = await client.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: [LINUX],
          Parameters: { commands: [probe('alice')] },
        }),
      );
      const input = { CommandId: sent.Command?.CommandId ?? '', InstanceId: LINUX };

      // Act
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await client.send(new GetCommandInvocationCommand(input))).Status);

      // Assess
      expect(statuses).toEqual(['Pending', 'InProgress', 'Success', 'Success']);
    });
  });

  it('a timeout fault keeps the invocation InProgress forever', async () => {
    // Prepare
    const timingOut = parseWorld({
      accountId: ACCOUNT,
      regions: { 'us-east-1': { nodes: [{ id: LINUX, platform: 'Linux', users: ['alice'] }] } },
      faults: [{ service: 'ssm', kind: 'timeout' }],
    });

    await withLocal(timingOut, async (local) => {
      const client = new SSMClient(clientConfig(local));
      const sent = await client.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: [LINUX],
          Parameters: { commands: [probe('alice')] },
        }),
      );
      const input = { CommandId: sent.Command?.CommandId ?? '', InstanceId: LINUX };

      // Act
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await client.send(new GetCommandInvocationCommand(input))).Status);

      // Assess
      expect(statuses).toEqual([
        'Pending',
        'InProgress',
        'InProgress',
        'InProgress',
        'InProgress',
        'InProgress',
      ]);
    });
  });
});
