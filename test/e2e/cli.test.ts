/**
 * The `runas-audit` command as a user runs it: a child process, its exit status, and what it
 * prints. A user's mistake is one line on stderr naming the file and the problem, exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/cli/args.ts';
import { benchCommand } from '../../src/cli/benchCommand.ts';
import { invokeCommand } from '../../src/cli/invokeCommand.ts';
import { localAwsCommand } from '../../src/cli/localAwsCommand.ts';
import { demo, replayCommand } from '../../src/cli/replayCommands.ts';
import { TABLE_WIDTH } from '../../src/local/tools/report.ts';
import { cli, DEMO_WORLD, linesOf, tempDir, userEnv } from './cliHelpers.ts';
import { EVENTS_DIR, ROOT } from './replayHelpers.ts';

const SPECS: readonly CommandSpec[] = [demo, replayCommand, invokeCommand, localAwsCommand, benchCommand].map(
  (command) => command.spec,
);
const MISSING = path.join(EVENTS_DIR, 'startsession-missing-run-as-user.json');
const SSM_USER = path.join(EVENTS_DIR, 'startsession-ran-as-ssm-user-region-off.json');
/** Makes the Run As off version the default of SSM-SessionManagerRunShell, two hours after COMPLIANT. */
const RUN_AS_OFF = path.join(EVENTS_DIR, 'ssm-updatedocument-runshell-off.json');
const COMPLIANT = path.join(EVENTS_DIR, 'startsession-compliant-iamuser-tag.json');

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string): string => path.join(dir, name);
const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(name, 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const event = await fixture(MISSING);
  const other = await fixture(SSM_USER);
  const world = JSON.parse(await readFile(DEMO_WORLD, 'utf8')) as {
    regions: Record<string, { nodes: Record<string, unknown>[] }>;
  };
  (world.regions['us-east-1']?.nodes[0] ?? {}).platfrom = 'Linux';
  await Promise.all([
    writeFile(file('record.json'), JSON.stringify(event.detail)),
    writeFile(file('trail.json'), JSON.stringify({ Records: [event.detail, other.detail] })),
    writeFile(file('trail.json.gz'), gzipSync(JSON.stringify({ Records: [event.detail, other.detail] }))),
    writeFile(file('bad-region.json'), JSON.stringify({ ...event, region: 'us-east-1; rm -rf /' })),
    writeFile(file('bad-account.json'), JSON.stringify({ ...event, account: '12345' })),
    writeFile(file('broken.json'), '{"detail-type": '),
    writeFile(file('not-gzip.json.gz'), Buffer.from([0x1f, 0x8b, 0x00, 0x01])),
    writeFile(file('bad-world.json'), JSON.stringify(world)),
    writeFile(file('env-value.json'), JSON.stringify({ Parameters: { USER_DIRECTORY: 'nfs' } })),
    writeFile(
      file('env-unknown.json'),
      JSON.stringify({ Parameters: { REPORT_COMPLAINT_SESSIONS: 'true' } }),
    ),
    writeFile(file('env-list.json'), JSON.stringify({ Parameters: { REPORT_COMPLIANT_SESSIONS: ['true'] } })),
    writeFile(file('env-function.json'), JSON.stringify({ AuditFunction: { USER_DIRECTORY: 'none' } })),
    mkdir(file('folder.json')),
  ]);
});

afterAll(async () => {
  await cleanup();
});

describe('runas-audit --help', () => {
  it('lists every command, exit 0', async () => {
    // Act
    const run = await cli(['--help']);

    // Assess
    expect(run.code).toBe(0);
    for (const spec of SPECS) expect(run.stdout).toMatch(new RegExp(`^  ${spec.name} +\\S`, 'm'));
  });

  it.each(SPECS.map((spec) => [spec.name, spec] as const))(
    '%s --help has a line per flag, exit 0',
    async (name, spec) => {
      // Act
      const run = await cli([name, '--help']);

      // Assess
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`usage: runas-audit ${name}`);
      for (const flag of [...spec.flags.map((f) => f.name), 'help', 'debug']) {
        expect(run.stdout).toMatch(new RegExp(`^ +(-\\w, )?--${flag}\\b.*\\S`, 'm'));
      }
    },
  );
});

