/**
 * runas-audit: replay, demo, invoke, local-aws, bench. Each is also an npm script
 * (`npm run replay -- …`). Exit code 0 on success, 1 when a handler or invocation failed,
 * 2 on bad usage.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ReplayResult, readEventFiles, replay } from './local/replay.ts';
import { formatTable } from './local/report.ts';
import type { SamEnvVars } from './local/template.ts';
import { loadWorld } from './local/world.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEMO_WORLD = path.join(ROOT, 'src/local/demo-world.json');
const EVENTS_DIR = path.join(ROOT, 'events');

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE = `usage:
  runas-audit demo
  runas-audit replay --world W.json [--env-vars ENV.json] [--format table|json] EVENT.json...
  runas-audit invoke <LogicalId> -e EVENT.json [--env-vars ENV.json] [--world W.json]
  runas-audit local-aws --world W.json [--port N] [--host ADDRESS]
  runas-audit bench [--events N] [--principals N] [--nodes N] [--documents N] [--latency-ms N] [--out FILE]`;

const readJson = async (file: string, what: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`${what} ${file} cannot be read`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UsageError(`${what} ${file} is not JSON`, { cause });
  }
};

/** The bundled EventBridge events, in event-time order (as they would have been delivered). */
const bundledEventFiles = async (): Promise<string[]> => {
  const names = (await readdir(EVENTS_DIR)).filter((name) => name.endsWith('.json'));
  const events = await Promise.all(
    names.map(async (name) => ({
      file: path.join(EVENTS_DIR, name),
      json: await readJson(path.join(EVENTS_DIR, name), 'event'),
    })),
  );
  return events
    .filter(({ json }) => typeof json === 'object' && json !== null && 'detail-type' in json)
    .sort((a, b) =>
      String((a.json as { time?: unknown }).time).localeCompare(String((b.json as { time?: unknown }).time)),
    )
    .map(({ file }) => file);
};

const failed = (result: ReplayResult): boolean =>
  result.evaluations.some((evaluation) => evaluation.runs.some((run) => run.error !== undefined));

const print = (result: ReplayResult, format: string): void => {
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ evaluations: result.evaluations, findings: result.findings }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(formatTable(result));
  }
};

const commands: Record<string, (args: string[]) => Promise<number>> = {
  demo: async () => {
    const world = await loadWorld(DEMO_WORLD);
    const events = await readEventFiles(await bundledEventFiles());
    const result = await replay({ world, events });
    print(result, 'table');
    return failed(result) ? 1 : 0;
  },

  replay: async (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        world: { type: 'string' },
        'env-vars': { type: 'string' },
        format: { type: 'string', default: 'table' },
      },
    });
    if (values.world === undefined) throw new UsageError('replay needs --world W.json');
    if (positionals.length === 0) throw new UsageError('replay needs at least one EVENT.json');
    if (values.format !== 'table' && values.format !== 'json')
      throw new UsageError('--format must be table or json');
    const world = await loadWorld(values.world);
    const envVars =
      values['env-vars'] === undefined
        ? undefined
        : ((await readJson(values['env-vars'], 'env-vars')) as SamEnvVars);
    const events = await readEventFiles(positionals);
    const result = await replay({ world, events, ...(envVars === undefined ? {} : { envVars }) });
    print(result, values.format);
    return failed(result) ? 1 : 0;
  },

  invoke: async (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        event: { type: 'string', short: 'e' },
        'env-vars': { type: 'string' },
        world: { type: 'string' },
      },
    });
    const logicalId = positionals[0];
    if (logicalId === undefined || values.event === undefined)
      throw new UsageError('invoke needs <LogicalId> -e EVENT.json');
    const { invokeFunction } = await import('./local/invoke.ts');
    const event = await readJson(values.event, 'event');
    const envVars =
      values['env-vars'] === undefined
        ? undefined
        : ((await readJson(values['env-vars'], 'env-vars')) as SamEnvVars);
    // --world: serve that world on a local endpoint for the invocation (no AWS account needed).
    const local =
      values.world === undefined
        ? undefined
        : await (await import('./local/server.ts')).startLocalAws(await loadWorld(values.world));
    try {
      const { region, account } = event as { region?: unknown; account?: unknown };
      const extraEnv =
        local === undefined
          ? undefined
          : {
              ...local.endpointEnv(),
              AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
              AWS_SECRET_ACCESS_KEY: 'local-invoke-not-a-secret',
              ...(typeof region === 'string' ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}),
            };
      const outcome = await invokeFunction({
        logicalId,
        event,
        ...(envVars === undefined ? {} : { envVars }),
        ...(extraEnv === undefined ? {} : { extraEnv }),
        ...(typeof account === 'string' ? { accountId: account } : {}),
      });
      process.stderr.write(outcome.logs);
      process.stdout.write(`${JSON.stringify(outcome.ok ? outcome.result : outcome.error)}\n`);
      return outcome.ok ? 0 : 1;
    } finally {
      await local?.close();
    }
  },

  'local-aws': async (args) => {
    const { values } = parseArgs({
      args,
      options: {
        world: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
      },
    });
    if (values.world === undefined) throw new UsageError('local-aws needs --world W.json');
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port must be a TCP port number');
    const { startLocalAws } = await import('./local/server.ts');
    const local = await startLocalAws(await loadWorld(values.world), { port, host: values.host });
    for (const [key, value] of Object.entries(local.endpointEnv())) console.log(`export ${key}=${value}`);
    console.log('# serving until Ctrl-C');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await local.close();
    return 0;
  },

  bench: async (args) => {
    const { runBenchmark } = await import('./local/bench.ts');
    return runBenchmark(args);
  },
};

const main = async (): Promise<number> => {
  const [name, ...args] = process.argv.slice(2);
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    const parseError =
      error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (
      error instanceof UsageError ||
      parseError ||
      (error instanceof Error && error.name === 'WorldError')
    ) {
      console.error(`runas-audit ${name}: ${error.message}`);
      if (error instanceof UsageError || parseError) console.error(USAGE);
      return 2;
    }
    throw error;
  }
};

process.exitCode = await main();
