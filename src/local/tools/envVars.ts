/**
 * SAM's `--env-vars` file, checked against the template before anything runs: `Parameters`
 * applies to every function, a function's logical id to that one. SAM silently ignores a
 * variable the template does not declare; here it is an error naming it, and so is a value
 * the functions' configuration would reject at cold start.
 */
import { loadConfig } from '../../config.ts';
import { InputError } from './inputError.ts';
import { resolveEnvironment } from './samFunctions.ts';
import type { FunctionSpec, SamEnvVars, Template } from './template.ts';

/** An `--env-vars` file that is not what SAM reads, or that sets what no function declares. */
export class EnvVarsError extends InputError {
  override readonly name = 'EnvVarsError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const declaredBy = (functions: readonly FunctionSpec[]): Set<string> =>
  new Set(functions.flatMap((fn) => Object.keys(fn.environment)));

/** Validates parsed `--env-vars` JSON from `file`; every error names the file and the key. */
export const parseEnvVars = (
  json: unknown,
  file: string,
  template: Template,
  functions: readonly FunctionSpec[],
): SamEnvVars => {
  const fail = (path: string, problem: string): never => {
    throw new EnvVarsError(path, problem, { file });
  };
  if (!isObject(json))
    fail('', 'expected an object such as {"Parameters": {"REPORT_COMPLIANT_SESSIONS": "true"}}');
  const sections = json as Record<string, unknown>;
  const logicalIds = functions.map((fn) => fn.logicalId);
  for (const [section, variables] of Object.entries(sections)) {
    const fn = functions.find((candidate) => candidate.logicalId === section);
    if (section !== 'Parameters' && fn === undefined) {
      fail(section, `is neither "Parameters" nor a function of the template (${logicalIds.join(', ')})`);
    }
    if (!isObject(variables)) fail(section, 'expected an object of variable names to values');
    const declared = declaredBy(fn === undefined ? functions : [fn]);
    for (const [name, value] of Object.entries(variables as Record<string, unknown>)) {
      if (!declared.has(name)) {
        fail(
          `${section}.${name}`,
          fn === undefined
            ? 'no function of the template declares this variable'
            : `${section} does not declare this variable`,
        );
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        fail(`${section}.${name}`, 'expected a string, a number or a boolean');
      }
    }
  }
  const envVars = sections as SamEnvVars;
  // The configuration every function loads at cold start: a value it rejects is caught here,
  // once, rather than as the same failure of every replayed event.
  for (const fn of functions) {
    try {
      loadConfig({ ...resolveEnvironment(template, fn, envVars), AWS_REGION: 'us-east-1' });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const name = /^[A-Z][A-Z0-9_]*/.exec(message)?.[0] ?? '';
      const section = envVars[fn.logicalId]?.[name] !== undefined ? fn.logicalId : 'Parameters';
      throw new EnvVarsError(
        name === '' ? section : `${section}.${name}`,
        message.slice(name.length).trim(),
        {
          file,
          cause,
        },
      );
    }
  }
  return envVars;
};
