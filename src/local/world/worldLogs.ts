/**
 * The world's CloudWatch Logs: per Region, log groups with streams of events, as the local
 * endpoint serves them to GetLogEvents. A group with `readable: false` answers AccessDenied (with
 * `kmsKeyId`, the error CloudWatch Logs gives for a key it may not use). Event times are ISO times;
 * a message may be written as a JSON object, stored as its JSON text (the agent's records read
 * better that way). Every error names the JSON path of the offending value.
 */
import { z } from 'zod';
import { InputError } from '../tools/inputError.ts';
import { closed, flag, isoTime, list, parseInput, text, uniqueBy } from './inputSchema.ts';

export interface WorldLogEvent {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
}

export interface WorldLogStream {
  readonly name: string;
  /** Oldest first, as GetLogEvents returns them. */
  readonly events: readonly WorldLogEvent[];
}

export interface WorldLogGroup {
  readonly name: string;
  readonly kmsKeyId?: string;
  /** false: the caller may not read it (with kmsKeyId: the key is not usable). */
  readonly readable: boolean;
  readonly streams: readonly WorldLogStream[];
}

/** A log group of the world is malformed; `path` names the offending value. */
export class LogGroupsError extends InputError {
  override readonly name = 'LogGroupsError';
}

// CloudWatch Logs' own rules, kept apart from the auditor's copy on purpose (see services/logs.ts).
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_STREAM_NAME = /^[^:*]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;
/** CloudWatch Logs' limit for one event (UTF-8 bytes of the message). */
const MAX_EVENT_BYTES = 1024 * 1024;

const MESSAGE_RULE = 'expected a string or a JSON object';

const eventSchema = closed({
  timestamp: isoTime()
    .transform((time) => Date.parse(time))
    .refine((time) => time >= 0, { error: 'expected a time after 1970-01-01' }),
  message: z
    .union([z.string(), z.record(z.string(), z.unknown())], { error: MESSAGE_RULE })
    .transform((message) => (typeof message === 'string' ? message : JSON.stringify(message)))
    .refine((message) => message !== '', { error: 'expected at least one character' })
    .refine((message) => Buffer.byteLength(message, 'utf8') <= MAX_EVENT_BYTES, {
      error: 'longer than the 1 MB CloudWatch Logs accepts for one event',
    }),
});

const streamSchema = closed({
  name: text('a log stream name (1–512 characters, no ":" or "*")', LOG_STREAM_NAME),
  // Sorting is stable: events with one timestamp keep the order written.
  events: list(eventSchema)
    .default([])
    .transform((events) => [...events].sort((a, b) => a.timestamp - b.timestamp)),
});

const named = (index: number) => [index, 'name'];

const groupSchema = closed({
  name: text('a log group name (1–512 of a-z A-Z 0-9 . - _ / #)', LOG_GROUP_NAME),
  kmsKeyId: text('a KMS key ARN', KMS_KEY_ARN).exactOptional(),
  readable: flag().default(true),
  streams: list(streamSchema)
    .default([])
    .superRefine(uniqueBy((stream) => stream.name, 'log stream', named)),
});

/** `regions.<Region>.logGroups` of a world. */
export const logGroupsSchema = list(groupSchema).superRefine(
  uniqueBy((group) => group.name, 'log group', named),
);

/** Parses `regions.<Region>.logGroups`; `path` is where it sits in the world file. */
export function parseLogGroups(value: unknown, path: string): WorldLogGroup[] {
  return parseInput(logGroupsSchema, value, path, (at, problem) => new LogGroupsError(at, problem));
}
