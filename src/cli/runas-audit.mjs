#!/usr/bin/env node
// The `runas-audit` command (package.json "bin"). It loads the TypeScript CLI through tsx's
// loader inside this process: there is no wrapper process, so signals reach the command itself.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await main(process.argv.slice(2));
