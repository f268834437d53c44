/**
 * Systems Manager over awsJson1_1 (`X-Amz-Target: AmazonSSM.<Operation>`): documents, node
 * information, inventory, sessions, and a Run Command emulation of the user-existence probe
 * that parses the command text and never executes anything.
 */
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { documentNameOf, parseDocumentArn } from '../../domain/arn.ts';
import type { WorldNode, WorldNodeUser } from '../world/world.ts';
import type {
  CommandInvocationState,
  CommandOutcome,
  DocumentState,
  RegionState,
  SessionState,
} from '../world/worldState.ts';
import type { Faults } from './faults.ts';
import {
  AwsApiError,
  type CallContext,
  epochSeconds,
  isJsonObject,
  type JsonInput,
  type JsonObject,
  paginate,
  stringList,
} from './wire.ts';

export interface SsmContext extends CallContext {
  readonly faults: Faults;
}

type SsmOperation = (input: JsonInput, ctx: SsmContext) => JsonObject;

const invalidNextToken = (): AwsApiError =>
  new AwsApiError('InvalidNextToken', 'The specified token is not valid.');

function regionState(ctx: CallContext): RegionState {
  return ctx.world.region(ctx.region);
}

// ---------------------------------------------------------------------------------------------
// Documents

/** Resolves a name or `arn:<p>:ssm:<region>:<account>:document/<name>` in the caller's Region. */
function findDocument(ctx: CallContext, nameOrArn: string): DocumentState {
  let name = nameOrArn;
  const arn = parseDocumentArn(nameOrArn);
  if (arn !== undefined) {
    // Documents shared from other accounts or Regions are not part of the world.
    const ours =
      arn.partition === ctx.world.partition &&
      arn.region === ctx.region &&
      (arn.accountId === '' || arn.accountId === ctx.world.accountId);
    if (!ours) throw new AwsApiError('InvalidDocument', `Document with name ${nameOrArn} does not exist.`);
    name = arn.name;
  } else if (nameOrArn.startsWith('arn:')) {
    throw new AwsApiError('InvalidDocument', `Document with name ${nameOrArn} does not exist.`);
  }
  const doc = ctx.world.document(ctx.region, name);
  if (doc === undefined)
    throw new AwsApiError('InvalidDocument', `Document with name ${name} does not exist.`);
  return doc;
}

function resolveVersion(doc: DocumentState, requested: string | undefined): string {
  const version =
    requested === undefined || requested === '$DEFAULT'
      ? doc.defaultVersion
      : requested === '$LATEST'
        ? doc.latestVersion
        : requested;
  // Versions above $LATEST are ones replayed change events have not created yet: SSM has none.
  if (!doc.versions.has(version) || Number(version) > Number(doc.latestVersion)) {
    throw new AwsApiError(
      'InvalidDocumentVersion',
      `Document ${doc.name} does not have version ${requested ?? '$DEFAULT'}.`,
    );
  }
  return version;
}

function versionContent(doc: DocumentState, version: string): Readonly<Record<string, unknown>> {
  const content = doc.versions.get(version);
  if (content === undefined)
    throw new AwsApiError('InvalidDocumentVersion', `Document ${doc.name} does not have version ${version}.`);
  return content;
}

function renderContent(content: Readonly<Record<string, unknown>>, format: string): string {
  return format === 'YAML' ? toYaml(content) : JSON.stringify(content, null, 2);
}

function documentFormat(input: JsonInput): 'JSON' | 'YAML' {
  const format = input.optionalString('DocumentFormat') ?? 'JSON';
  if (format === 'JSON' || format === 'YAML') return format;
  if (format === 'TEXT')
    throw new AwsApiError('InvalidDocumentOperation', 'TEXT is only valid for text documents.');
  return input.fail(`DocumentFormat must be one of JSON, YAML, TEXT`);
}

