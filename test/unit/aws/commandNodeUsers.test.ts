import {
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
  UnsupportedPlatformType,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type CommandNodeUsersOptions,
  createCommandNodeUsers,
  OUT_OF_TIME,
  probeScript,
} from '../../../src/aws/commandNodeUsers.ts';
import { AwsCallError, UnsafeProbeNameError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

/** The session's event time (the probe asks the node now; it does not use it). */
const AS_OF = '2026-03-01T12:00:00.000Z';
const LOOKUP = { asOf: AS_OF, match: 'exact' } as const;
const ALICE = { name: 'alice', uid: 1001, gid: 1001 };
const NODE = 'i-0123456789abcdef0';
const COMMAND_ID = '0b5f3c1e-1111-4a2b-9c3d-0123456789ab';
const SOURCE = `id on ${NODE}`;
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = serviceError(SSMServiceException);

const invocation = (
  status: string,
  fields: Partial<GetCommandInvocationCommandOutput> = {},
): GetCommandInvocationCommandOutput => ({
  $metadata: {},
  CommandId: COMMAND_ID,
  InstanceId: NODE,
  DocumentName: 'AWS-RunShellScript',
  PluginName: 'aws:runShellScript',
  Status: status as GetCommandInvocationCommandOutput['Status'],
  StatusDetails: status,
  ResponseCode: status === 'Pending' || status === 'InProgress' ? -1 : 0,
  StandardOutputContent: '',
  StandardErrorContent: '',
  ...fields,
});

const SUCCESS = invocation('Success', { ResponseCode: 0, StandardOutputContent: '1001\n1001\nalice\n' });
const NO_SUCH_USER = invocation('Failed', {
  ResponseCode: 1,
  StandardErrorContent: 'id: ‘alice’: no such user\n',
});

/**
 * A fake Lambda clock: the function starts with `remainingMs` left and every sleep spends
 * its duration, so polling ends without any real waiting.
 */
const fakeTime = (remainingMs = 60_000) => {
  const state = { remainingMs, sleeps: [] as number[], now: 0 };
  return {
    state,
    sleep: async (ms: number) => {
      state.sleeps.push(ms);
      state.remainingMs -= ms;
    },
    remainingTimeMs: () => state.remainingMs,
    now: () => state.now,
  };
};

const adapter = (time = fakeTime(), overrides: Partial<CommandNodeUsersOptions> = {}) =>
  createCommandNodeUsers(client, {
    ttlMs: 60_000,
    remainingTimeMs: time.remainingTimeMs,
    sleep: time.sleep,
    now: time.now,
    ...overrides,
  });

const sendCalls = () => ssm.commandCalls(SendCommandCommand);

beforeEach(() => {
  ssm.reset();
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });
});

describe('probeScript', () => {
  it('single-quotes the name after --', () => {
    // Act
    const script = probeScript('alice');

    // Assess
    expect(script).toBe("id -u -- 'alice' && id -g -- 'alice' && id -un -- 'alice'");
  });

  it('probes a uid the same way: only digits reach the node', () => {
    // Act + Assess
    expect(probeScript('1000')).toBe("id -u -- '1000' && id -g -- '1000' && id -un -- '1000'");
  });

  it.each(["a'b", "'; reboot; '", 'a;reboot', '$(id)', '-rf', ''])(
    'throws rather than build a script for %j',
    (name) => {
      // Act
      const build = () => probeScript(name);

      // Assess
      expect(build).toThrow(UnsafeProbeNameError);
    },
  );
});

