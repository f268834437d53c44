/**
 * The world's CloudWatch Logs: per Region, log groups with streams of events, as the local
 * endpoint serves them to GetLogEvents. A group with `readable: false` answers AccessDenied (with
 * `kmsKeyId`, the error CloudWatch Logs gives for a key it may not use). Event times are ISO times;
 * a message may be written as a JSON object, stored as its JSON text (the agent's records read
 * better that way). Every error names the JSON path of the offending value.
 */

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

export class LogGroupsError extends Error {
  override readonly name = 'LogGroupsError';
  /** JSON path of the offending value, e.g. `regions.us-east-1.logGroups[0].streams[1].name`. */
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.path = path;
  }
}

// CloudWatch Logs' own rules, kept apart from the auditor's copy on purpose (see services/logs.ts).
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_STREAM_NAME = /^[^:*]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;
/** CloudWatch Logs' limit for one event (UTF-8 bytes of the message). */
const MAX_EVENT_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function object(value: unknown, path: string, keys: readonly string[]): Json {
  if (!isJson(value)) throw new LogGroupsError(path, 'expected an object');
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      throw new LogGroupsError(`${path}.${key}`, `unknown key (allowed: ${keys.join(', ')})`);
  }
  return value;
}

function list(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new LogGroupsError(path, 'expected an array');
  return value;
}

function named(value: unknown, path: string, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new LogGroupsError(path, `expected ${rule}`);
  return value;
}

function unique(names: readonly string[], path: string, what: string): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name))
      throw new LogGroupsError(`${path}[${index}].name`, `duplicate ${what} ${JSON.stringify(name)}`);
    seen.add(name);
  });
}

function parseEvent(raw: unknown, at: string): WorldLogEvent {
  const o = object(raw, at, ['timestamp', 'message']);
  const time =
    typeof o.timestamp === 'string' && ISO_TIME.test(o.timestamp) ? Date.parse(o.timestamp) : Number.NaN;
  if (Number.isNaN(time))
    throw new LogGroupsError(`${at}.timestamp`, 'expected an ISO time like "2026-01-01T00:00:00Z"');
  if (time < 0) throw new LogGroupsError(`${at}.timestamp`, 'expected a time after 1970-01-01');
  let message: string;
  if (typeof o.message === 'string') message = o.message;
  else if (isJson(o.message)) message = JSON.stringify(o.message);
  else throw new LogGroupsError(`${at}.message`, 'expected a string or a JSON object');
  if (message === '') throw new LogGroupsError(`${at}.message`, 'expected at least one character');
  if (Buffer.byteLength(message, 'utf8') > MAX_EVENT_BYTES) {
    throw new LogGroupsError(`${at}.message`, 'longer than the 1 MB CloudWatch Logs accepts for one event');
  }
  return { timestamp: time, message };
}

function parseStream(raw: unknown, at: string): WorldLogStream {
  const o = object(raw, at, ['name', 'events']);
  const name = named(
    o.name,
    `${at}.name`,
    LOG_STREAM_NAME,
    'a log stream name (1–512 characters, no ":" or "*")',
  );
  const events = o.events === undefined ? [] : list(o.events, `${at}.events`);
  const parsed = events.map((event, index) => parseEvent(event, `${at}.events[${index}]`));
  // Sorting is stable: events with one timestamp keep the order written.
  return { name, events: parsed.sort((a, b) => a.timestamp - b.timestamp) };
}

function parseGroup(raw: unknown, at: string): WorldLogGroup {
  const o = object(raw, at, ['name', 'kmsKeyId', 'readable', 'streams']);
  const name = named(
    o.name,
    `${at}.name`,
    LOG_GROUP_NAME,
    'a log group name (1–512 of a-z A-Z 0-9 . - _ / #)',
  );
  const kmsKeyId =
    o.kmsKeyId === undefined ? undefined : named(o.kmsKeyId, `${at}.kmsKeyId`, KMS_KEY_ARN, 'a KMS key ARN');
  if (o.readable !== undefined && typeof o.readable !== 'boolean') {
    throw new LogGroupsError(`${at}.readable`, 'expected true | false');
  }
  const streams = (o.streams === undefined ? [] : list(o.streams, `${at}.streams`)).map((stream, index) =>
    parseStream(stream, `${at}.streams[${index}]`),
  );
  unique(
    streams.map((stream) => stream.name),
    `${at}.streams`,
    'log stream',
  );
  return {
    name,
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
    readable: o.readable !== false,
    streams,
  };
}

/** Parses `regions.<Region>.logGroups`; `path` is where it sits in the world file. */
export function parseLogGroups(value: unknown, path: string): WorldLogGroup[] {
  const groups = list(value, path).map((group, index) => parseGroup(group, `${path}[${index}]`));
  unique(
    groups.map((group) => group.name),
    path,
    'log group',
  );
  return groups;
}
