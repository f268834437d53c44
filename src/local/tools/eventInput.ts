/**
 * Event files for replay: an EventBridge event, a raw CloudTrail record, or a CloudTrail log
 * file (`{"Records":[…]}` as CloudTrail writes it to S3, gzipped or not). Records are wrapped
 * in the envelope EventBridge delivers them in, so the template's rules see what they would see
 * on AWS. A file that is none of these is an InputFileError naming it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isCloudTrailRecord, wrapCloudTrailRecord } from '../../events/cloudTrailRecord.ts';
import { InputFileError } from './inputError.ts';

export interface ReplayEvent {
  /** The file name, with the record's index for a log file (`trail.json.gz[3]`). */
  readonly name: string;
  readonly event: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEventBridgeEvent = (value: unknown): value is Json =>
  isObject(value) && typeof value['detail-type'] === 'string' && typeof value.source === 'string';

const NOT_AN_EVENT =
  'is not an EventBridge event, a CloudTrail record or a CloudTrail log file ({"Records": [...]})';

/** The events one parsed file holds, in file order. */
export const eventsOfJson = (file: string, json: unknown): ReplayEvent[] => {
  const name = path.basename(file);
  if (isEventBridgeEvent(json)) return [{ name, event: json }];
  if (isCloudTrailRecord(json)) return [{ name, event: wrapCloudTrailRecord(json) }];
  if (isObject(json) && Array.isArray(json.Records)) {
    return json.Records.map((record, index) => {
      if (!isCloudTrailRecord(record))
        throw new InputFileError(file, 'is not a CloudTrail record', { path: `Records[${index}]` });
      return { name: `${name}[${index}]`, event: wrapCloudTrailRecord(record) };
    });
  }
  throw new InputFileError(file, NOT_AN_EVENT);
};

/** Reads a JSON file, gunzipping it first when it is gzip (by its magic bytes, whatever its name). */
export const readJsonFile = async (file: string): Promise<unknown> => {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const problem =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : 'cannot be read';
    throw new InputFileError(
      file,
      `${problem}${typeof code === 'string' && problem === 'cannot be read' ? ` (${code})` : ''}`,
      {
        cause,
      },
    );
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new InputFileError(file, 'is not a valid gzip file', { cause });
    }
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (cause) {
    throw new InputFileError(
      file,
      `is not JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      {
        cause,
      },
    );
  }
};

export const readEventFile = async (file: string): Promise<ReplayEvent[]> =>
  eventsOfJson(file, await readJsonFile(file));

/** The time an event happened: CloudTrail's eventTime, else the envelope's time. */
const eventTimeOf = (event: unknown): number => {
  if (!isObject(event)) return Number.NaN;
  const detail = isObject(event.detail) ? event.detail : {};
  const time = typeof detail.eventTime === 'string' ? detail.eventTime : event.time;
  return typeof time === 'string' ? Date.parse(time) : Number.NaN;
};

/** Events in the order they happened (ties and undated events keep their input order, undated last). */
export const sortByEventTime = (events: readonly ReplayEvent[]): ReplayEvent[] =>
  events
    .map((item, index) => ({ item, index, time: eventTimeOf(item.event) }))
    .sort((a, b) => {
      const [x, y] = [Number.isNaN(a.time), Number.isNaN(b.time)];
      if (x || y) return x === y ? a.index - b.index : x ? 1 : -1;
      return a.time - b.time || a.index - b.index;
    })
    .map(({ item }) => item);

/** Every event of every file, in the order given (files in order, records in file order). */
export const readEventFiles = async (files: readonly string[]): Promise<ReplayEvent[]> =>
  (await Promise.all(files.map(readEventFile))).flat();
