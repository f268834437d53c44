/**
 * CloudWatch Logs GetLogEvents over awsJson1_1 (`X-Amz-Target: Logs_20140328.GetLogEvents`),
 * served from the world's log groups of the caller's Region. Errors have CloudWatch Logs' codes
 * and messages: ResourceNotFoundException for a missing group or stream, AccessDeniedException
 * for an unreadable group, InvalidParameterException for a bad request. With a clock, an event
 * is visible once its time has come, and a stream once its first event is.
 */
import type { WorldLogEvent, WorldLogGroup } from '../world/worldLogs.ts';
import { AwsApiError, type CallContext, type JsonInput, type JsonObject } from './wire.ts';

export interface LogsState {
  logGroupsIn(region: string): readonly WorldLogGroup[];
}

export interface LogsCallContext extends Pick<CallContext, 'region' | 'requestId'> {
  readonly accountId: string;
  readonly partition: string;
  readonly logs: LogsState;
  /** The world's clock (epoch ms); absent: every event is visible. */
  readonly now?: number;
}

export type LogsOperation = (input: JsonInput, ctx: LogsCallContext) => JsonObject;

/** The target prefix the SDK sends; the operation name follows the dot. */
export const LOGS_TARGET_PREFIX = 'Logs_20140328.';

/** What the real SDK's JsonInput should fail with for a bad value. */
export const LOGS_VALIDATION_ERROR = 'InvalidParameterException';

const MAX_LIMIT = 10_000;
// The API's constraints, kept apart from the auditor's own copy: the emulator must not agree
// with the code it serves by construction.
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_STREAM_NAME = /^[^:*]{1,512}$/;
const TOKEN = /^([fb])\/(\d{1,10})$/;

const invalid = (message: string): AwsApiError => new AwsApiError('InvalidParameterException', message);

function groupArn(ctx: LogsCallContext, name: string): string {
  return `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
}

/** logGroupName or logGroupIdentifier (a name or this account's log group ARN), exactly one. */
function groupNameOf(input: JsonInput, ctx: LogsCallContext): string {
  const name = input.optionalString('logGroupName');
  const identifier = input.optionalString('logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (identifier === undefined) {
    if (name === undefined || name === '')
      throw invalid('Either logGroupName or logGroupIdentifier is required.');
    return name;
  }
  if (!identifier.startsWith('arn:')) return identifier;
  const prefix = groupArn(ctx, '');
  if (!identifier.startsWith(prefix)) {
    throw new AwsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
  }
  return identifier.slice(prefix.length);
}

function readGroup(name: string, ctx: LogsCallContext): WorldLogGroup {
  if (!LOG_GROUP_NAME.test(name)) {
    throw invalid(
      "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
  }
  const group = ctx.logs.logGroupsIn(ctx.region).find((candidate) => candidate.name === name);
  if (group === undefined)
    throw new AwsApiError('ResourceNotFoundException', 'The specified log group does not exist.');
  if (!group.readable) {
    throw new AwsApiError(
      'AccessDeniedException',
      group.kmsKeyId === undefined
        ? `The caller is not authorized to perform: logs:GetLogEvents on resource: ${groupArn(ctx, name)}`
        : `The specified KMS key does not exist or is not allowed to be used with Arn '${groupArn(ctx, name)}'`,
    );
  }
  return group;
}

function optionalLong(input: JsonInput, key: string): number | undefined {
  const value = input.raw(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(`${key} must be a non-negative number of milliseconds.`);
  }
  return value;
}

function optionalBoolean(input: JsonInput, key: string): boolean | undefined {
  const value = input.raw(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${key} must be true or false.`);
  return value;
}

/** The slice a request reads: forward tokens mark where the next page starts, backward ones where it ends. */
function pageBounds(
  count: number,
  limit: number,
  fromHead: boolean,
  token: string | undefined,
): { start: number; end: number } {
  if (token === undefined) {
    return fromHead
      ? { start: 0, end: Math.min(limit, count) }
      : { start: Math.max(0, count - limit), end: count };
  }
  const parsed = TOKEN.exec(token);
  const position = Number(parsed?.[2]);
  if (parsed === null || position > count) throw invalid('The specified nextToken is invalid.');
  return parsed[1] === 'f'
    ? { start: position, end: Math.min(position + limit, count) }
    : { start: Math.max(0, position - limit), end: position };
}

const getLogEvents: LogsOperation = (input, ctx) => {
  const group = readGroup(groupNameOf(input, ctx), ctx);
  const streamName = input.string('logStreamName');
  if (!LOG_STREAM_NAME.test(streamName)) {
    throw invalid(
      "1 validation error detected: Value at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
    );
  }
  const limit = input.int('limit', 1, MAX_LIMIT, MAX_LIMIT, 'InvalidParameterException');
  const fromHead = optionalBoolean(input, 'startFromHead') ?? false;
  optionalBoolean(input, 'unmask');
  const startTime = optionalLong(input, 'startTime');
  const endTime = optionalLong(input, 'endTime');
  const visible = (event: WorldLogEvent): boolean => ctx.now === undefined || event.timestamp <= ctx.now;

  const stream = group.streams.find((candidate) => candidate.name === streamName);
  const first = stream?.events[0];
  // A stream the agent has not created yet: it creates one just before its first event.
  if (stream === undefined || (first !== undefined && !visible(first))) {
    throw new AwsApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
  }
  const events = stream.events.filter(
    (event) =>
      visible(event) &&
      (startTime === undefined || event.timestamp >= startTime) &&
      (endTime === undefined || event.timestamp < endTime),
  );
  const { start, end } = pageBounds(events.length, limit, fromHead, input.optionalString('nextToken'));
  return {
    events: events.slice(start, end).map((event) => ({
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.timestamp,
    })),
    nextForwardToken: `f/${end}`,
    nextBackwardToken: `b/${start}`,
  };
};

const operations: Readonly<Record<string, LogsOperation>> = { GetLogEvents: getLogEvents };

export function logsOperation(name: string): LogsOperation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}
