/**
 * The audit command run in this process (as main() runs it for `runas-audit audit`), so that what
 * the child-process tests check is also measured: every report format of the demo world's history,
 * the posture rows of the table, and the demo's closing audit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditExitCode, renderAudit } from '../../src/cli/auditCommand.ts';
import { type AuditResult, runAudit } from '../../src/cli/auditRun.ts';
import { auditWindow } from '../../src/cli/auditWindow.ts';
import { worldSetup } from '../../src/cli/awsSetup.ts';
import { main } from '../../src/cli/main.ts';
import { TABLE_WIDTH } from '../../src/local/tools/report.ts';
import { tempDir } from './cliHelpers.ts';
import { demoWorld } from './replayHelpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let withPosture: AuditResult;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const setup = await worldSetup(await demoWorld(), []);
  try {
    withPosture = await runAudit({
      target: setup.target,
      regions: setup.regions,
      trailRegions: [],
      window: auditWindow({ since: '10d' }, setup.target.clock, true),
      trailLogs: [],
      posture: true,
      import: false,
    });
  } finally {
    await setup.close();
  }
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

describe('the audit in this process', () => {
  it('renders every format from one result', async () => {
    // Act
    const [table, json, csv, asff, ocsf, html] = await Promise.all(
      ['table', 'json', 'csv', 'asff', 'ocsf', 'html'].map((format) => renderAudit(withPosture, format)),
    );

    // Assess
    const sessions = withPosture.evaluations.filter((e) => !e.event.startsWith('posture/')).length;
    expect(sessions).toBe(41);
    expect(auditExitCode(withPosture)).toBe(3);
    expect(Math.max(...(table ?? '').split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(table).toMatch(/^Posture as of 2026-03-01T12:00:00.000Z \(one row per subject and Region\):$/m);
    expect(table).toMatch(
      /^ +2026-03-01 12:00 +us-east-1 +user\/oscar +written +DISALLOWED_RUN_AS_USER +root$/m,
    );
    expect(JSON.parse(json ?? '').findings).toHaveLength(withPosture.findings.length);
    expect((csv ?? '').trim().split('\n')).toHaveLength(withPosture.findings.length + 1);
    const imports = JSON.parse(asff ?? '') as { Id: string; Region?: string }[];
    expect(imports.map((f) => f.Id).sort()).toEqual(withPosture.findings.map((f) => f.Id).sort());
    expect(imports.some((f) => f.Region !== undefined)).toBe(false);
    expect(ocsf).toContain('"class_uid"');
    expect(html).toMatch(/^<!doctype html>/);
  });

  it('runs `audit --format html --out FILE` through main, and the demo ends with the same audit', async () => {
    // Prepare
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const report = path.join(dir, 'report.html');
    const demo = path.join(dir, 'demo.txt');

    // Act
    const auditCode = await main([
      'audit',
      '--world',
      'src/local/world/demo-world.json',
      '--format',
      'html',
      '--out',
      report,
    ]);
    const demoCode = await main(['demo', '--out', demo]);
    stderr.mockRestore();

    // Assess
    expect(auditCode).toBe(3);
    expect(await readFile(report, 'utf8')).toContain('Session Manager Run As audit');
    expect(demoCode).toBe(0);
    const text = await readFile(demo, 'utf8');
    expect(text).toMatch(/^History: runas-audit audit --world src\/local\/world\/demo-world\.json/m);
    expect(text).toMatch(/^Audit of 41 StartSession records \(LookupEvents, us-east-1, eu-west-1\)/m);
    expect(text).toMatch(/^HTML report: .*runas-audit-demo-.*report\.html$/m);
  });
});
