import type { WorldNode } from '../world/world.ts';
import { invalidNextToken, regionState, type SsmOperation } from './ssmContext.ts';
import {
  AwsApiError,
  type CallContext,
  epochSeconds,
  isJsonObject,
  type JsonInput,
  paginate,
  stringList,
} from './wire.ts';

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

export const describeInstanceInformation: SsmOperation = (input, ctx) => {
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

export const listInventoryEntries: SsmOperation = (input, ctx) => {
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
