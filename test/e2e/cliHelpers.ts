/** Runs the real `runas-audit` command in a child process, as a user would. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './replayHelpers.ts';

export const BIN = path.join(ROOT, 'src/cli/runas-audit.mjs');
export const DEMO_WORLD = path.join(ROOT, 'src/local/world/demo-world.json');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a user's shell: no AWS settings, handler logs at their default. */
export const userEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  HOME: process.env.HOME ?? os.tmpdir(),
  ...extra,
});

/** `runas-audit ...args`, with the Node that runs the tests (the project's Node 22). */
export const cli = (
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly cwd?: string } = {},
): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: userEnv(options.env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** A fresh temporary folder, removed by the returned cleanup. */
export const tempDir = async (): Promise<{ readonly dir: string; readonly cleanup: () => Promise<void> }> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runas-audit-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

/** The lines of a stream's text, without the trailing empty one. */
export const linesOf = (text: string): string[] => text.split('\n').filter((line) => line !== '');
