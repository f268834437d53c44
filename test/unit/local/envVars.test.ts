import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnvVarsError, parseEnvVars } from '../../../src/local/tools/envVars.ts';
import { functionsOf } from '../../../src/local/tools/samFunctions.ts';
import { type FunctionSpec, loadTemplate, type Template } from '../../../src/local/tools/template.ts';

let template: Template;
let functions: FunctionSpec[];

beforeAll(async () => {
  template = await loadTemplate(path.resolve(import.meta.dirname, '../../../template.yaml'));
  functions = functionsOf(template);
});

const parse = (json: unknown) => parseEnvVars(json, 'env.json', template, functions);

describe('an --env-vars file checked against the template', () => {
  it('accepts what SAM reads: Parameters for all, a logical id for one', () => {
    // Prepare
    const json = {
      Parameters: { REPORT_COMPLIANT_SESSIONS: 'true', CACHE_TTL_SECONDS: 0 },
      AuditSessionFunction: { USER_DIRECTORY: 'none', REPORT_NOT_APPLICABLE: true },
    };

    // Act
    const envVars = parse(json);

    // Assess
    expect(envVars).toEqual(json);
  });

  it.each([
    ['not an object', ['Parameters'], '', 'expected an object'],
    [
      'a misspelled variable',
      { Parameters: { USER_DIRECTORYY: 'none' } },
      'Parameters.USER_DIRECTORYY',
      'no function',
    ],
    [
      'a section of no function',
      { AuditFunction: {} },
      'AuditFunction',
      'is neither "Parameters" nor a function',
    ],
    ['a section that is a list', { Parameters: [] }, 'Parameters', 'expected an object of variable names'],
    [
      'an object value',
      { Parameters: { AUDITED_REGIONS: { a: 1 } } },
      'Parameters.AUDITED_REGIONS',
      'expected a string',
    ],
    [
      'a value the configuration rejects',
      { Parameters: { CACHE_TTL_SECONDS: 'soon' } },
      'Parameters.CACHE_TTL_SECONDS',
      'non-negative number',
    ],
    [
      'a per-function value the configuration rejects',
      { AuditSessionFunction: { REPORT_NOT_APPLICABLE: 'yes' } },
      'AuditSessionFunction.REPORT_NOT_APPLICABLE',
      'must be "true" or "false"',
    ],
  ])('rejects %s, naming the file and the key', (_case, json, key, problem) => {
    // Act
    let error: unknown;
    try {
      parse(json);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(EnvVarsError);
    expect((error as EnvVarsError).file).toBe('env.json');
    expect((error as EnvVarsError).path).toBe(key);
    expect((error as EnvVarsError).message).toContain(problem);
  });
});
