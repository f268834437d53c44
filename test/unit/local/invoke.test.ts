import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../src/local/tools/build.ts';
import { invokeFunction } from '../../../src/local/tools/invoke.ts';
import { functionsOf } from '../../../src/local/tools/samFunctions.ts';
import { loadTemplate } from '../../../src/local/tools/template.ts';

// A tiny project of its own, so these tests do not depend on the real handlers.
const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Mode:
    Type: String
    Default: from-default
  Missing:
    Type: String
    Default: ''
Globals:
  Function:
    Runtime: nodejs22.x
    MemorySize: 256
    Timeout: 2
    Environment:
      Variables:
        MODE: !Ref Mode
        GLOBAL_ONLY: global
        SHARED: from-globals
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        Target: es2023
        Sourcemap: true
        EntryPoints: [handlers/echo.ts]
        Banner: ['js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);']
    Properties:
      CodeUri: ./
      Handler: echo.handler
      Timeout: 1
      LoggingConfig:
        LogGroup: !Ref EchoLogs
      Environment:
        Variables:
          SHARED: from-function
          QUEUE_URL: !GetAtt Queue.QueueUrl
          REGION_SUB: !Sub '\${AWS::Region}-\${Mode}'
  EchoLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/\${AWS::StackName}-Echo
  Queue:
    Type: AWS::SQS::Queue
  CallbackFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        EntryPoints: [handlers/callback.ts]
    Properties:
      CodeUri: ./
      Handler: callback.handler
  MissingExportFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        EntryPoints: [handlers/echo.ts]
    Properties:
      CodeUri: ./
      Handler: echo.notThere
  BrokenInitFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        EntryPoints: [handlers/brokenInit.ts]
    Properties:
      CodeUri: ./
      Handler: brokenInit.handler
`;

const ECHO = `
import { createHash } from 'node:crypto';

class ValidationFailed extends Error {
  override readonly name = 'ValidationFailed';
}

type Event = { action: string; size?: number; ms?: number; code?: number };
type Context = { functionName: string; memoryLimitInMB: string; invokedFunctionArn: string; awsRequestId: string;
  logGroupName: string; getRemainingTimeInMillis(): number };

const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, process.env[n] ?? null]));

