/** `audit`: what has happened in an account — every StartSession of a window audited, as a report. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../local/tools/inputError.ts';
import type { World } from '../local/world/world.ts';
import { renderReport } from '../report/renderReport.ts';
import { REPORT_FORMATS, type ReportFormat } from '../report/reportInput.ts';
import { list, optional, type ParsedArgs } from './args.ts';
import type { AuditResult } from './auditRun.ts';
import { auditSummaryLines, formatAuditTable } from './auditTable.ts';
import { auditWindow, DEFAULT_SINCE } from './auditWindow.ts';
import type { Setup } from './awsSetup.ts';
import { loadEnvVarsFile, loadWorldFile } from './inputs.ts';
import { checkWritable, emit, withStdoutOnStderr } from './output.ts';
import { ROOT } from './paths.ts';
import { createProgress } from './progress.ts';
import type { Command } from './replayCommands.ts';

const FORMATS = ['table', ...REPORT_FORMATS] as const;

/**
 * The run and its AWS setup load the SDK clients and the functions' metrics: only when an audit
 * runs (the demo's replay must set the metrics' environment before they load; --help stays quick).
 */
const loadRunner = async () => ({ ...(await import('./auditRun.ts')), ...(await import('./awsSetup.ts')) });

/** 1 something could not be audited or imported; 3 a FAILED finding; 0 neither. */
export const auditExitCode = (result: AuditResult): number => {
  const broken =
    result.evaluations.some((e) => e.runs.some((run) => run.error !== undefined)) ||
    (result.imported?.failed.length ?? 0) > 0;
  if (broken) return 1;
  return result.findings.some((f) => f.RecordState === 'ACTIVE' && f.Compliance.Status === 'FAILED') ? 3 : 0;
};

const productVersion = async (): Promise<string> => {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '';
};

/** The result in a format: the table, or one of the report formats. */
export const renderAudit = async (result: AuditResult, format: string): Promise<string> =>
  format === 'table'
    ? formatAuditTable(result)
    : renderReport(format as ReportFormat, result, {
        generatedAt: result.clock,
        productVersion: await productVersion(),
      });

const regionsOf = (args: ParsedArgs): string[] =>
  list(args, 'region').flatMap((value) =>
    value
      .split(',')
      .map((region) => region.trim())
      .filter((region) => region !== ''),
  );

/**
 * The demo's audit: the world's CloudTrail history over the default window, on a fresh endpoint
 * (the world as it was before the replayed events), its HTML report in a temporary folder.
 */
export const demoAudit = async (world: World, worldFile: string): Promise<string> => {
  const { runAudit, worldSetup } = await loadRunner();
  const setup = await worldSetup(world, []);
  let result: AuditResult;
  try {
    const window = auditWindow({}, setup.target.clock, true);
    result = await runAudit({
      target: setup.target,
      regions: setup.regions,
      trailRegions: [],
      window,
      trailLogs: [],
      posture: false,
      import: false,
    });
  } finally {
    await setup.close();
  }
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'runas-audit-demo-')), 'report.html');
  await writeFile(file, await renderAudit(result, 'html'), 'utf8');
  return [
    `History: runas-audit audit --world ${path.relative(ROOT, worldFile)} (the account's last 7 days, before the events above)`,
    ...auditSummaryLines(result),
    `HTML report: ${file}`,
    '',
  ].join('\n');
};

