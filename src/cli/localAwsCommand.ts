/**
 * `local-aws`: a world served on the local endpoint until the command is stopped. It stops on
 * SIGINT, SIGTERM and SIGHUP, and also when the process that started it goes away: `npm run`
 * and `npx` start it under a shell that dies on SIGTERM without passing the signal on, and a
 * killed npm leaves that shell behind; so the parent and its parent are both watched.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../local/tools/inputError.ts';
import { optional, required } from './args.ts';
import { loadWorldFile } from './inputs.ts';
import type { Command } from './replayCommands.ts';

const PARENT_CHECK_MS = 500;

const portOf = (raw: string | undefined): number => {
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new UsageError('', `--port must be a TCP port (0–65535), got ${JSON.stringify(raw)}`);
  return port;
};

/** The parent of process `pid` (Linux /proc); undefined where that cannot be read. */
const parentOf = (pid: number): number | undefined => {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
};

/** Resolves on the first stop signal, or when the process that started this one has exited. */
const stopped = (): Promise<string> =>
  new Promise((resolve) => {
    const parent = process.ppid;
    const grandparent = parentOf(parent);
    const timer = setInterval(() => {
      if (process.ppid !== parent || (grandparent !== undefined && !isAlive(grandparent)))
        finish('the process that started it exited');
    }, PARENT_CHECK_MS);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = (signal: NodeJS.Signals): void => finish(signal);
    function finish(reason: string): void {
      clearInterval(timer);
      for (const signal of signals) process.off(signal, onSignal);
      resolve(reason);
    }
    for (const signal of signals) process.on(signal, onSignal);
  });

export const localAwsCommand: Command = {
  spec: {
    name: 'local-aws',
    summary: 'serve a world on a local AWS endpoint (IAM, SSM, CloudTrail, Security Hub)',
    usage: '--world W.json [flags]',
    description: [
      'Serves the world over the real AWS wire protocols until stopped (Ctrl-C), and prints the',
      'environment variables that point the AWS SDKs and the AWS CLI at it. Any credentials work.',
    ],
    flags: [
      { name: 'world', value: 'W.json', help: 'the AWS state to serve (required)' },
      { name: 'port', value: 'N', help: 'TCP port; 0 picks a free one', default: '0' },
      {
        name: 'host',
        value: 'ADDRESS',
        help: 'address to listen on; 0.0.0.0 for containers (sam local invoke)',
        default: '127.0.0.1',
      },
    ],
  },
  run: async (args) => {
    const port = portOf(optional(args, 'port'));
    const world = await loadWorldFile(required(args, 'world', 'W.json'));
    const { startLocalAws } = await import('../local/services/server.ts');
    const host = optional(args, 'host') ?? '127.0.0.1';
    let local: Awaited<ReturnType<typeof startLocalAws>>;
    try {
      local = await startLocalAws(world, { port, host });
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === 'EADDRINUSE')
        throw new UsageError('', `port ${port} on ${host} is already in use`, { cause });
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
        throw new UsageError('', `--host ${host} is not an address of this machine`, { cause });
      throw cause;
    }
    const lines = [
      `# local AWS endpoint (IAM, SSM, CloudTrail, Security Hub) listening on ${local.host}:${local.port}`,
      ...Object.entries(local.endpointEnv()).map(([key, value]) => `export ${key}=${value}`),
      '# any credentials sign (nothing checks them): export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=local',
      `# AWS CLIs that ignore AWS_ENDPOINT_URL_*: aws --endpoint-url ${local.url} --region ${Object.keys(world.regions)[0] ?? 'us-east-1'} securityhub get-findings`,
      ...(local.host === '0.0.0.0' || local.host === '::'
        ? [
            `# from a container: http://host.docker.internal:${local.port} (Linux: --add-host host.docker.internal:172.17.0.1)`,
          ]
        : []),
      '# stop with Ctrl-C',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const reason = await stopped();
    await local.close();
    process.stderr.write(`local-aws: stopped (${reason})\n`);
    return 0;
  },
};
