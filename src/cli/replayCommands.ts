/** `demo` and `replay`: events routed to the template's functions, run against a local endpoint. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isRegion } from '../domain/identifiers.ts';
import { type ReplayEvent, readEventFiles, sortByEventTime } from '../local/tools/eventInput.ts';
import { UsageError } from '../local/tools/inputError.ts';
import { type ReplayResult, replay } from '../local/tools/replay.ts';
import { formatTable } from '../local/tools/report.ts';
import { type CommandSpec, type FlagSpec, optional, type ParsedArgs, required } from './args.ts';
import { demoAudit } from './auditCommand.ts';
import { loadEnvVarsFile, loadWorldFile } from './inputs.ts';
import { checkWritable, emit, withStdoutOnStderr } from './output.ts';
import { DEMO_WORLD, EVENTS_DIR } from './paths.ts';

export interface Command {
  readonly spec: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** 1 when an event was rejected or a function failed on it: the rest ran all the same. */
const exitCodeOf = (result: ReplayResult): number =>
  result.evaluations.some((e) => e.rejected !== undefined || e.runs.some((run) => run.error !== undefined))
    ? 1
    : 0;

const render = (result: ReplayResult, format: string): string =>
  format === 'json'
    ? `${JSON.stringify(
        {
          evaluations: result.evaluations,
          findings: result.findings,
          calls: result.calls,
          throttled: result.throttled,
          deadLetters: result.deadLetters,
        },
        null,
        2,
      )}\n`
    : formatTable(result);

/** `--duplicates N%`: the share of deliveries that arrive twice. */
const duplicatesOf = (raw: string | boolean | readonly string[] | undefined): number => {
  if (typeof raw !== 'string') return 0;
  const match = /^(\d{1,3}(?:\.\d+)?)%?$/.exec(raw.trim());
  const percent = Number(match?.[1]);
  if (match === null || percent > 100) {
    throw new UsageError(
      '',
      `--duplicates must be a share of deliveries from 0% to 100%, got ${JSON.stringify(raw)}`,
    );
  }
  return percent / 100;
};

const FORMAT_FLAG: FlagSpec = {
  name: 'format',
  value: 'table|json',
  help: 'output format',
  default: 'table',
  choices: ['table', 'json'],
};
const OUT_FLAG: FlagSpec = { name: 'out', value: 'FILE', help: 'write the output to FILE instead of stdout' };

export const demo: Command = {
  spec: {
    name: 'demo',
    summary: 'replay the bundled events against the bundled world and print the table',
    usage: '',
    description: [
      'Replays every event in events/ (in event-time order) against src/local/world/demo-world.json,',
      'exactly as `replay --sort time` would, and prints one row per evaluation and a summary; then audits',
      "the same world's CloudTrail history as `audit --world` would and writes its HTML report to a temp folder.",
    ],
    flags: [FORMAT_FLAG, OUT_FLAG],
  },
  run: async (args) => {
    await checkWritable(optional(args, 'out'));
    const world = await loadWorldFile(DEMO_WORLD);
    const files = (await readdir(EVENTS_DIR))
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(EVENTS_DIR, name));
    const events = sortByEventTime(await readEventFiles(files));
    const result = await withStdoutOnStderr(() => replay({ world, events }));
    const format = String(args.values.format);
    // The table ends with an audit of the same world's history (json stays replay's one document).
    const history =
      format === 'table' ? `\n${await withStdoutOnStderr(() => demoAudit(world, DEMO_WORLD))}` : '';
    await emit(`${render(result, format)}${history}`, optional(args, 'out'));
    return exitCodeOf(result);
  },
};

export const replayCommand: Command = {
  spec: {
    name: 'replay',
    summary: "route events to the template's functions and run them against a local AWS endpoint",
    usage: '--world W.json [flags] EVENT.json...',
    description: [
      'Routes each event to the function(s) whose EventBridge rule in template.yaml matches it, applies',
      'change events to the world, runs the real handlers with the real AWS SDK against a local endpoint',
      'serving the world, and prints what happened. Queued events are delivered as the event source',
      'mapping would: in batches by size and window over event time, redelivered after a failure,',
      'dead-lettered after maxReceiveCount receives; --format json adds "calls" and "deadLetters".',
      'An EVENT file is an EventBridge event, a raw CloudTrail record, or a CloudTrail log file',
      '({"Records": [...]}, gzipped or not); records are wrapped as EventBridge delivers them.',
      'Exit status: 0 every event ran, 1 an event was rejected or a function failed on it, 2 bad input.',
    ],
    flags: [
      { name: 'world', value: 'W.json', help: 'the AWS state before the events (required)' },
      {
        name: 'env-vars',
        value: 'ENV.json',
        help: "SAM --env-vars file: variables the template's functions declare",
      },
      FORMAT_FLAG,
      {
        name: 'sort',
        value: 'input|time',
        help: 'replay in the order given, or by event time',
        default: 'input',
        choices: ['input', 'time'],
      },
      {
        name: 'duplicates',
        value: 'N%',
        help: 'deliver this share of the queued events twice, as EventBridge and SQS may',
        default: '0%',
      },
      {
        name: 'audit-region',
        value: 'REGION',
        help: "an organization world: the audit stack's Region, where member stacks forward",
        default: 'us-east-1',
      },
      OUT_FLAG,
    ],
    positionals: { min: 1, name: 'at least one EVENT.json' },
  },
  run: async (args) => {
    await checkWritable(optional(args, 'out'));
    const world = await loadWorldFile(required(args, 'world', 'W.json'));
    const envVars = await loadEnvVarsFile(optional(args, 'env-vars'));
    const read: ReplayEvent[] = await readEventFiles(args.positionals);
    const events = args.values.sort === 'time' ? sortByEventTime(read) : read;
    const duplicates = duplicatesOf(args.values.duplicates);
    const auditRegion = String(args.values['audit-region']);
    if (!isRegion(auditRegion)) throw new UsageError('--audit-region', `not an AWS Region: ${auditRegion}`);
    const result = await withStdoutOnStderr(() =>
      replay({ world, events, duplicates, auditRegion, ...(envVars === undefined ? {} : { envVars }) }),
    );
    await emit(render(result, String(args.values.format)), optional(args, 'out'));
    return exitCodeOf(result);
  },
};
