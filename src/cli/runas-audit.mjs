#!/usr/bin/env node
// The `runas-audit` command (package.json "bin"). It loads the TypeScript CLI through tsx's
// loader inside this process: no wrapper process, so signals reach the command itself.
// Started by an older Node than the project's (the machine's), it runs again under the pinned
// `node` devDependency, the Node 22 the tests and Lambda use, passing signals and exit status on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const projectNode = path.resolve(path.dirname(self), '../../node_modules/.bin/node');

if (Number(process.versions.node.split('.')[0]) < 22 && existsSync(projectNode)) {
  const child = spawn(projectNode, [self, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 128);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = await main(process.argv.slice(2));
}
