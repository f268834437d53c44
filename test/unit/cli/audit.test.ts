/** The audit command's parts that need no endpoint: its window, progress line, log files and AWS setup. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list, parseCommand } from '../../../src/cli/args.ts';
import { auditWindow } from '../../../src/cli/auditWindow.ts';
import { AwsSetupError, awsSetup, setupErrorOf } from '../../../src/cli/awsSetup.ts';
import { createProgress, progressText } from '../../../src/cli/progress.ts';
import { trailLogFiles, trailLogPages } from '../../../src/cli/trailLogs.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { InputFileError, UsageError } from '../../../src/local/tools/inputError.ts';
import { startSessionRecord } from '../app/historyFakes.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('auditWindow', () => {
  it.each([
    [{}, '2026-02-22T12:00:00.000Z', '2026-03-01T12:00:00.000Z'],
    [{ since: '24h' }, '2026-02-28T12:00:00.000Z', '2026-03-01T12:00:00.000Z'],
    [{ since: '90m', until: '30m' }, '2026-03-01T10:30:00.000Z', '2026-03-01T11:30:00.000Z'],
    [
      { since: '2026-02-01', until: '2026-02-02T06:00:00Z' },
      '2026-02-01T00:00:00.000Z',
      '2026-02-02T06:00:00.000Z',
    ],
  ])('%j is measured from the clock', (flags, from, to) => {
    // Act
    const window = auditWindow(flags, NOW, true);

    // Assess
    expect(window).toEqual({ from, to, notes: [] });
  });

  it('reads LookupEvents from 90 days back at most, and says so; trail logs go further', () => {
    // Act
    const lookup = auditWindow({ since: '200d' }, NOW, true);
    const trail = auditWindow({ since: '200d' }, NOW, false);
    const future = auditWindow({ until: '2026-03-02T00:00:00Z' }, NOW, true);

    // Assess
    expect(lookup.from).toBe('2025-12-01T12:00:00.000Z');
    expect(lookup.notes[0]).toMatch(/^LookupEvents holds 90 days: reading from 2025-12-01T12:00:00.000Z/);
    expect(trail).toEqual({ from: '2025-08-13T12:00:00.000Z', to: '2026-03-01T12:00:00.000Z', notes: [] });
    expect(future.to).toBe('2026-03-01T12:00:00.000Z');
    expect(future.notes).toHaveLength(1);
  });

  it.each([
    [{ since: 'last week' }, /--since must be a duration back from now such as 7d/],
    [{ since: '1d', until: '2d' }, /--since \(.*\) must be before --until/],
    [{ since: '200d', until: '100d' }, /--until .* is more than 90 days ago/],
  ])('refuses %j with one line naming the flag', (flags, message) => {
    // Act
    const attempt = () => auditWindow(flags, NOW, true);

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('a repeatable flag', () => {
  it('is the list of its values, empty when absent', () => {
    // Prepare
    const spec = {
      name: 'x',
      summary: '',
      usage: '',
      description: [],
      flags: [{ name: 'region', value: 'R', help: '', multiple: true }],
    };

    // Act
    const given = parseCommand(spec, ['--region', 'us-east-1', '--region', 'eu-west-1']);
    const absent = parseCommand(spec, []);

    // Assess
    expect(list(given, 'region')).toEqual(['us-east-1', 'eu-west-1']);
    expect(list(absent, 'region')).toEqual([]);
  });
});

describe('the progress line', () => {
  it('shows records, sessions, rate and, from a tenth of the window on, the time left', () => {
    // Act
    const early = progressText({ read: 40, audited: 30, failed: 0, fraction: 0.05 }, 1000);
    const later = progressText({ read: 500, audited: 450, failed: 2, fraction: 0.25 }, 5000);

    // Assess
    expect(early).toBe('records read 40 · sessions audited 30 · 30.0/s');
    expect(later).toBe('records read 500 · sessions audited 450 (2 failed) · 90.0/s · ETA 0:15');
  });

  it('is written, in place, only to a terminal', () => {
    // Prepare
    const tty: string[] = [];
    const pipe: string[] = [];
    let t = 0;
    const onTty = createProgress({ isTTY: true, write: (s: string) => tty.push(s) }, () => t);
    const onPipe = createProgress({ isTTY: false, write: (s: string) => pipe.push(s) }, () => t);

    // Act
    for (const p of [onTty, onPipe]) {
      t = 500;
      p.update({ read: 1, audited: 1, failed: 0 });
      t = 550;
      p.update({ read: 2, audited: 2, failed: 0 });
      p.done();
    }

    // Assess
    expect(tty).toEqual(['\r\u001b[2Krecords read 1 · sessions audited 1 · 2.0/s', '\r\u001b[2K']);
    expect(pipe).toEqual([]);
  });
});

describe('trail log files', () => {
  let dir: string;
  const window = { from: '2026-02-27T00:00:00.000Z', to: '2026-03-01T12:00:00.000Z' };
  const logs = (region: string, day: string) =>
    path.join(dir, 'AWSLogs', '111122223333', 'CloudTrail', region, ...day.split('-'));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trail-logs-'));
    const write = async (folder: string, name: string, records: unknown[]) => {
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, name), gzipSync(JSON.stringify({ Records: records })));
    };
    const other = { ...startSessionRecord(9, '2026-02-28T10:00:00Z'), eventName: 'DescribeSessions' };
    await write(logs('us-east-1', '2026-02-28'), 'a.json.gz', [
      startSessionRecord(1, '2026-02-28T10:00:00Z'),
      other,
    ]);
    await write(logs('us-east-1', '2026-01-05'), 'old.json.gz', [
      startSessionRecord(2, '2026-01-05T10:00:00Z'),
    ]);
    await write(logs('eu-west-1', '2026-03-01'), 'b.json.gz', [
      startSessionRecord(3, '2026-03-01T10:00:00Z', { region: 'eu-west-1' }),
    ]);
    await write(path.join(dir, 'AWSLogs', '111122223333', 'CloudTrail-Digest', 'us-east-1'), 'd.json.gz', []);
    await writeFile(path.join(dir, 'notes.txt'), 'not a log');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const records = async (paths: string[], regions: string[] = []) => {
    const found: string[] = [];
    for await (const page of trailLogPages(await trailLogFiles(paths, { window, regions }), {
      window,
      regions,
    })) {
      found.push(
        ...page.map((item) => `${item.name} ${String((item.record as { awsRegion?: unknown }).awsRegion)}`),
      );
    }
    return found;
  };

  it('reads the StartSessions of a folder in the S3 layout, skipping days outside the window and digests', async () => {
    // Act
    const files = await trailLogFiles([dir], { window, regions: [] });
    const found = await records([dir]);

    // Assess
    expect(files.map((f) => path.basename(f))).toEqual(['b.json.gz', 'a.json.gz']);
    expect(found).toEqual(['b.json.gz[0] eu-west-1', 'a.json.gz[0] us-east-1']);
  });

  it('keeps the Regions asked for, and reads a file named on its own', async () => {
    // Act
    const east = await records([dir], ['us-east-1']);
    const single = await records([path.join(logs('eu-west-1', '2026-03-01'), 'b.json.gz')]);

    // Assess
    expect(east).toEqual(['a.json.gz[0] us-east-1']);
    expect(single).toEqual(['b.json.gz[0] eu-west-1']);
  });

  it('names a path that is missing, or a file that is not a log, in one line', async () => {
    // Act
    const missing = await trailLogFiles([path.join(dir, 'nope')], { window, regions: [] }).catch(
      (e: unknown) => e,
    );
    const notLog = await records([path.join(dir, 'notes.txt')]).catch((e: unknown) => e);

    // Assess
    expect(missing).toBeInstanceOf(InputFileError);
    expect((missing as Error).message).toMatch(/nope: no such file or folder$/);
    expect((notLog as Error).message).toMatch(/notes\.txt: is not JSON/);
  });
});

describe('AWS setup', () => {
  it('turns missing credentials and denied calls into one line, and leaves anything else alone', () => {
    // Prepare
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const denied = new AwsCallError('cloudtrail:LookupEvents', 'AccessDeniedException: no', {
      cause: Object.assign(new Error('no'), { name: 'AccessDeniedException' }),
    });

    // Act
    const [noKeys, noCall, other] = [
      setupErrorOf(new AwsCallError('sts:GetCallerIdentity', 'x', { cause: credentials }), 'dev'),
      setupErrorOf(denied, undefined),
      setupErrorOf(new Error('socket hang up'), undefined),
    ];

    // Assess
    expect(noKeys).toBeInstanceOf(AwsSetupError);
    expect(noKeys?.message).toMatch(
      /^no usable AWS credentials \(CredentialsProviderError: .*\): sign in again \(aws sso login --profile dev\)/,
    );
    expect(noCall?.message).toMatch(/the credentials need cloudtrail:LookupEvents/);
    expect(other).toBeUndefined();
  });

  it("takes the profile's Region and asks STS who the credentials are", async () => {
    // Prepare
    const home = await mkdtemp(path.join(tmpdir(), 'aws-home-'));
    const config = path.join(home, 'config');
    await writeFile(config, '[profile auditor]\nregion = eu-west-1\n');
    // AWS_REGION would come first (the SDK's order); the profile's Region is what is tested here.
    const saved = { AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE, AWS_REGION: process.env.AWS_REGION };
    process.env.AWS_CONFIG_FILE = config;
    delete process.env.AWS_REGION;
    const sts = mockClient(STSClient);
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/Audit/me' });

    // Act
    const setup = await awsSetup('auditor', []).finally(() => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    // Assess
    expect(setup.regions).toEqual(['eu-west-1']);
    expect(setup.target).toMatchObject({
      kind: 'aws',
      accountId: '111122223333',
      caller: 'arn:aws:sts::111122223333:assumed-role/Audit/me',
      clientOptions: { profile: 'auditor' },
    });
    sts.restore();
    await rm(home, { recursive: true, force: true });
  });
});
