/**
 * Where a command's result goes. The result (a table or one JSON document) is the only thing
 * written to stdout, or to `--out FILE`; while the command runs, anything else that writes to
 * stdout (handler logs when POWERTOOLS_LOG_LEVEL is set) is sent to stderr instead, so
 * `runas-audit replay --format json | jq` always parses.
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputFileError } from '../local/tools/inputError.ts';

const realStdoutWrite = process.stdout.write.bind(process.stdout);

/** Runs `work` with process.stdout writes going to stderr. */
export const withStdoutOnStderr = async <T>(work: () => Promise<T>): Promise<T> => {
  const original = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = original;
  }
};

/** Writes the command's result to `file`, or to the real stdout. */
export const emit = async (text: string, file: string | undefined): Promise<void> => {
  if (file === undefined) {
    await new Promise<void>((resolve, reject) =>
      realStdoutWrite(text, (error) => (error ? reject(error) : resolve())),
    );
    return;
  }
  try {
    await writeFile(file, text, 'utf8');
  } catch (cause) {
    throw new InputFileError(file, `cannot be written (${(cause as { code?: string }).code ?? 'error'})`, {
      cause,
    });
  }
};

/** Fails before the work when `--out FILE` could not be written (its folder is missing or read-only). */
export const checkWritable = async (file: string | undefined): Promise<void> => {
  if (file === undefined) return;
  try {
    await access(path.dirname(path.resolve(file)), constants.W_OK);
  } catch (cause) {
    throw new InputFileError(file, 'cannot be written: its folder does not exist or is not writable', {
      cause,
    });
  }
};