export const auditCommand: Command = {
  spec: {
    name: 'audit',
    summary: 'audit the StartSessions an account already had (LookupEvents or trail logs) into a report',
    usage: '[flags] [--trail-logs PATH...]',
    description: [
      'Reads the StartSession records of a window from CloudTrail (LookupEvents in each Region, in parallel, at',
      'its 2 calls/s; up to 90 days back) or from trail log files, and audits each with the session function',
      "'s own use case; --posture also reviews each Region's preferences and every principal with an",
      'SSMSessionRunAs tag, as the change functions would. Writes nothing to AWS unless --import.',
      "Without --world it reads your AWS account through the SDK's default credential chain (AWS_PROFILE or",
      '--profile, IAM Identity Center sign-in, environment, instance role); it never falls back to a bundled',
      'world. --world src/local/world/demo-world.json audits the bundled demo world on a local endpoint.',
      'Progress goes to stderr when it is a terminal. Exit status: 0 no FAILED finding, 3 a FAILED finding,',
      '1 a session could not be audited (or an import failed) or an internal error, 2 a usage or setup error.',
    ],
    flags: [
      {
        name: 'since',
        value: '7d|ISO',
        help: 'start of the window: 7d, 24h, 90m back, or an ISO time',
        default: DEFAULT_SINCE,
      },
      { name: 'until', value: 'ISO|1d', help: "end of the window (default: now, or the world's now)" },
      {
        name: 'region',
        value: 'R',
        help: "a Region to audit (or a comma list); default: the SDK's, or the world's",
        multiple: true,
      },
      {
        name: 'profile',
        value: 'P',
        help: 'shared config profile for credentials and Region (SSO included)',
      },
      { name: 'format', value: FORMATS.join('|'), help: 'output format', default: 'table', choices: FORMATS },
      { name: 'out', value: 'FILE', help: 'write the report to FILE instead of stdout' },
      {
        name: 'trail-logs',
        value: 'PATH',
        help: 'read CloudTrail log files (a folder of the S3 layout, or files) instead of LookupEvents',
        multiple: true,
      },
      { name: 'posture', help: "also review each Region's preferences and every principal with a mapping" },
      {
        name: 'import',
        help: 'import the findings into Security Hub (what the deployed functions would write)',
      },
      { name: 'world', value: 'W.json', help: 'audit a world file on a local endpoint instead of AWS' },
      {
        name: 'env-vars',
        value: 'ENV.json',
        help: "SAM --env-vars file: the functions' settings (DENIED_RUN_AS_USERS, …)",
      },
    ],
    positionals: { min: 0, name: 'PATH' },
  },
  run: async (args) => {
    const format = String(args.values.format);
    const out = optional(args, 'out');
    await checkWritable(out);
    const trailLogs = list(args, 'trail-logs');
    if (args.positionals.length > 0 && trailLogs.length === 0) {
      throw new UsageError(
        '',
        `unexpected argument ${JSON.stringify(args.positionals[0])} (log files follow --trail-logs)`,
      );
    }
    const worldFile = optional(args, 'world');
    const profile = optional(args, 'profile');
    if (worldFile !== undefined && profile !== undefined) {
      throw new UsageError('', '--profile reads AWS and --world a world file: give one of them');
    }
    const envVars = await loadEnvVarsFile(optional(args, 'env-vars'));
    const regions = regionsOf(args);
    const { awsSetup, runAudit, setupErrorOf, worldSetup } = await loadRunner();
    const setup: Setup =
      worldFile === undefined
        ? await awsSetup(profile, regions)
        : await worldSetup(await loadWorldFile(worldFile), regions);
    let result: AuditResult;
    try {
      const window = auditWindow(
        { since: optional(args, 'since'), until: optional(args, 'until') },
        setup.target.clock,
        trailLogs.length === 0,
      );
      result = await withStdoutOnStderr(() =>
        runAudit({
          target: setup.target,
          regions: setup.regions,
          trailRegions: regions,
          window,
          trailLogs: [...trailLogs, ...args.positionals],
          posture: args.values.posture === true,
          import: args.values.import === true,
          ...(envVars === undefined ? {} : { envVars }),
          progress: createProgress(),
        }),
      );
    } catch (error) {
      throw setupErrorOf(error, profile) ?? error;
    } finally {
      await setup.close();
    }
    const notes = [...result.window.notes, ...(format === 'table' ? [] : result.notes)];
    for (const note of notes) process.stderr.write(`runas-audit audit: note: ${note}\n`);
    if (result.imported !== undefined && format !== 'table') {
      const { findings, calls, failed } = result.imported;
      process.stderr.write(
        `runas-audit audit: imported ${findings} finding(s) in ${calls.length} BatchImportFindings call(s)${failed.length > 0 ? `, ${failed.length} refused` : ''}\n`,
      );
    }
    await emit(await renderAudit(result, format), out);
    return auditExitCode(result);
  },
};
