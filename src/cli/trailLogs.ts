/**
 * `--trail-logs`: StartSession records from CloudTrail log files, as a trail writes them to S3
 * (`AWSLogs/[<org id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`, each `{"Records":[…]}`),
 * from a folder (searched recursively; digest and Insights files are skipped) or a list of files.
 * Folders of Regions not asked for, and of days outside the window, are not read at all.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryRecord, TimeWindow } from '../app/historyPorts.ts';
import { isRecord } from '../domain/json.ts';
import { isCloudTrailRecord, isStartSessionRecord } from '../events/cloudTrailRecord.ts';
import { readJsonFile } from '../local/tools/eventInput.ts';
import { InputFileError } from '../local/tools/inputError.ts';

const LOG_FILE = /\.json(\.gz)?$/;
const SKIPPED_FOLDERS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);
/** `…/CloudTrail/<region>/YYYY/MM/DD/…` */
const LAYOUT = /(?:^|\/)CloudTrail\/([a-z0-9-]+)(?:\/(\d{4})(?:\/(\d{2})(?:\/(\d{2}))?)?)?(?:\/|$)/;
const DAY_MS = 86_400_000;

export interface TrailLogOptions {
  readonly window: TimeWindow;
  /** Regions to keep; all when empty. */
  readonly regions: readonly string[];
}

/** Whether a path of the S3 layout can hold records of the window and Regions (unknown layout: yes). */
const mayHold = (file: string, options: TrailLogOptions): boolean => {
  const match = LAYOUT.exec(file.split(path.sep).join('/'));
  if (match === null) return true;
  const [, region = '', year, month, day] = match;
  if (options.regions.length > 0 && !options.regions.includes(region)) return false;
  if (year === undefined) return true;
  // A file is delivered up to about 15 minutes after its records: a day's folder may end the day before.
  const start = Date.UTC(
    Number(year),
    month === undefined ? 0 : Number(month) - 1,
    day === undefined ? 1 : Number(day),
  );
  const end =
    day !== undefined
      ? start + DAY_MS
      : month !== undefined
        ? Date.UTC(Number(year), Number(month), 1)
        : Date.UTC(Number(year) + 1, 0, 1);
  return end + DAY_MS > Date.parse(options.window.from) && start - DAY_MS <= Date.parse(options.window.to);
};

const walk = async (folder: string, options: TrailLogOptions, into: string[]): Promise<void> => {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && mayHold(`${full}/`, options)) await walk(full, options, into);
    } else if (entry.isFile() && LOG_FILE.test(entry.name) && mayHold(full, options)) {
      into.push(full);
    }
  }
};

/** The log files the paths name: each file as given, each folder's log files in path order. */
export const trailLogFiles = async (
  paths: readonly string[],
  options: TrailLogOptions,
): Promise<string[]> => {
  const files: string[] = [];
  for (const given of paths) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(given)).isDirectory();
    } catch (cause) {
      throw new InputFileError(given, 'no such file or folder', { cause });
    }
    if (isFolder) await walk(given, options, files);
    else files.push(given);
  }
  return files;
};

const inWindow = (record: Record<string, unknown>, options: TrailLogOptions): boolean => {
  const time = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : Number.NaN;
  if (!(time >= Date.parse(options.window.from) && time <= Date.parse(options.window.to))) return false;
  return options.regions.length === 0 || options.regions.includes(String(record.awsRegion));
};

/** The StartSession records of one log file in the window and Regions. */
export const startSessionsOfFile = async (
  file: string,
  options: TrailLogOptions,
): Promise<HistoryRecord[]> => {
  const json = await readJsonFile(file);
  const records = isRecord(json) ? json.Records : undefined;
  if (!Array.isArray(records))
    throw new InputFileError(file, 'is not a CloudTrail log file ({"Records": [...]})');
  const name = path.basename(file);
  const found: HistoryRecord[] = [];
  for (const [index, record] of records.entries()) {
    if (isCloudTrailRecord(record) && isStartSessionRecord(record) && inWindow(record, options)) {
      found.push({ name: `${name}[${index}]`, record });
    }
  }
  return found;
};

/** Pages of StartSession records, one per file; `onFile` counts the files read. */
export async function* trailLogPages(
  files: readonly string[],
  options: TrailLogOptions,
  onFile?: (done: number) => void,
): AsyncGenerator<readonly HistoryRecord[]> {
  for (const [index, file] of files.entries()) {
    const page = await startSessionsOfFile(file, options);
    onFile?.(index + 1);
    yield page;
  }
}
