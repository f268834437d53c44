/**
 * `runas-audit invoke`: the function bundled from template.yaml and run in a child process,
 * as `sam local invoke` would, against the local endpoint.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeFunction } from '../../src/local/invoke.ts';
import { type LocalAws, startLocalAws } from '../../src/local/server.ts';
import { demoWorld, EVENTS_DIR, ROOT, readEvents } from './replayHelpers.ts';

const run = promisify(execFile);
const MISSING = 'startsession-missing-run-as-user.json';

let local: LocalAws;

beforeAll(async () => {
  local = await startLocalAws(await demoWorld());
});

afterAll(async () => {
  await local.close();
});

const localEnv = (): Record<string, string> => ({
  ...local.endpointEnv(),
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'local-test-not-a-secret',
  AWS_REGION: 'us-east-1',
});

describe('invoke AuditSessionFunction', () => {
  it('audits a fixture and writes its finding', async () => {
    // Prepare
    const [fixture] = await readEvents([MISSING]);

    // Act
    const outcome = await invokeFunction({
      logicalId: 'AuditSessionFunction',
      event: fixture?.event,
      extraEnv: localEnv(),
    });

    // Assess
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result).toMatchObject({ outcome: 'MISSING_RUN_AS_USER', expectedUser: 'bob' });
    expect(outcome.logs).toContain('REPORT RequestId');
    expect(local.findings().map((f) => f.ProductFields?.['RunAs/Outcome'])).toContain('MISSING_RUN_AS_USER');
  });

  it('returns Lambda’s error envelope for a malformed event, naming the field', async () => {
    // Act
    const outcome = await invokeFunction({
      logicalId: 'AuditSessionFunction',
      event: { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ssm' },
      extraEnv: localEnv(),
    });

    // Assess
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.errorType).toBe('MalformedEventError');
    expect(outcome.error.errorMessage).toContain('detail');
    expect(outcome.error.trace.length).toBeGreaterThan(0);
  });

  it('the CLI exits 0 on success and 1 with the envelope on stdout for a malformed event', async () => {
    // Prepare
    const cli = [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'src/cli.ts'),
      'invoke',
      'AuditSessionFunction',
    ];
    const world = ['--world', path.join(ROOT, 'src/local/demo-world.json')];
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

    // Act
    const ok = await run(process.execPath, [...cli, '-e', path.join(EVENTS_DIR, MISSING), ...world], {
      env,
      cwd: ROOT,
    });
    const failed = await run(process.execPath, [...cli, '-e', path.join(ROOT, 'package.json'), ...world], {
      env,
      cwd: ROOT,
    }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );

    // Assess
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'MISSING_RUN_AS_USER' });
    expect(failed?.code).toBe(1);
    expect(JSON.parse(failed?.stdout ?? '{}')).toMatchObject({ errorType: 'MalformedEventError' });
  });
});
