/**
 * Declarative subcommands: each names its flags once, and the same list parses the command line
 * (strictly: an unknown flag is an error naming it) and renders `--help`, a line per flag.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../local/tools/inputError.ts';

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  /** Placeholder of the flag's value (`W.json`); a flag without one is a switch. */
  readonly value?: string;
  readonly help: string;
  /** Shown in the help and used when the flag is absent. */
  readonly default?: string;
  /** Values the flag accepts; anything else is a usage error naming them. */
  readonly choices?: readonly string[];
  /** The flag may be given more than once; its value is then the list (empty when absent). */
  readonly multiple?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  /** One line, for the command list. */
  readonly summary: string;
  /** What follows `runas-audit <name>` in the usage line. */
  readonly usage: string;
  /** Lines printed under the usage line. */
  readonly description: readonly string[];
  readonly flags: readonly FlagSpec[];
  /** How many positional arguments the command takes; none when absent. */
  readonly positionals?: { readonly min: number; readonly max?: number; readonly name: string };
}

/** Flags every subcommand takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', help: 'print this help and exit' },
  { name: 'debug', help: 'print the stack trace of an error' },
];

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

const flagName = (message: string): string => /'(-[^' ]+)/.exec(message)?.[1] ?? message;

/** Parses `args` against the command's flags; every mistake is a UsageError that names the flag. */
export const parseCommand = (spec: CommandSpec, args: readonly string[]): ParsedArgs => {
  const flags = [...spec.flags, ...COMMON_FLAGS];
  const options = Object.fromEntries(
    flags.map((flag) => [
      flag.name,
      {
        type: flag.value === undefined ? ('boolean' as const) : ('string' as const),
        ...(flag.short === undefined ? {} : { short: flag.short }),
        ...(flag.multiple === true ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const message = cause instanceof Error ? cause.message : String(cause);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError('', `unknown flag ${flagName(message)}`, { cause });
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /'(--[\w-]+)/.exec(message)?.[1] ?? 'a flag';
      throw new UsageError(
        '',
        `${flag} ${message.includes('argument missing') ? 'needs a value' : 'takes no value'}`,
        {
          cause,
        },
      );
    }
    throw cause;
  }
  const values: Record<string, string | boolean | readonly string[] | undefined> = {};
  if (parsed.values.help === true) return { values: { help: true }, positionals: parsed.positionals };
  for (const flag of flags) {
    const raw = parsed.values[flag.name];
    if (flag.multiple === true) {
      values[flag.name] = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
      continue;
    }
    const value = typeof raw === 'string' || typeof raw === 'boolean' ? raw : flag.default;
    if (flag.choices !== undefined && typeof value === 'string' && !flag.choices.includes(value)) {
      throw new UsageError(
        '',
        `--${flag.name} must be ${flag.choices.join(' or ')}, got ${JSON.stringify(value)}`,
      );
    }
    values[flag.name] = value;
  }
  const { positionals } = parsed;
  const limits = spec.positionals ?? { min: 0, max: 0, name: '' };
  if (positionals.length > (limits.max ?? Number.POSITIVE_INFINITY)) {
    const extra = positionals[limits.max ?? 0] ?? '';
    throw new UsageError('', `unexpected argument ${JSON.stringify(extra)}`);
  }
  if (positionals.length < limits.min) throw new UsageError('', `needs ${limits.name}`);
  return { values, positionals };
};

/** A required string flag. */
export const required = (parsed: ParsedArgs, name: string, placeholder: string): string => {
  const value = parsed.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError('', `needs --${name} ${placeholder}`);
  return value;
};

export const optional = (parsed: ParsedArgs, name: string): string | undefined => {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
};

/** The values of a flag given any number of times. */
export const list = (parsed: ParsedArgs, name: string): readonly string[] => {
  const value = parsed.values[name];
  return Array.isArray(value) ? value : [];
};

const flagLabel = (flag: FlagSpec): string =>
  `${flag.short === undefined ? '    ' : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;

/** `--help` of one subcommand: usage, description, then a line per flag. */
export const formatHelp = (spec: CommandSpec): string => {
  const flags = [...spec.flags, ...COMMON_FLAGS];
  const width = Math.max(...flags.map((flag) => flagLabel(flag).length)) + 2;
  const lines = flags.map((flag) => {
    const repeat = flag.multiple === true ? ' (repeatable)' : '';
    const suffix = `${repeat}${flag.default === undefined ? '' : ` (default: ${flag.default})`}`;
    return `  ${flagLabel(flag).padEnd(width)}${flag.help}${suffix}`;
  });
  return [
    `usage: runas-audit ${spec.name} ${spec.usage}`.trimEnd(),
    '',
    ...spec.description,
    '',
    'flags:',
    ...lines,
    '',
  ].join('\n');
};
