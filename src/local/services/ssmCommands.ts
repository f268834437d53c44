import { documentNameOf } from '../../domain/arn.ts';
import type { WorldNode, WorldNodeUser } from '../world/world.ts';
import type { CommandInvocationState, CommandOutcome } from '../world/worldState.ts';
import { regionState, type SsmOperation } from './ssmContext.ts';
import { AwsApiError, epochSeconds, stringList } from './wire.ts';

// Run Command: the user-existence probe, emulated by reading the command text only

/** `id -u -- 'X' && id -g -- 'X' && id -un -- 'X'`, the probe the command adapter sends. */
const PROBE = /^id -u -- ((?:'[^']*'|\\')+) && id -g -- \1 && id -un -- \1$/;

/** A shell word made only of '…' pieces and \' escapes (how the probe quotes the name). */
function singleQuotedWord(text: string): string | undefined {
  if (!text.startsWith("'")) return undefined;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return undefined;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (text.startsWith("\\'", i)) {
      out += "'";
      i += 2;
    } else {
      return undefined;
    }
  }
  return out;
}

/** The user a probe asks about, or undefined when the commands are anything else. */
export function probedUser(commands: readonly string[]): string | undefined {
  if (commands.length !== 1) return undefined;
  const word = PROBE.exec((commands[0] ?? '').trim())?.[1];
  return word === undefined ? undefined : singleQuotedWord(word);
}

/** The account `id` finds: by name, else (digits) by uid. */
function accountOf(users: readonly WorldNodeUser[], value: string): WorldNodeUser | undefined {
  return (
    users.find((u) => u.name === value) ??
    (/^\d+$/.test(value) ? users.find((u) => u.uid === Number(value)) : undefined)
  );
}

function probeOutcome(node: WorldNode, commands: readonly string[]): CommandOutcome {
  const user = probedUser(commands);
  if (user === undefined) {
    return {
      status: 'Failed',
      responseCode: 2,
      stderr:
        "local endpoint: only the probe id -u -- '<name>' && id -g … && id -un … is emulated; nothing was run\n",
    };
  }
  if (node.users === null) {
    return {
      status: 'Failed',
      responseCode: 2,
      stderr: `local endpoint: the world does not list the users of ${node.id}\n`,
    };
  }
  const account = accountOf(node.users, user);
  if (account === undefined)
    return { status: 'Failed', responseCode: 1, stderr: `id: ‘${user}’: no such user\n` };
  return { status: 'Success', stdout: `${account.uid}\n${account.gid}\n${account.name}\n` };
}

const RUN_SHELL_SCRIPT = 'AWS-RunShellScript';

export const sendCommand: SsmOperation = (input, ctx) => {
  const documentName = input.string('DocumentName');
  const name = documentNameOf(documentName);
  if (name !== RUN_SHELL_SCRIPT) {
    throw new AwsApiError(
      'InvalidDocument',
      `The local endpoint only emulates ${RUN_SHELL_SCRIPT}, not ${documentName}.`,
    );
  }
  if (input.raw('Targets') !== undefined) {
    throw new AwsApiError('InvalidParameters', 'The local endpoint supports InstanceIds, not Targets.');
  }
  const instanceIds = stringList(input.raw('InstanceIds') ?? [], 'InstanceIds');
  if (instanceIds.length === 0 || instanceIds.length > 50) input.fail('InstanceIds must list 1 to 50 nodes');
  const parameters = input.optionalObject('Parameters');
  const commands = parameters?.commands;
  if (!Array.isArray(commands) || commands.length === 0 || commands.some((c) => typeof c !== 'string')) {
    throw new AwsApiError('InvalidParameters', 'Parameters.commands must be a non-empty list of strings.');
  }
  const nodes = instanceIds.map((id) => {
    const node = regionState(ctx).nodes.get(id);
    if (node === undefined || node.pingStatus !== 'Online') {
      throw new AwsApiError(
        'InvalidInstanceId',
        `Instance ${id} is not in a valid state: it is not registered or not online.`,
      );
    }
    if (node.platform === 'Windows') {
      throw new AwsApiError(
        'UnsupportedPlatformType',
        `The document ${RUN_SHELL_SCRIPT} does not support the platform of ${id}.`,
      );
    }
    return node;
  });
  const commandId = ctx.world.nextCommandId();
  const comment = input.optionalString('Comment') ?? '';
  const invocations: CommandInvocationState[] = nodes.map((node) => ({
    commandId,
    instanceId: node.id,
    documentName: RUN_SHELL_SCRIPT,
    comment,
    commands: commands as string[],
    requestedAt: ctx.world.now,
    pendingPolls: ctx.faults.commandPending(ctx.region, node.id) ?? 0,
    polls: 0,
    outcome: probeOutcome(node, commands as string[]),
  }));
  regionState(ctx).commands.set(commandId, invocations);
  return {
    Command: {
      CommandId: commandId,
      DocumentName: RUN_SHELL_SCRIPT,
      DocumentVersion: '$DEFAULT',
      Comment: comment,
      Parameters: { commands },
      InstanceIds: instanceIds,
      RequestedDateTime: epochSeconds(ctx.world.now),
      Status: 'Pending',
      StatusDetails: 'Pending',
      MaxConcurrency: '50',
      MaxErrors: '0',
      TargetCount: instanceIds.length,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      TimeoutSeconds: input.int('TimeoutSeconds', 30, 2_592_000, 3600),
    },
  };
};

const COMMAND_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const getCommandInvocation: SsmOperation = (input, ctx) => {
  const commandId = input.string('CommandId');
  const instanceId = input.string('InstanceId');
  if (!COMMAND_ID.test(commandId))
    throw new AwsApiError('InvalidCommandId', `Command ID ${commandId} is not valid.`);
  const pluginName = input.optionalString('PluginName');
  if (pluginName !== undefined && pluginName !== 'aws:runShellScript') {
    throw new AwsApiError('InvalidPluginName', `Plugin ${pluginName} is not part of the command.`);
  }
  const invocation = regionState(ctx)
    .commands.get(commandId)
    ?.find((i) => i.instanceId === instanceId);
  if (invocation === undefined)
    throw new AwsApiError('InvocationDoesNotExist', 'The command invocation does not exist.');
  invocation.polls += 1;
  const base = {
    CommandId: commandId,
    InstanceId: instanceId,
    Comment: invocation.comment,
    DocumentName: invocation.documentName,
    DocumentVersion: '1',
    PluginName: 'aws:runShellScript',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
  };
  const pending = invocation.pendingPolls;
  if (pending === 'forever' || pending > 0) {
    if (pending !== 'forever') invocation.pendingPolls = pending - 1;
    const status = invocation.polls === 1 ? 'Pending' : 'InProgress';
    return {
      ...base,
      ResponseCode: -1,
      ExecutionStartDateTime: status === 'Pending' ? '' : invocation.requestedAt,
      ExecutionElapsedTime: '',
      ExecutionEndDateTime: '',
      Status: status,
      StatusDetails: status,
      StandardOutputContent: '',
      StandardErrorContent: '',
    };
  }
  const { outcome } = invocation;
  return {
    ...base,
    ResponseCode: outcome.status === 'Success' ? 0 : outcome.responseCode,
    ExecutionStartDateTime: invocation.requestedAt,
    ExecutionElapsedTime: 'PT0.01S',
    ExecutionEndDateTime: invocation.requestedAt,
    Status: outcome.status,
    StatusDetails: outcome.status,
    StandardOutputContent: outcome.status === 'Success' ? outcome.stdout : '',
    StandardErrorContent: outcome.status === 'Failed' ? outcome.stderr : '',
  };
};