describe('a mistake is one line naming it, exit 2, no stack trace', () => {
  const world = ['--world', DEMO_WORLD];
  it.each([
    ['an unknown command', ['replya'], 'runas-audit: unknown command "replya"'],
    ['an unknown flag', ['replay', '--wrld', DEMO_WORLD, MISSING], 'runas-audit replay: unknown flag --wrld'],
    ['a flag without its value', ['replay', MISSING, '--world'], 'runas-audit replay: --world needs a value'],
    ['a bad --format', ['replay', ...world, '--format', 'xml', MISSING], '--format must be table or json'],
    ['no --world', ['replay', MISSING], 'runas-audit replay: needs --world W.json'],
    [
      'an --audit-region that is not a Region',
      ['replay', ...world, '--audit-region', 'moon-1', MISSING],
      'runas-audit replay: --audit-region: not an AWS Region: moon-1',
    ],
    ['no event', ['replay', ...world], 'runas-audit replay: needs at least one EVENT.json'],
    [
      'a missing event file',
      ['replay', ...world, 'nope.json'],
      'runas-audit replay: nope.json: no such file',
    ],
    ['a folder', ['replay', ...world, '@folder.json'], 'folder.json: is a folder, not a file'],
    ['an event that is not JSON', ['replay', ...world, '@broken.json'], 'broken.json: is not JSON ('],
    [
      'a .gz that is not gzip',
      ['replay', ...world, '@not-gzip.json.gz'],
      'not-gzip.json.gz: is not a valid gzip file',
    ],
    [
      'a JSON file that is not an event',
      ['replay', ...world, path.join(ROOT, 'package.json')],
      'package.json: is not an EventBridge event, a CloudTrail record or a CloudTrail log file',
    ],
    [
      'a missing world',
      ['replay', '--world', 'nowhere.json', MISSING],
      'runas-audit replay: nowhere.json: no such file',
    ],
    [
      'a bad world, with the path of the bad key',
      ['replay', '--world', '@bad-world.json', MISSING],
      'bad-world.json: regions.us-east-1.nodes[0].platfrom: unknown key',
    ],
    [
      'an env-vars value the configuration rejects',
      ['replay', ...world, '--env-vars', '@env-value.json', MISSING],
      'env-value.json: Parameters.USER_DIRECTORY: must be inventory, command or none, got "nfs"',
    ],
    [
      'an env-vars variable no function declares',
      ['replay', ...world, '--env-vars', '@env-unknown.json', MISSING],
      'env-unknown.json: Parameters.REPORT_COMPLAINT_SESSIONS: no function of the template declares this variable',
    ],
    [
      'an env-vars value that is a list',
      ['replay', ...world, '--env-vars', '@env-list.json', MISSING],
      'env-list.json: Parameters.REPORT_COMPLIANT_SESSIONS: expected a string, a number or a boolean',
    ],
    [
      'an env-vars section that is not a function',
      ['invoke', 'AuditSessionFunction', '-e', MISSING, '--env-vars', '@env-function.json'],
      'env-function.json: AuditFunction: is neither "Parameters" nor a function of the template',
    ],
    [
      'a bad --port',
      ['local-aws', ...world, '--port', '70000'],
      'runas-audit local-aws: --port must be a TCP port',
    ],
    [
      'an --out file that cannot be written',
      ['replay', ...world, '--out', '/nonexistent/out.json', MISSING],
      '/nonexistent/out.json: cannot be written: its folder does not exist or is not writable',
    ],
    ['a bad bench flag', ['bench', '--events', '0'], 'runas-audit bench: --events must be an integer from 1'],
  ])('%s', async (_case, args, message) => {
    // Act
    const run = await cli(args.map((arg) => (arg.startsWith('@') ? file(arg.slice(1)) : arg)));

    // Assess
    expect(run.code).toBe(2);
    expect(linesOf(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  });

  it('prints the stack trace with --debug', async () => {
    // Act
    const run = await cli(['replay', '--world', DEMO_WORLD, file('broken.json'), '--debug']);

    // Assess
    expect(run.code).toBe(2);
    expect(linesOf(run.stderr)[0]).toContain('broken.json: is not JSON');
    expect(run.stderr).toMatch(/^\s+at /m);
  });
});

describe('replay inputs', () => {
  const REPLAY_JSON = ['replay', '--world', DEMO_WORLD, '--format', 'json'];
  const outcomes = (stdout: string) =>
    (
      JSON.parse(stdout) as { evaluations: { event: string; runs: { result?: { outcome?: string } }[] }[] }
    ).evaluations.map((e) => [e.event, e.runs.map((run) => run.result?.outcome)]);

  it('wraps a raw CloudTrail record and the records of a log file, gzipped or not, as EventBridge delivers them', async () => {
    // Act
    const run = await cli([...REPLAY_JSON, file('record.json'), file('trail.json'), file('trail.json.gz')]);

    // Assess
    expect(run.code).toBe(0);
    expect(outcomes(run.stdout)).toEqual([
      ['record.json', ['MISSING_RUN_AS_USER']],
      ['trail.json[0]', ['MISSING_RUN_AS_USER']],
      ['trail.json[1]', ['RAN_AS_SSM_USER']],
      ['trail.json.gz[0]', ['MISSING_RUN_AS_USER']],
      ['trail.json.gz[1]', ['RAN_AS_SSM_USER']],
    ]);
  });

  it('--sort time replays in event-time order, whatever the order given', async () => {
    // Prepare: the Run As off change happened after the session.
    const [change, session] = [await fixture(RUN_AS_OFF), await fixture(COMPLIANT)];
    expect(Date.parse(String(change.time))).toBeGreaterThan(Date.parse(String(session.time)));

    // Act
    const given = await cli([...REPLAY_JSON, RUN_AS_OFF, COMPLIANT]);
    const sorted = await cli([...REPLAY_JSON, '--sort', 'time', RUN_AS_OFF, COMPLIANT]);

    // Assess: in the given order the session is judged after Run As was turned off.
    const [changeName, sessionName] = [path.basename(RUN_AS_OFF), path.basename(COMPLIANT)];
    expect(outcomes(given.stdout).map(([event]) => event)).toEqual([changeName, sessionName]);
    expect(outcomes(given.stdout)[1]).toEqual([sessionName, ['RAN_AS_SSM_USER']]);
    expect(outcomes(sorted.stdout).map(([event]) => event)).toEqual([sessionName, changeName]);
    expect(outcomes(sorted.stdout)[0]).toEqual([sessionName, ['COMPLIANT']]);
  });

  it('reports an event with a malformed Region or account, and replays the others, exit 1', async () => {
    // Act
    const run = await cli([...REPLAY_JSON, file('bad-region.json'), file('bad-account.json'), MISSING]);

    // Assess
    const { evaluations } = JSON.parse(run.stdout) as {
      evaluations: { rejected?: string; runs: unknown[] }[];
    };
    expect(run.code).toBe(1);
    expect(evaluations.map((e) => e.rejected)).toEqual([
      'region "us-east-1; rm -rf /" is not an AWS Region: no stack can receive this event',
      'account "12345" is not a 12-digit AWS account id',
      undefined,
    ]);
    expect(outcomes(run.stdout)[2]).toEqual([path.basename(MISSING), ['MISSING_RUN_AS_USER']]);
  });
});

describe('output', () => {
  it('keeps stdout one JSON document even with handler logs on, and --out writes it to a file', async () => {
    // Act
    const logged = await cli(['replay', '--world', DEMO_WORLD, '--format', 'json', MISSING], {
      env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    const out = file('out.json');
    const toFile = await cli(['replay', '--world', DEMO_WORLD, '--format', 'json', '--out', out, MISSING]);

    // Assess
    expect(logged.code).toBe(0);
    expect(JSON.parse(logged.stdout)).toHaveProperty('findings');
    expect(logged.stderr).toContain('"level":"INFO"');
    expect(toFile.stdout).toBe('');
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(logged.stdout));
  });

  it('demo prints a table of at most 120 columns with a header line and a legend', async () => {
    // Act
    const run = await cli(['demo']);

    // Assess
    const lines = run.stdout.split('\n');
    expect(run.code).toBe(0);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(lines[0]).toMatch(/^Each row is one evaluation/);
    expect(lines[1]).toMatch(
      /^ +CHECK +PRINCIPAL \/ DOCUMENT +NODE \/ REGION +OUTCOME +FINDING +EXPECTED USER$/,
    );
    expect(run.stdout).toMatch(/^Outcomes \(severity of the finding\):$/m);
    expect(run.stdout).toMatch(/^ +MISSING_RUN_AS_USER +MEDIUM +the user does not exist on the node/m);
    expect(run.stdout).toMatch(/^FINDING column:$/m);
    expect(run.stdout).toMatch(/^ +not-written +no finding/m);
    expect(run.stdout).toMatch(/^ +archived +the subject is gone/m);
  });
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('local-aws through npm run', () => {
  it('prints addresses a client can use, serves them, and stops with npm on SIGTERM', async () => {
    // Prepare
    const npm = spawn('npm', ['run', 'local-aws', '--', '--world', DEMO_WORLD, '--host', '0.0.0.0'], {
      cwd: ROOT,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const printed = new Promise<string>((resolve, reject) => {
      npm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('# stop with Ctrl-C')) resolve(stdout);
      });
      npm.once('exit', () => reject(new Error(`local-aws exited early: ${stdout}`)));
    });
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));

    // Act
    const banner = await printed;
    const url = /^export AWS_ENDPOINT_URL_SECURITYHUB=(\S+)$/m.exec(banner)?.[1] ?? '';
    const port = Number(new URL(url).port);
    const findings = await new SecurityHubClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-not-a-secret' },
    }).send(new GetFindingsCommand({}));
    npm.kill('SIGTERM');
    await exited;
    let open = true;
    for (let i = 0; i < 40 && open; i++) {
      open = await listening(port);
      if (open) await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Assess
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain(`aws --endpoint-url ${url} `);
    expect(banner).toContain('listening on 0.0.0.0:');
    expect(banner).not.toMatch(/^export .*0\.0\.0\.0/m);
    expect(findings.Findings).toEqual([]);
    expect(open).toBe(false);
  });
});