function rejectVersionName(input: JsonInput): void {
  // The world has no version names; asking for one is asking for something that does not exist.
  const versionName = input.optionalString('VersionName');
  if (versionName !== undefined)
    throw new AwsApiError('InvalidDocumentVersion', `Version name ${versionName} does not exist.`);
}

const getDocument: SsmOperation = (input, ctx) => {
  const doc = findDocument(ctx, input.string('Name'));
  rejectVersionName(input);
  const version = resolveVersion(doc, input.optionalString('DocumentVersion'));
  const format = documentFormat(input);
  return {
    Name: doc.name,
    CreatedDate: epochSeconds(doc.createdDate),
    DocumentVersion: version,
    Status: 'Active',
    Content: renderContent(versionContent(doc, version), format),
    DocumentType: doc.documentType,
    DocumentFormat: format,
  };
};

function documentParameters(content: Readonly<Record<string, unknown>>): JsonObject[] {
  const parameters = content.parameters;
  if (!isJsonObject(parameters)) return [];
  return Object.entries(parameters).map(([name, definition]) => {
    const d = isJsonObject(definition) ? definition : {};
    const fallback = d.default;
    return {
      Name: name,
      Type: typeof d.type === 'string' ? d.type : 'String',
      ...(typeof d.description === 'string' ? { Description: d.description } : {}),
      ...(fallback === undefined
        ? {}
        : { DefaultValue: typeof fallback === 'string' ? fallback : JSON.stringify(fallback) }),
    };
  });
}

