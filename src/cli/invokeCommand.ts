/** `invoke`: one function run once in a child process, as `sam local invoke` does, without Docker. */
import { eventsOfJson, readJsonFile } from '../local/tools/eventInput.ts';
import { InputFileError } from '../local/tools/inputError.ts';
import { optional, required } from './args.ts';
import { loadEnvVarsFile, loadWorldFile } from './inputs.ts';
import { checkWritable, emit } from './output.ts';
import type { Command } from './replayCommands.ts';

/** SAM passes the file as the payload; a raw CloudTrail record is wrapped as EventBridge would deliver it. */
const payloadOf = (file: string, json: unknown): unknown => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const record = json as Record<string, unknown>;
  if ('detail-type' in record || !('eventVersion' in record || 'Records' in record)) return json;
  const events = eventsOfJson(file, json);
  const [only] = events;
  if (only === undefined || events.length > 1)
    throw new InputFileError(file, `holds ${events.length} records; invoke takes one event`);
  return only.event;
};

const field = (event: unknown, key: string): string | undefined => {
  const value =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

export const invokeCommand: Command = {
  spec: {
    name: 'invoke',
    summary: 'run one function once, as `sam local invoke` does, without Docker',
    usage: '<LogicalId> -e EVENT.json [flags]',
    description: [
      'Reads template.yaml (Globals, Handler, Environment, Timeout, esbuild Metadata), bundles the function',
      "as `sam build` would and runs it in a child Node.js process with Lambda's environment and context.",
      "Prints the function's result on stdout and its logs on stderr; Lambda's error envelope",
      '({"errorType","errorMessage","trace"}) and exit status 1 when the function fails.',
    ],
    flags: [
      {
        name: 'event',
        short: 'e',
        value: 'EVENT.json',
        help: 'the event to invoke the function with (required)',
      },
      {
        name: 'env-vars',
        value: 'ENV.json',
        help: "SAM --env-vars file: variables the template's functions declare",
      },
      {
        name: 'world',
        value: 'W.json',
        help: 'serve this world on a local endpoint for the invocation (else the SDK goes where ENV.json says)',
      },
      { name: 'out', value: 'FILE', help: "write the function's result to FILE instead of stdout" },
    ],
    positionals: { min: 1, max: 1, name: 'a function <LogicalId> (e.g. AuditSessionFunction)' },
  },
  run: async (args) => {
    const [logicalId = ''] = args.positionals;
    const eventFile = required(args, 'event', 'EVENT.json');
    await checkWritable(optional(args, 'out'));
    const event = payloadOf(eventFile, await readJsonFile(eventFile));
    const envVars = await loadEnvVarsFile(optional(args, 'env-vars'));
    const worldFile = optional(args, 'world');
    const world = worldFile === undefined ? undefined : await loadWorldFile(worldFile);
    const { invokeFunction } = await import('../local/tools/invoke.ts');
    const { startLocalAws, localCredentials } = await import('../local/services/server.ts');
    const local = world === undefined ? undefined : await startLocalAws(world);
    try {
      const region = field(event, 'region');
      const account = field(event, 'account');
      const extraEnv =
        local === undefined
          ? undefined
          : {
              ...local.endpointEnv(),
              ...localCredentials,
              ...(region === undefined ? {} : { AWS_REGION: region, AWS_DEFAULT_REGION: region }),
            };
      const outcome = await invokeFunction({
        logicalId,
        event,
        ...(envVars === undefined ? {} : { envVars }),
        ...(extraEnv === undefined ? {} : { extraEnv }),
        ...(account === undefined ? {} : { accountId: account }),
      });
      process.stderr.write(outcome.logs);
      await emit(`${JSON.stringify(outcome.ok ? outcome.result : outcome.error)}\n`, optional(args, 'out'));
      return outcome.ok ? 0 : 1;
    } finally {
      await local?.close();
    }
  },
};