export const handler = async (event: Event, context: Context) => {
  console.log('handling', event.action);
  console.error('to stderr');
  switch (event.action) {
    case 'echo':
      return {
        event,
        digest: createHash('sha256').update(event.action).digest('hex').slice(0, 8),
        env: pick('MODE', 'GLOBAL_ONLY', 'SHARED', 'QUEUE_URL', 'REGION_SUB', 'EXTRA', 'UNDECLARED', 'AWS_REGION',
          'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
          'AWS_LAMBDA_LOG_GROUP_NAME', 'LAMBDA_TASK_ROOT', 'AWS_ACCESS_KEY_ID', 'NODE_OPTIONS', 'PARENT_ONLY', '_HANDLER'),
        cwd: process.cwd(),
        context: {
          functionName: context.functionName,
          memoryLimitInMB: context.memoryLimitInMB,
          invokedFunctionArn: context.invokedFunctionArn,
          awsRequestId: context.awsRequestId,
          logGroupName: context.logGroupName,
          remaining: context.getRemainingTimeInMillis(),
        },
      };
    case 'throw':
      throw new ValidationFailed('the event was refused');
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms ?? 60_000));
      return 'woke up';
    case 'exit':
      process.exit(event.code ?? 3);
    case 'reject-later':
      Promise.reject(new Error('nobody awaited me'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      return 'unreachable';
    case 'big':
      return 'x'.repeat(event.size ?? 0);
    case 'nothing':
      return undefined;
    default:
      return { unknown: event.action };
  }
};
`;

const CALLBACK = `
export const handler = (event: { n: number }, _context: unknown, callback: (e: unknown, r?: unknown) => void) => {
  setTimeout(() => callback(null, { doubled: event.n * 2 }), 10);
};
`;

const BROKEN_INIT = `
class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
if (process.env.FAIL_INIT !== 'no') throw new ConfigError('USER_DIRECTORY must be inventory, command or none');
export const handler = async () => 'ok';
`;

let project: string;
let templatePath: string;

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'invoke-fixture-'));
  await mkdir(path.join(project, 'handlers'));
  templatePath = path.join(project, 'template.yaml');
  await writeFile(templatePath, TEMPLATE);
  await writeFile(path.join(project, 'handlers', 'echo.ts'), ECHO);
  await writeFile(path.join(project, 'handlers', 'callback.ts'), CALLBACK);
  await writeFile(path.join(project, 'handlers', 'brokenInit.ts'), BROKEN_INIT);
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('invokeFunction', () => {
  it('runs the bundled handler in Lambda’s environment and returns its result with the logs', async () => {
    // Prepare
    process.env.PARENT_ONLY = 'must-not-leak';

    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'echo' },
      templatePath,
      extraEnv: { AWS_REGION: 'eu-west-1', EXTRA: 'extra' },
      accountId: '111122223333',
    });
    delete process.env.PARENT_ONLY;

    // Assess
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const result = outcome.result as {
      event: unknown;
      digest: string;
      env: Record<string, string | null>;
      cwd: string;
      context: Record<string, unknown>;
    };
    expect(result.event).toEqual({ action: 'echo' });
    expect(result.digest).toHaveLength(8);
    expect(result.env).toMatchObject({
      MODE: 'from-default',
      GLOBAL_ONLY: 'global',
      SHARED: 'from-function',
      QUEUE_URL: '',
      REGION_SUB: 'eu-west-1-from-default',
      EXTRA: 'extra',
      UNDECLARED: null,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/local-Echo',
      PARENT_ONLY: null,
      _HANDLER: 'echo.handler',
    });
    expect(result.env.AWS_ACCESS_KEY_ID).toMatch(/^[A-Z0-9]+$/);
    expect(result.cwd).toBe(result.env.LAMBDA_TASK_ROOT);
    expect(result.context).toMatchObject({
      functionName: 'EchoFunction',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:EchoFunction',
      awsRequestId: outcome.report.requestId,
      logGroupName: '/aws/lambda/local-Echo',
    });
    expect(result.context.remaining).toBeGreaterThan(0);
    expect(result.context.remaining).toBeLessThanOrEqual(1000);
    expect(outcome.logs).toMatch(
      new RegExp(`^START RequestId: ${outcome.report.requestId} Version: \\$LATEST\\n`),
    );
    expect(outcome.logs).toContain('handling echo');
    expect(outcome.logs).toContain('to stderr');
    expect(outcome.logs).toMatch(
      /END RequestId: .*\nREPORT RequestId: .*Memory Size: 256 MB\tMax Memory Used: \d+ MB/,
    );
    expect(outcome.report.maxMemoryUsedMB).toBeGreaterThan(0);
  });

  it('applies --env-vars like SAM: Parameters for all, the function section wins, undeclared names ignored', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'echo' },
      templatePath,
      envVars: {
        Parameters: { MODE: 'from-parameters', SHARED: 'from-parameters', UNDECLARED: 'x' },
        EchoFunction: { SHARED: 'from-function-section', QUEUE_URL: 'https://queue.local/q' },
        CallbackFunction: { MODE: 'not-me' },
      },
    });

    // Assess
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect((outcome.result as { env: unknown }).env).toMatchObject({
      MODE: 'from-parameters',
      SHARED: 'from-function-section',
      QUEUE_URL: 'https://queue.local/q',
      UNDECLARED: null,
    });
  });

  it('resolves parameter overrides into the environment', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'echo' },
      templatePath,
      parameterOverrides: { Mode: 'overridden' },
      extraEnv: { AWS_REGION: 'us-east-2' },
    });

    // Assess
    expect(outcome.ok && (outcome.result as { env: Record<string, string> }).env).toMatchObject({
      MODE: 'overridden',
      REGION_SUB: 'us-east-2-overridden',
    });
  });

  it('returns Lambda’s error envelope for a thrown error, with a source-mapped trace', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'throw' },
      templatePath,
    });

    // Assess
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.errorType).toBe('ValidationFailed');
    expect(outcome.error.errorMessage).toBe('the event was refused');
    expect(outcome.error.trace[0]).toBe('ValidationFailed: the event was refused');
    expect(outcome.error.trace.join('\n')).toContain('echo.ts');
  });

  it('kills the function at its Timeout and reports Sandbox.Timedout', async () => {
    // Prepare
    const started = Date.now();

    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'sleep' },
      templatePath,
    });

    // Assess
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.errorType).toBe('Sandbox.Timedout');
    expect(outcome.error.errorMessage).toContain('Task timed out after 1.00 seconds');
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('finishes a handler that completes within its Timeout', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'sleep', ms: 50 },
      templatePath,
    });

    // Assess
    expect(outcome).toMatchObject({ ok: true, result: 'woke up' });
  });

  it.each([
    {
      name: 'process.exit',
      event: { action: 'exit', code: 3 },
      errorType: 'Runtime.ExitError',
      message: 'exit status 3',
    },
    {
      name: 'an unhandled rejection',
      event: { action: 'reject-later' },
      errorType: 'Runtime.UnhandledPromiseRejection',
      message: 'Error: nobody awaited me',
    },
  ])('reports $name as Lambda does', async ({ event, errorType, message }) => {
    // Act
    const outcome = await invokeFunction({ logicalId: 'EchoFunction', event, templatePath });

    // Assess
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.errorType).toBe(errorType);
    expect(outcome.error.errorMessage).toContain(message);
  });

  it('returns null for a handler that returns nothing', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'nothing' },
      templatePath,
    });

    // Assess
    expect(outcome).toMatchObject({ ok: true, result: null });
  });

  it('carries a large result intact', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'EchoFunction',
      event: { action: 'big', size: 3_000_000 },
      templatePath,
    });

    // Assess
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && (outcome.result as string).length).toBe(3_000_000);
  });

  it('supports callback-style handlers', async () => {
    // Act
    const outcome = await invokeFunction({ logicalId: 'CallbackFunction', event: { n: 21 }, templatePath });

    // Assess
    expect(outcome).toMatchObject({ ok: true, result: { doubled: 42 } });
  });

  it('reports Runtime.HandlerNotFound when the export is missing', async () => {
    // Act
    const outcome = await invokeFunction({ logicalId: 'MissingExportFunction', event: {}, templatePath });

    // Assess
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'echo.notThere is undefined or not exported',
    });
  });

  it('reports an error thrown while the module loads (cold start) with its own type', async () => {
    // Act
    const failing = await invokeFunction({ logicalId: 'BrokenInitFunction', event: {}, templatePath });
    const passing = await invokeFunction({
      logicalId: 'BrokenInitFunction',
      event: {},
      templatePath,
      extraEnv: { FAIL_INIT: 'no' },
    });

    // Assess
    expect(failing.ok).toBe(false);
    expect(!failing.ok && failing.error).toMatchObject({
      errorType: 'ConfigError',
      errorMessage: 'USER_DIRECTORY must be inventory, command or none',
    });
    expect(passing).toMatchObject({ ok: true, result: 'ok' });
  });

  it('rejects an unknown logical id, naming the functions there are', async () => {
    // Act
    const attempt = invokeFunction({ logicalId: 'NoSuchFunction', event: {}, templatePath });

    // Assess
    await expect(attempt).rejects.toThrow(/NoSuchFunction.*EchoFunction, CallbackFunction/);
  });
});

describe('bundleFunction', () => {
  it('writes <module>.mjs as SAM would, with the banner and a metafile of its inputs', async () => {
    // Prepare
    const template = await loadTemplate(templatePath);
    const fn = functionsOf(template).find((f) => f.logicalId === 'EchoFunction');
    if (fn === undefined) throw new Error('fixture has no EchoFunction');

    // Act
    const bundle = await bundleFunction(fn, { minify: false });

    // Assess
    try {
      expect(path.basename(bundle.outfile)).toBe('echo.mjs');
      expect(bundle.bytes).toBeGreaterThan(100);
      expect(Object.keys(bundle.metafile.inputs)).toContain('handlers/echo.ts');
      const { readFile } = await import('node:fs/promises');
      const code = await readFile(bundle.outfile, 'utf8');
      expect(code.startsWith('import { createRequire } from "node:module";')).toBe(true);
      expect(code).toContain('//# sourceMappingURL=echo.mjs.map');
    } finally {
      await rm(bundle.outdir, { recursive: true, force: true });
    }
  });

  it('refuses a BuildProperties key it does not understand rather than ignoring it', async () => {
    // Prepare
    const template = await loadTemplate(templatePath);
    const [fn] = functionsOf(template);
    if (fn === undefined) throw new Error('fixture has no function');
    const odd = { ...fn, buildProperties: { ...fn.buildProperties, Splitting: true } };

    // Act
    const attempt = bundleFunction(odd);

    // Assess
    await expect(attempt).rejects.toThrow(/BuildProperties\.Splitting is not supported/);
  });
});
