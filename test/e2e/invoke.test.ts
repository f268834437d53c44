/**
 * `runas-audit invoke`: the function bundled from template.yaml and run in a child process,
 * as `sam local invoke` would, against the local endpoint.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import { invokeFunction } from '../../src/local/tools/invoke.ts';
import { cli, DEMO_WORLD, linesOf, tempDir } from './cliHelpers.ts';
import { demoWorld, EVENTS_DIR, ROOT, readEvents } from './replayHelpers.ts';

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
    const invoke = ['invoke', 'AuditSessionFunction', '--world', DEMO_WORLD];

    // Act
    const ok = await cli([...invoke, '-e', path.join(EVENTS_DIR, MISSING)]);
    const failed = await cli([...invoke, '-e', path.join(ROOT, 'package.json')]);

    // Assess
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'MISSING_RUN_AS_USER' });
    expect(ok.stderr).toContain('REPORT RequestId');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ errorType: 'MalformedEventError' });
  });

  it('the CLI names an unknown function and the template in one line, exit 2', async () => {
    // Act
    const run = await cli(['invoke', 'AuditSessionFunctoin', '-e', path.join(EVENTS_DIR, MISSING)]);

    // Assess
    expect(run.code).toBe(2);
    expect(linesOf(run.stderr)).toEqual([
      'runas-audit invoke: template.yaml: has no function "AuditSessionFunctoin" ' +
        '(functions: AuditSessionFunction, SessionVerificationFunction, PrincipalChangeFunction, DocumentChangeFunction, IdentityFunction, SweepFunction)',
    ]);
    expect(run.stdout).toBe('');
  });

  it('the CLI wraps a raw CloudTrail record as EventBridge delivers it', async () => {
    // Prepare
    const [fixture] = await readEvents([MISSING]);
    const { dir, cleanup } = await tempDir();
    const record = path.join(dir, 'record.json');
    await writeFile(record, JSON.stringify((fixture?.event as { detail?: unknown } | undefined)?.detail));

    // Act
    const run = await cli(['invoke', 'AuditSessionFunction', '-e', record, '--world', DEMO_WORLD]);
    await cleanup();

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'MISSING_RUN_AS_USER', expectedUser: 'bob' });
  });
});