const describeDocument: SsmOperation = (input, ctx) => {
  const doc = findDocument(ctx, input.string('Name'));
  rejectVersionName(input);
  const version = resolveVersion(doc, input.optionalString('DocumentVersion'));
  const content = versionContent(doc, version);
  const text = renderContent(content, 'JSON');
  return {
    Document: {
      Hash: createHash('sha256').update(text).digest('hex'),
      HashType: 'Sha256',
      Name: doc.name,
      Owner: doc.owner,
      CreatedDate: epochSeconds(doc.createdDate),
      Status: 'Active',
      DocumentVersion: version,
      Parameters: documentParameters(content),
      PlatformTypes: doc.documentType === 'Session' ? ['Windows', 'Linux', 'MacOS'] : ['Linux', 'MacOS'],
      DocumentType: doc.documentType,
      ...(typeof content.schemaVersion === 'string' ? { SchemaVersion: content.schemaVersion } : {}),
      LatestVersion: doc.latestVersion,
      DefaultVersion: doc.defaultVersion,
      DocumentFormat: 'JSON',
      Tags: [],
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Managed nodes and inventory

const PLATFORM_NAMES: Readonly<Record<WorldNode['platform'], { name: string; version: string }>> = {
  Linux: { name: 'Amazon Linux', version: '2023' },
  MacOS: { name: 'macOS', version: '14.5' },
  Windows: { name: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348' },
};

type NodeFilter = { key: string; values: string[] };

function nodeFilters(input: JsonInput): NodeFilter[] {
  const list = input.optionalArray('InstanceInformationFilterList');
  const strings = input.optionalArray('Filters');
  if (list !== undefined && strings !== undefined) {
    throw new AwsApiError('InvalidFilter', 'Use InstanceInformationFilterList or Filters, not both.');
  }
  const read = (item: unknown, keyName: string, valuesName: string): NodeFilter => {
    if (!isJsonObject(item) || typeof item[keyName] !== 'string')
      input.fail(`each filter needs a ${keyName}`);
    const values = stringList(item[valuesName], `filter ${valuesName}`);
    if (values.length === 0)
      throw new AwsApiError('InvalidInstanceInformationFilterValue', 'Filter values must not be empty.');
    return { key: item[keyName] as string, values };
  };
  return list !== undefined
    ? list.map((item) => read(item, 'key', 'valueSet'))
    : (strings ?? []).map((item) => read(item, 'Key', 'Values'));
}

function nodeMatches(node: WorldNode, filter: NodeFilter): boolean {
  switch (filter.key) {
    case 'InstanceIds':
      return filter.values.includes(node.id);
    case 'PlatformTypes':
      return filter.values.includes(node.platform);
    case 'PingStatus':
      return filter.values.includes(node.pingStatus);
    case 'ResourceType':
      return filter.values.includes(resourceType(node));
    default:
      throw new AwsApiError(
        'InvalidFilterKey',
        `The filter key ${filter.key} is not supported by the local endpoint.`,
      );
  }
}

const resourceType = (node: WorldNode): string =>
  node.id.startsWith('mi-') ? 'ManagedInstance' : 'EC2Instance';

const describeInstanceInformation: SsmOperation = (input, ctx) => {
  const filters = nodeFilters(input);
  const pageSize = input.int('MaxResults', 5, 50, 50);
  const nodes = [...regionState(ctx).nodes.values()].filter((node) =>
    filters.every((f) => nodeMatches(node, f)),
  );
  const scope = JSON.stringify(filters);
  const { items, nextToken } = paginate(
    nodes,
    input.optionalString('NextToken'),
    pageSize,
    scope,
    invalidNextToken,
  );
  return {
    InstanceInformationList: items.map((node) => ({
      InstanceId: node.id,
      PingStatus: node.pingStatus,
      LastPingDateTime: epochSeconds(ctx.world.now),
      AgentVersion: '3.3.987.0',
      IsLatestVersion: true,
      PlatformType: node.platform,
      PlatformName: PLATFORM_NAMES[node.platform].name,
      PlatformVersion: PLATFORM_NAMES[node.platform].version,
      ResourceType: resourceType(node),
      ComputerName: `${node.id}.local`,
    })),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
};

function findNode(ctx: CallContext, id: string): WorldNode {
  const node = regionState(ctx).nodes.get(id);
  if (node === undefined)
    throw new AwsApiError('InvalidInstanceId', `Instance Id ${id} is not a managed node in ${ctx.region}.`);
  return node;
}

type EntryFilter = { key: string; values: string[]; type: string };

function entryFilters(input: JsonInput): EntryFilter[] {
  return (input.optionalArray('Filters') ?? []).map((item) => {
    if (!isJsonObject(item) || typeof item.Key !== 'string') return input.fail('each filter needs a Key');
    const type = typeof item.Type === 'string' ? item.Type : 'Equal';
    return { key: item.Key, values: stringList(item.Values, 'filter Values'), type };
  });
}

function entryMatches(entry: Readonly<Record<string, string>>, filter: EntryFilter): boolean {
  const attribute = filter.key.replace(/^.*\./, '');
  const value = Object.hasOwn(entry, attribute) ? entry[attribute] : undefined;
  if (value === undefined) return false;
  switch (filter.type) {
    case 'Equal':
      return filter.values.includes(value);
    case 'NotEqual':
      return !filter.values.includes(value);
    case 'BeginWith':
      return filter.values.some((prefix) => value.startsWith(prefix));
    default:
      throw new AwsApiError(
        'InvalidFilter',
        `Filter type ${filter.type} is not supported for string attributes.`,
      );
  }
}

const listInventoryEntries: SsmOperation = (input, ctx) => {
  const node = findNode(ctx, input.string('InstanceId'));
  const typeName = input.string('TypeName');
  if (!/^(AWS|Custom):[\w.-]{1,90}$/.test(typeName)) {
    throw new AwsApiError('InvalidTypeNameException', `The type name ${typeName} is not valid.`);
  }
  const pageSize = input.int('MaxResults', 1, 50, 50);
  const filters = entryFilters(input);
  const base = { TypeName: typeName, InstanceId: node.id };
  // Only the world's user-listing type has data, and only for nodes whose users are known.
  if (typeName !== ctx.world.inventoryTypeName || node.users === null) return { ...base, Entries: [] };
  const entries = node.users
    .map((user) => ({ Name: user.name, Uid: String(user.uid), Gid: String(user.gid) }))
    .filter((entry) => filters.every((f) => entryMatches(entry, f)));
  const scope = `${node.id}:${typeName}:${JSON.stringify(filters)}`;
  const { items, nextToken } = paginate(
    entries,
    input.optionalString('NextToken'),
    pageSize,
    scope,
    invalidNextToken,
  );
  return {
    ...base,
    SchemaVersion: '1.0',
    CaptureTime: ctx.world.inventoryTimeOf(node),
    Entries: items,
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
};

// ---------------------------------------------------------------------------------------------
// Sessions

const HISTORY_STATUSES: ReadonlySet<string> = new Set(['Terminated', 'Failed']);

function sessionMatches(session: SessionState, key: string, value: string): boolean {
  switch (key) {
    case 'Target':
      return session.target === value;
    case 'Owner':
      return session.owner === value;
    case 'Status':
      return session.status === value;
    case 'SessionId':
      return session.sessionId === value;
    case 'InvokedAfter':
      return Date.parse(session.startDate) >= Date.parse(value);
    case 'InvokedBefore':
      return Date.parse(session.startDate) <= Date.parse(value);
    default:
      throw new AwsApiError('InvalidFilterKey', `The filter key ${key} is not valid.`);
  }
}

const describeSessions: SsmOperation = (input, ctx) => {
  const state = input.string('State');
  if (state !== 'Active' && state !== 'History') input.fail('State must be Active or History');
  const pageSize = input.int('MaxResults', 1, 200, 20);
  const filters = (input.optionalArray('Filters') ?? []).map((item) => {
    if (!isJsonObject(item) || typeof item.key !== 'string' || typeof item.value !== 'string') {
      return input.fail('each filter needs a key and a value');
    }
    return { key: item.key, value: item.value };
  });
  const sessions = regionState(ctx).sessions.filter(
    (s) =>
      HISTORY_STATUSES.has(s.status) === (state === 'History') &&
      filters.every((f) => sessionMatches(s, f.key, f.value)),
  );
  const scope = `${state}:${JSON.stringify(filters)}`;
  const { items, nextToken } = paginate(
    sessions,
    input.optionalString('NextToken'),
    pageSize,
    scope,
    invalidNextToken,
  );
  return {
    Sessions: items.map((s) => ({
      SessionId: s.sessionId,
      Target: s.target,
      Status: s.status,
      StartDate: epochSeconds(s.startDate),
      ...(s.endDate === undefined ? {} : { EndDate: epochSeconds(s.endDate) }),
      ...(s.documentName === undefined ? {} : { DocumentName: s.documentName }),
      Owner: s.owner,
    })),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
};

const terminateSession: SsmOperation = (input, ctx) => {
  const sessionId = input.string('SessionId');
  const session = regionState(ctx).sessions.find((s) => s.sessionId === sessionId);
  if (session === undefined)
    throw new AwsApiError('DoesNotExistException', `Session ${sessionId} does not exist.`);
  if (!HISTORY_STATUSES.has(session.status)) {
    session.status = 'Terminated';
    session.endDate = ctx.world.now;
  }
  return { SessionId: sessionId };
};

// ---------------------------------------------------------------------------------------------
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

const sendCommand: SsmOperation = (input, ctx) => {
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

const getCommandInvocation: SsmOperation = (input, ctx) => {
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

const operations: Readonly<Record<string, SsmOperation>> = {
  GetDocument: getDocument,
  DescribeDocument: describeDocument,
  DescribeInstanceInformation: describeInstanceInformation,
  ListInventoryEntries: listInventoryEntries,
  DescribeSessions: describeSessions,
  TerminateSession: terminateSession,
  SendCommand: sendCommand,
  GetCommandInvocation: getCommandInvocation,
};

export function ssmOperation(name: string): SsmOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}