describe('createCommandNodeUsers', () => {
  it('sends exactly one AWS-RunShellScript probe and polls its invocation', async () => {
    // Prepare
    ssm.on(GetCommandInvocationCommand).resolves(SUCCESS);

    // Act
    await adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(sendCalls().map((c) => c.args[0].input)).toEqual([
      {
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [NODE],
        Parameters: { commands: ["id -u -- 'alice' && id -g -- 'alice' && id -un -- 'alice'"] },
        TimeoutSeconds: 30,
        Comment: 'ssm-runas-auditor: which account is the Run As user?',
      },
    ]);
    expect(ssm).toReceiveCommandExactlyOnceWith(GetCommandInvocationCommand, {
      CommandId: COMMAND_ID,
      InstanceId: NODE,
    });
  });

  it.each([
    {
      label: 'Success with exit code 0',
      result: SUCCESS,
      expected: { status: 'present', source: SOURCE, account: ALICE },
    },
    {
      label: 'Success naming the account that owns a uid',
      result: invocation('Success', { ResponseCode: 0, StandardOutputContent: '1000\n1000\nec2-user\n' }),
      expected: { status: 'present', source: SOURCE, account: { name: 'ec2-user', uid: 1000, gid: 1000 } },
    },
    {
      label: 'Success without uid, gid and name',
      result: invocation('Success', { ResponseCode: 0, StandardOutputContent: '1001\n' }),
      expected: { status: 'unknown', reason: `probe on ${NODE} printed no uid, gid and name` },
    },
    {
      label: 'Failed with exit code 1 and "no such user"',
      result: NO_SUCH_USER,
      expected: { status: 'missing', source: SOURCE },
    },
    {
      label: 'Failed with exit code 1 and "No such user" (macOS)',
      result: invocation('Failed', { ResponseCode: 1, StandardErrorContent: 'id: alice: No such user\n' }),
      expected: { status: 'missing', source: SOURCE },
    },
    {
      label: 'Failed with exit code 1 and another message',
      result: invocation('Failed', { ResponseCode: 1, StandardErrorContent: 'id: cannot contact LDAP\n' }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Failed, exit code 1` },
    },
    {
      label: 'Failed with exit code 2',
      result: invocation('Failed', { ResponseCode: 2, StandardErrorContent: 'no such user\n' }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Failed, exit code 2` },
    },
    {
      label: 'Failed as Undeliverable',
      result: invocation('Failed', { StatusDetails: 'Undeliverable', ResponseCode: -1 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Failed (Undeliverable)` },
    },
    {
      label: 'Failed as Terminated',
      result: invocation('Failed', { StatusDetails: 'Terminated', ResponseCode: -1 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Failed (Terminated)` },
    },
    {
      label: 'TimedOut before delivery',
      result: invocation('TimedOut', { StatusDetails: 'Delivery Timed Out', ResponseCode: -1 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended TimedOut (Delivery Timed Out)` },
    },
    {
      label: 'Cancelled',
      result: invocation('Cancelled', { StatusDetails: 'Canceled', ResponseCode: -1 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Cancelled (Canceled)` },
    },
    {
      label: 'Success with a non-zero exit code',
      result: invocation('Success', { ResponseCode: 3 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended Success, exit code 3` },
    },
    {
      label: 'no status at all',
      result: invocation('Success', { Status: undefined, StatusDetails: undefined, ResponseCode: -1 }),
      expected: { status: 'unknown', reason: `probe on ${NODE} ended without a status` },
    },
  ])('reports $expected.status for $label', async ({ result, expected }) => {
    // Prepare
    ssm.on(GetCommandInvocationCommand).resolves(result);

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual(expected);
  });

  it.each([
    {
      label: 'InvalidInstanceId (offline or unmanaged node)',
      err: new InvalidInstanceId({ $metadata: { httpStatusCode: 400 }, message: 'not in a valid state' }),
      reason: `node not reachable: ${NODE} is not online or not managed by SSM (InvalidInstanceId)`,
    },
    {
      label: 'AccessDeniedException',
      err: ssmError('AccessDeniedException', 400),
      reason: 'the auditor is not allowed ssm:SendCommand (AccessDeniedException)',
    },
    {
      label: 'UnsupportedPlatformType',
      err: new UnsupportedPlatformType({ $metadata: { httpStatusCode: 400 }, message: 'Windows' }),
      reason: `node ${NODE} cannot run AWS-RunShellScript (UnsupportedPlatformType)`,
    },
  ])('reports unknown without polling when SendCommand fails with $label', async ({ err, reason }) => {
    // Prepare
    ssm.on(SendCommandCommand).rejects(err);

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason });
    expect(ssm).not.toReceiveCommand(GetCommandInvocationCommand);
  });

  it.each([
    { label: 'ThrottlingException', err: ssmError('ThrottlingException', 400) },
    { label: 'InternalServerError', err: ssmError('InternalServerError', 500) },
    { label: 'InvalidDocument', err: ssmError('InvalidDocument', 400) },
  ])('throws AwsCallError when SendCommand fails with $label', async ({ err }) => {
    // Prepare
    ssm.on(SendCommandCommand).rejects(err);

    // Act
    const result = adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().presenceOf(NODE, 'alice', LOOKUP)).rejects.toMatchObject({
      operation: 'ssm:SendCommand',
      cause: err,
    });
  });

  it('throws AwsCallError when SendCommand returns no command id', async () => {
    // Prepare
    ssm.on(SendCommandCommand).resolves({ Command: {} });

    // Act
    const result = adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'AwsCallError', operation: 'ssm:SendCommand' });
    expect(ssm).not.toReceiveCommand(GetCommandInvocationCommand);
  });

  it.each([
    { label: 'ThrottlingException', err: ssmError('ThrottlingException', 400) },
    { label: 'InternalServerError', err: ssmError('InternalServerError', 500) },
  ])('throws AwsCallError when GetCommandInvocation fails with $label', async ({ err }) => {
    // Prepare
    ssm.on(GetCommandInvocationCommand).rejects(err);

    // Act
    const result = adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'ssm:GetCommandInvocation',
      cause: err,
    });
  });

  it('reports unknown when the auditor may not read the invocation', async () => {
    // Prepare
    ssm.on(GetCommandInvocationCommand).rejects(ssmError('AccessDeniedException', 400));

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({
      status: 'unknown',
      reason: 'the auditor is not allowed ssm:GetCommandInvocation (AccessDeniedException)',
    });
  });

  it('keeps polling through Pending, InProgress and Delayed, one interval apart', async () => {
    // Prepare
    const time = fakeTime();
    ssm
      .on(GetCommandInvocationCommand)
      .resolvesOnce(invocation('Pending'))
      .resolvesOnce(invocation('InProgress'))
      .resolvesOnce(invocation('Delayed', { ResponseCode: -1 }))
      .resolves(SUCCESS);

    // Act
    const presence = await adapter(time, { pollIntervalMs: 250 }).presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'present', source: SOURCE, account: ALICE });
    expect(ssm).toReceiveCommandTimes(GetCommandInvocationCommand, 4);
    expect(time.state.sleeps).toEqual([250, 250, 250, 250]);
    expect(ssm).toReceiveCommandTimes(SendCommandCommand, 1);
  });

  it('treats InvocationDoesNotExist right after SendCommand as not yet visible', async () => {
    // Prepare
    const notYet = new InvocationDoesNotExist({ $metadata: { httpStatusCode: 400 }, message: 'not yet' });
    ssm.on(GetCommandInvocationCommand).rejectsOnce(notYet).rejectsOnce(notYet).resolves(NO_SUCH_USER);

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'missing', source: SOURCE });
    expect(ssm).toReceiveCommandTimes(GetCommandInvocationCommand, 3);
  });

  it('gives up before the function would time out, after a bounded number of polls', async () => {
    // Prepare: 10 s left, 3 s reserve, 1 s interval → polls while more than 4 s remain.
    const time = fakeTime(10_000);
    ssm.on(GetCommandInvocationCommand).resolves(invocation('InProgress'));

    // Act
    const presence = await adapter(time).presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason: OUT_OF_TIME });
    expect(OUT_OF_TIME).toBe("probe did not finish within the function's remaining time");
    expect(ssm).toReceiveCommandTimes(GetCommandInvocationCommand, 6);
    expect(time.state.remainingMs).toBe(4_000);
  });

  it('sends no command when there is no time left to read its answer', async () => {
    // Prepare
    const time = fakeTime(4_000);

    // Act
    const presence = await adapter(time).presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason: OUT_OF_TIME });
    expect(ssm).not.toReceiveCommand(SendCommandCommand);
  });

  it('treats an unreadable remaining time as no time left', async () => {
    // Act
    const presence = await adapter(fakeTime(Number.NaN)).presenceOf(NODE, 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason: OUT_OF_TIME });
    expect(ssm).not.toReceiveCommand(SendCommandCommand);
  });

  it.each(['a;reboot', '$(id)', "a'b", '-rf', 'a'.repeat(257), '', ' alice', 'alice\nreboot', '`id`', 'a|b'])(
    'never sends a probe for the unsafe name %j',
    async (name) => {
      // Act
      const presence = await adapter().presenceOf(NODE, name, LOOKUP);

      // Assess
      expect(presence).toEqual({ status: 'unknown', reason: 'not a safe user name: not probed' });
      expect(ssm).not.toReceiveCommand(SendCommandCommand);
    },
  );

  it.each(['i-0123;reboot', 'ecs:cluster_task', '', 'I-0123456789ABCDEF0'])(
    'never sends a probe to the node id %j',
    async (nodeId) => {
      // Act
      const presence = await adapter().presenceOf(nodeId, 'alice', LOOKUP);

      // Assess
      expect(presence).toEqual({ status: 'unknown', reason: 'not a managed node id: not probed' });
      expect(ssm).not.toReceiveCommand(SendCommandCommand);
    },
  );

  it('probes hybrid managed nodes (mi-…)', async () => {
    // Prepare
    ssm.on(GetCommandInvocationCommand).resolves(SUCCESS);

    // Act
    const presence = await adapter().presenceOf('mi-0a1b2c3d4e5f60007', 'alice', LOOKUP);

    // Assess
    expect(presence).toEqual({ status: 'present', source: 'id on mi-0a1b2c3d4e5f60007', account: ALICE });
  });

  describe('cache (per node and user)', () => {
    it('reuses present and missing answers until the TTL expires', async () => {
      // Prepare
      const time = fakeTime();
      ssm
        .on(GetCommandInvocationCommand)
        .resolvesOnce(SUCCESS)
        .resolvesOnce(NO_SUCH_USER)
        .resolves(invocation('Failed', { ResponseCode: 1, StandardErrorContent: 'no such user' }));
      const users = adapter(time, { ttlMs: 1_000 });

      // Act
      const first = await users.presenceOf(NODE, 'alice', LOOKUP);
      const again = await users.presenceOf(NODE, 'alice', LOOKUP);
      const bob = await users.presenceOf(NODE, 'bob', LOOKUP);
      const bobAgain = await users.presenceOf(NODE, 'bob', LOOKUP);
      const beforeExpiry = sendCalls().length;
      time.state.now += 1_000;
      const afterExpiry = await users.presenceOf(NODE, 'alice', LOOKUP);

      // Assess
      expect([first, again]).toEqual([
        { status: 'present', source: SOURCE, account: ALICE },
        { status: 'present', source: SOURCE, account: ALICE },
      ]);
      expect([bob.status, bobAgain.status]).toEqual(['missing', 'missing']);
      expect(beforeExpiry).toBe(2);
      expect(afterExpiry.status).toBe('missing');
      expect(ssm).toReceiveCommandTimes(SendCommandCommand, 3);
    });

    it('shares one command between concurrent probes of the same node and user', async () => {
      // Prepare
      ssm.on(GetCommandInvocationCommand).resolvesOnce(invocation('Pending')).resolves(SUCCESS);
      const users = adapter();

      // Act
      const results = await Promise.all([
        users.presenceOf(NODE, 'alice', LOOKUP),
        users.presenceOf(NODE, 'alice', LOOKUP),
      ]);

      // Assess
      expect(results).toEqual([
        { status: 'present', source: SOURCE, account: ALICE },
        { status: 'present', source: SOURCE, account: ALICE },
      ]);
      expect(ssm).toReceiveCommandTimes(SendCommandCommand, 1);
    });

    it('does not reuse an answer that ran out of time, so a retry can succeed', async () => {
      // Prepare
      const time = fakeTime(5_000);
      ssm.on(GetCommandInvocationCommand).resolvesOnce(invocation('InProgress')).resolves(SUCCESS);
      const users = adapter(time);

      // Act
      const timedOut = await users.presenceOf(NODE, 'alice', LOOKUP);
      time.state.remainingMs = 60_000;
      const retried = await users.presenceOf(NODE, 'alice', LOOKUP);

      // Assess
      expect(timedOut).toEqual({ status: 'unknown', reason: OUT_OF_TIME });
      expect(retried).toEqual({ status: 'present', source: SOURCE, account: ALICE });
      expect(ssm).toReceiveCommandTimes(SendCommandCommand, 2);
    });

    it('does not reuse other unknown answers or thrown errors', async () => {
      // Prepare
      ssm
        .on(SendCommandCommand)
        .rejectsOnce(new InvalidInstanceId({ $metadata: { httpStatusCode: 400 }, message: 'offline' }))
        .rejectsOnce(ssmError('ThrottlingException', 400))
        .resolves({ Command: { CommandId: COMMAND_ID } });
      ssm.on(GetCommandInvocationCommand).resolves(SUCCESS);
      const users = adapter();

      // Act
      const offline = await users.presenceOf(NODE, 'alice', LOOKUP);
      await expect(users.presenceOf(NODE, 'alice', LOOKUP)).rejects.toBeInstanceOf(AwsCallError);
      const online = await users.presenceOf(NODE, 'alice', LOOKUP);

      // Assess
      expect(offline.status).toBe('unknown');
      expect(online).toEqual({ status: 'present', source: SOURCE, account: ALICE });
      expect(ssm).toReceiveCommandTimes(SendCommandCommand, 3);
    });
  });

  it.each([
    { label: 'pollIntervalMs 0', overrides: { pollIntervalMs: 0 } },
    { label: 'reserveMs -1', overrides: { reserveMs: -1 } },
    { label: 'ttlMs NaN', overrides: { ttlMs: Number.NaN } },
  ])('rejects $label at construction', ({ overrides }) => {
    // Act
    const build = () => adapter(fakeTime(), overrides);

    // Assess
    expect(build).toThrow(RangeError);
  });
});
