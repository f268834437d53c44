/**
 * runas-audit: demo, audit, replay, invoke, local-aws, bench. Each is also an npm script.
 * Exit status: 0 success; 1 an event or a function failed, or an internal error; 2 a usage or
 * input error, printed as one line naming the file and the problem (the stack only with --debug).
 */
import { InputError, UsageError } from '../local/tools/inputError.ts';
import { type CommandSpec, formatHelp, parseCommand } from './args.ts';
import { auditCommand } from './auditCommand.ts';
import { benchCommand } from './benchCommand.ts';
import { invokeCommand } from './invokeCommand.ts';
import { localAwsCommand } from './localAwsCommand.ts';
import { type Command, demo, replayCommand } from './replayCommands.ts';

const COMMANDS: readonly Command[] = [
  demo,
  auditCommand,
  replayCommand,
  invokeCommand,
  localAwsCommand,
  benchCommand,
];

const topHelp = (): string => {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    'usage: runas-audit <command> [flags]',
    '',
    'Recomputes the OS user of AWS Session Manager sessions from CloudTrail events, locally: the real',
    'handlers and AWS SDK against a local AWS endpoint that serves a world file (no AWS account needed).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run `runas-audit <command> --help` for its flags. Exit status: 0 success, 1 an event or a function',
    'failed (or an internal error), 2 a usage or input error.',
    '',
  ].join('\n');
};

/** One line: messages that span lines (YAML positions, esbuild errors) are joined. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ');

const stackOf = (error: unknown): string => {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    lines.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('caused by:');
  }
  return `${lines.join('\n')}\n`;
};

/** Prints an error the way the CLI does (one line; the stack with --debug) and returns the exit status. */
export const reportError = (command: CommandSpec | undefined, error: unknown, debug: boolean): number => {
  const prefix = command === undefined ? 'runas-audit' : `runas-audit ${command.name}`;
  if (error instanceof UsageError) {
    const see = command === undefined ? 'runas-audit --help' : `runas-audit ${command.name} --help`;
    process.stderr.write(`${prefix}: ${oneLine(error.message)} (see ${see})\n`);
  } else if (error instanceof InputError) {
    process.stderr.write(`${prefix}: ${oneLine(error.describe())}\n`);
  } else {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const hint = debug ? '' : ' (run with --debug for the stack trace)';
    process.stderr.write(`${prefix}: internal error: ${oneLine(what)}${hint}\n`);
  }
  if (debug) process.stderr.write(stackOf(error));
  return error instanceof InputError ? 2 : 1;
};

export const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...args] = argv;
  const debug = args.includes('--debug');
  if (name === undefined) {
    process.stderr.write(topHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (command === undefined) {
    const known = COMMANDS.map((c) => c.spec.name).join(', ');
    const problem = name.startsWith('-') ? `unknown flag ${name}` : `unknown command ${JSON.stringify(name)}`;
    return reportError(undefined, new UsageError('', `${problem} (commands: ${known})`), debug);
  }
  try {
    const parsed = parseCommand(command.spec, args);
    if (parsed.values.help === true) {
      process.stdout.write(formatHelp(command.spec));
      return 0;
    }
    return await command.run(parsed);
  } catch (error) {
    return reportError(command.spec, error, debug);
  }
};
