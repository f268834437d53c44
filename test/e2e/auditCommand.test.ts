/**
 * `runas-audit audit` as a user runs it, in a child process, against the bundled demo world: its
 * CloudTrail history (`cloudTrail` of each Region) holds each events/startsession-*.json call again,
 * moved back in time (within the inventory's 48 hours) with a new eventID, the hex of
 * sha256("demo-history/" + the fixture's eventID) in UUID form, and a new session id. Each must be
 * judged exactly as its fixture is when replayed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_WIDTH } from '../../src/local/tools/report.ts';
import { cli, DEMO_WORLD, linesOf, tempDir } from './cliHelpers.ts';
import { FIXTURE_EXPECTATIONS } from './fixtureExpectations.ts';
import { readEvents, sessionEventFiles } from './replayHelpers.ts';

interface Evaluation {
  readonly event: string;
  readonly eventTime: string;
  readonly runs: readonly {
    readonly logicalId: string;
    readonly result?: Record<string, unknown> & { readonly eventId?: string; readonly outcome?: string };
    readonly error?: { readonly errorType: string; readonly errorMessage: string };
  }[];
}
interface Report {
  readonly evaluations: readonly Evaluation[];
  readonly findings: readonly {
    readonly Id: string;
    readonly Compliance: { readonly Status: string };
    readonly ProductFields: Record<string, string>;
  }[];
}

const twinId = (eventId: string): string => {
  const hex = createHash('sha256').update(`demo-history/${eventId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

let dir: string;
let cleanup: () => Promise<void>;
let json: Report;
let jsonRun: Awaited<ReturnType<typeof cli>>;
const SINCE = ['--since', '2026-02-20'];

const outcomeById = (report: Report) =>
  new Map(
    report.evaluations.flatMap((e) => e.runs.map((r) => [String(r.result?.eventId), r.result?.outcome])),
  );

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  jsonRun = await cli(['audit', '--world', DEMO_WORLD, '--format', 'json', ...SINCE]);
  json = JSON.parse(jsonRun.stdout) as Report;
});

afterAll(async () => {
  await cleanup();
});

describe('audit --world (LookupEvents of every Region of the world)', () => {
  it('judges every StartSession of the history as its fixture is judged when replayed, exit 3 for the FAILED ones', async () => {
    // Prepare
    const names = await sessionEventFiles();
    const fixtures = await readEvents(names);
    const byId = new Map(
      json.evaluations.flatMap((e) => e.runs.map((r) => [String(r.result?.eventId), r.result])),
    );

    // Assess
    expect(jsonRun.code).toBe(3);
    expect(jsonRun.stderr).toBe('');
    expect(json.evaluations).toHaveLength(names.length);
    expect(json.evaluations.flatMap((e) => e.runs.filter((r) => r.error !== undefined))).toEqual([]);
    for (const [index, name] of names.entries()) {
      const event = fixtures[index]?.event as { detail?: { eventID?: string } } | undefined;
      const eventId = String(event?.detail?.eventID);
      const expected = FIXTURE_EXPECTATIONS[name];
      expect(byId.get(twinId(eventId)), name).toMatchObject({
        outcome: expected?.outcome,
        expectedUser: expected?.expectedUser,
        expectedUserSource: expected?.expectedUserSource,
        sessionUser: expected?.sessionUser,
        userVerified: expected?.userVerified,
      });
    }
    // Every session has its finding in the report, compliant and not applicable ones too.
    expect(json.findings).toHaveLength(names.length);
    expect(json.findings.some((f) => f.Compliance.Status === 'FAILED')).toBe(true);
  });

  it('prints a table of at most 120 columns: what was read, the outcomes, the sessions to look at', async () => {
    // Act
    const run = await cli(['audit', '--world', DEMO_WORLD, ...SINCE]);

    // Assess
    const lines = run.stdout.split('\n');
    expect(run.code).toBe(3);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(lines[0]).toMatch(
      /^Audit of 41 StartSession records \(LookupEvents, us-east-1, eu-west-1\), 2026-02-20T00:00:00.000Z to$/,
    );
    expect(run.stdout).toMatch(/^Sessions to look at \(21; 20 COMPLIANT or NOT_APPLICABLE not listed/m);
    expect(run.stdout).toMatch(
      /^ +TIME +REGION +PRINCIPAL \/ DOCUMENT +NODE \/ ACTION +OUTCOME +EXPECTED USER$/m,
    );
    expect(run.stdout).toMatch(
      /^ +2026-02-28 \d\d:\d\d +eu-west-1 +user\/alice +i-0b1c2d3e4f5a60008 +RAN_AS_SSM_USER/m,
    );
    expect(run.stdout).toMatch(/^ +DISALLOWED_RUN_AS_USER +the resolved user is denied/m);
  });

  it('exits 0 when nothing in the window FAILED', async () => {
    // Act: only the first record of the history, a compliant one, lies in this window.
    const run = await cli([
      'audit',
      '--world',
      DEMO_WORLD,
      '--since',
      '2026-02-27T13:00:00Z',
      '--until',
      '2026-02-27T15:00:00Z',
    ]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Sessions: 1 COMPLIANT$/m);
  });

  it('--import imports what the functions would write (by default no COMPLIANT or NOT_APPLICABLE), per Region', async () => {
    // Prepare
    const env = path.join(dir, 'report-all.json');
    await writeFile(
      env,
      JSON.stringify({ Parameters: { REPORT_COMPLIANT_SESSIONS: 'true', REPORT_NOT_APPLICABLE: 'true' } }),
    );

    // Act
    const [defaults, all] = await Promise.all([
      cli(['audit', '--world', DEMO_WORLD, ...SINCE, '--import', '--format', 'csv']),
      cli(['audit', '--world', DEMO_WORLD, ...SINCE, '--import', '--format', 'csv', '--env-vars', env]),
    ]);

    // Assess
    expect(linesOf(defaults.stderr)).toEqual([
      'runas-audit audit: imported 21 finding(s) in 2 BatchImportFindings call(s)',
    ]);
    expect(linesOf(all.stderr)).toEqual([
      'runas-audit audit: imported 41 finding(s) in 2 BatchImportFindings call(s)',
    ]);
    // The report is the same either way: every session's finding.
    expect(linesOf(defaults.stdout).length).toBe(42);
  });

  it("--posture also reviews each Region's preferences and every principal with a mapping", async () => {
    // Act
    const run = await cli(['audit', '--world', DEMO_WORLD, ...SINCE, '--posture', '--format', 'json']);
    const report = JSON.parse(run.stdout) as Report;

    // Assess
    const posture = report.evaluations.filter((e) => e.event.startsWith('posture/'));
    expect(posture.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'posture/us-east-1/SSM-SessionManagerRunShell',
        'posture/user/oscar',
        'posture/role/ops/Operators',
      ]),
    );
    expect(posture.some((e) => e.event === 'posture/user/carol')).toBe(false);
    const oscar = report.findings.find(
      (f) => f.Id === '111122223333/us-east-1/ssm-runas/principal/arn:aws:iam::111122223333:user/oscar',
    );
    expect(oscar?.ProductFields).toMatchObject({
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
      'RunAs/ChangeEvent': 'PostureAudit',
    });
  });
});

describe('audit --trail-logs', () => {
  it('reads the S3 layout a trail writes and judges each record as LookupEvents does, a record seen twice once', async () => {
    // Prepare: the world's records, one gzipped log file per Region and day, one record also in a second file.
    const world = JSON.parse(await readFile(DEMO_WORLD, 'utf8')) as {
      regions: Record<string, { cloudTrail: { eventTime: string; eventName: string }[] }>;
    };
    const root = path.join(dir, 'bucket');
    for (const [region, { cloudTrail }] of Object.entries(world.regions)) {
      const byDay = new Map<string, unknown[]>();
      for (const record of cloudTrail) {
        const day = record.eventTime.slice(0, 10);
        byDay.set(day, [...(byDay.get(day) ?? []), record]);
      }
      for (const [day, records] of byDay) {
        const folder = path.join(root, 'AWSLogs', '111122223333', 'CloudTrail', region, ...day.split('-'));
        await mkdir(folder, { recursive: true });
        await writeFile(
          path.join(folder, `111122223333_CloudTrail_${region}_${day.replaceAll('-', '')}T2355Z_a.json.gz`),
          gzipSync(JSON.stringify({ Records: records })),
        );
      }
    }
    const again = world.regions['us-east-1']?.cloudTrail
      .filter((r) => r.eventName === 'StartSession')
      .slice(0, 1);
    await writeFile(path.join(root, 'copy.json'), JSON.stringify({ Records: again }));

    // Act
    const run = await cli([
      'audit',
      '--world',
      DEMO_WORLD,
      ...SINCE,
      '--format',
      'json',
      '--trail-logs',
      root,
    ]);
    const report = JSON.parse(run.stdout) as Report;
    const table = await cli([
      'audit',
      '--world',
      DEMO_WORLD,
      ...SINCE,
      '--trail-logs',
      root,
      '--region',
      'eu-west-1',
    ]);

    // Assess
    expect(run.code).toBe(3);
    expect(outcomeById(report)).toEqual(outcomeById(json));
    expect(table.stdout).toMatch(/^Audit of 1 StartSession record \(trail logs, eu-west-1\)/);
  });
});

describe('mistakes are one line, exit 2', () => {
  it.each([
    [['--since', 'yesterday'], /^runas-audit audit: --since must be a duration back from now such as 7d/],
    [
      ['--region', 'moon-1'],
      /^runas-audit audit: --region must be an AWS Region such as us-east-1, got "moon-1"/,
    ],
    [
      ['stray.json'],
      /^runas-audit audit: unexpected argument "stray.json" \(log files follow --trail-logs\)/,
    ],
    [
      ['--profile', 'dev'],
      /^runas-audit audit: --profile reads AWS and --world a world file: give one of them/,
    ],
    [
      ['--trail-logs', '/no/such/folder'],
      /^runas-audit audit: \/no\/such\/folder: no such file or folder\n$/,
    ],
  ])('%j', async (args, message) => {
    // Act
    const run = await cli(['audit', '--world', DEMO_WORLD, ...args]);

    // Assess
    expect(run.code).toBe(2);
    expect(linesOf(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('without AWS credentials, says how to sign in (or to audit a world)', async () => {
    // Act
    const run = await cli(['audit', '--region', 'us-east-1'], {
      env: { HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(dir, 'none') },
    });

    // Assess
    expect(run.code).toBe(2);
    expect(linesOf(run.stderr)).toEqual([
      expect.stringMatching(
        /^runas-audit audit: no usable AWS credentials \(CredentialsProviderError: .*--world W\.json audits a world file instead$/,
      ),
    ]);
  });
});

describe('a session that cannot be audited', () => {
  it('is reported with its error, the others audited, exit 1', async () => {
    // Prepare
    const world = JSON.parse(await readFile(DEMO_WORLD, 'utf8')) as {
      regions: Record<string, { cloudTrail: Record<string, unknown>[] }>;
    };
    const east = world.regions['us-east-1'];
    const first = east?.cloudTrail.find((r) => r.eventName === 'StartSession');
    east?.cloudTrail.push({ ...first, eventID: 'bad-target', requestParameters: { target: 'i-$(reboot)' } });
    const file = path.join(dir, 'bad-world.json');
    await writeFile(file, JSON.stringify(world));

    // Act
    const run = await cli(['audit', '--world', file, ...SINCE]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Could not be audited \(1\):$/m);
    expect(run.stdout).toMatch(
      /LookupEvents us-east-1 bad-target: MalformedEventError: malformed event: detail\.requestParameters\.target/,
    );
  });
});
