/**
 * The one error family of the local tools for input a user got wrong: a world, an event, an
 * `--env-vars` file, the template, a flag. Each names the file it is about and, inside it, the
 * path of the offending value, so the CLI can print it as one line (and exit 2) with no stack.
 * Anything else thrown by the local tools is a bug of ours (exit 1).
 */

export interface InputErrorOptions {
  /** The file the value came from, when the thrower knows it. */
  readonly file?: string;
  readonly cause?: unknown;
}

export class InputError extends Error {
  override readonly name: string = 'InputError';
  /** The file the offending value came from, when known. */
  readonly file: string | undefined;
  /** Path of the offending value inside the file (`regions.us-east-1.nodes[2]`, `Parameters.X`); '' for the whole file. */
  readonly path: string;
  /** What is wrong, without the file and the path. */
  readonly problem: string;

  constructor(path: string, problem: string, options: InputErrorOptions = {}) {
    super(
      [options.file, path, problem].filter((part) => part !== undefined && part !== '').join(': '),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.file = options.file;
    this.path = path;
    this.problem = problem;
  }

  /** The one line the CLI prints: the file (given here when the thrower did not know it), the path, the problem. */
  describe(file?: string): string {
    return this.file === undefined && file !== undefined ? `${file}: ${this.message}` : this.message;
  }
}

/** A command-line flag or argument is missing, unknown or has a bad value. */
export class UsageError extends InputError {
  override readonly name: string = 'UsageError';
}

/** An input file cannot be read, is not JSON (or gzip), or is not what the command expects. */
export class InputFileError extends InputError {
  override readonly name: string = 'InputFileError';
  constructor(
    file: string,
    problem: string,
    options: { readonly path?: string; readonly cause?: unknown } = {},
  ) {
    super(options.path ?? '', problem, {
      file,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}
