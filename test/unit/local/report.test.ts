import { describe, expect, it } from 'vitest';
import type { ReplayResult } from '../../../src/local/tools/replay.ts';
import { formatTable, TABLE_WIDTH } from '../../../src/local/tools/report.ts';
import type { StoredFinding } from '../../../src/local/world/world.ts';

const session = (over: Record<string, unknown>) => ({
  check: 'session',
  principal: 'arn:aws:iam::111122223333:user/engineering/platform/erin',
  target: 'i-0a1b2c3d4e5f60001',
  outcome: 'MISSING_RUN_AS_USER',
  severity: 'MEDIUM',
  expectedUser: 'erin',
  expectedUserSource: 'principal-tag',
  findingId: '111122223333/us-east-1/ssm-runas/session/s-1',
  ...over,
});

const finding = (status: string, state = 'ACTIVE') =>
  ({
    Id: `f-${status}-${state}`,
    RecordState: state,
    Compliance: { Status: status },
  }) as unknown as StoredFinding;

const RESULT: ReplayResult = {
  evaluations: [
    {
      event: 'startsession-missing-run-as-user.json',
      runs: [{ logicalId: 'AuditSessionFunction', result: session({}) }],
    },
    {
      event: 'startsession-hostile.json',
      runs: [
        {
          logicalId: 'AuditSessionFunction',
          result: session({
            outcome: 'INVALID_RUN_AS_USER',
            severity: 'HIGH',
            expectedUser: 'root\u202e;reboot',
          }),
        },
      ],
    },
    {
      event: 'iam-tagrole-runas-root.json',
      runs: [
        {
          logicalId: 'PrincipalChangeFunction',
          result: {
            check: 'principal',
            principal: 'arn:aws:iam::111122223333:role/Operators',
            regions: [
              {
                region: 'us-east-1',
                action: 'written',
                outcome: 'DISALLOWED_RUN_AS_USER',
                severity: 'HIGH',
                expectedUser: 'root',
              },
              {
                region: 'eu-west-1',
                action: 'not-written',
                outcome: 'COMPLIANT',
                severity: null,
                expectedUser: 'ops',
              },
            ],
          },
        },
      ],
    },
    {
      event: 'ssm-deletedocument-session.json',
      runs: [
        {
          logicalId: 'DocumentChangeFunction',
          result: {
            check: 'preferences',
            document: 'RootDefault-Shell',
            region: 'us-east-1',
            action: 'archived',
            outcome: null,
            expectedUser: '',
          },
        },
      ],
    },
    {
      event: 'startsession-compliant-iamuser-tag.json',
      runs: [
        {
          logicalId: 'AuditSessionFunction',
          result: session({ outcome: 'COMPLIANT', severity: 'INFORMATIONAL', findingId: null }),
        },
      ],
    },
    {
      event: 'broken.json',
      runs: [
        {
          logicalId: 'AuditSessionFunction',
          error: { errorType: 'MalformedEventError', errorMessage: 'malformed event: detail is missing' },
        },
      ],
    },
    {
      event: 'bad-region.json',
      runs: [],
      rejected: 'region "x" is not an AWS Region: no stack can receive this event',
    },
    { event: 'signin.json', runs: [] },
    {
      event: 'getdocument.json',
      runs: [{ logicalId: 'AuditSessionFunction', result: { skipped: 'not a StartSession call' } }],
    },
  ],
  findings: [finding('FAILED'), finding('FAILED'), finding('PASSED'), finding('FAILED', 'ARCHIVED')],
  calls: {},
  throttled: {},
  deadLetters: [],
};

describe('the replay table', () => {
  const text = formatTable(RESULT);
  const lines = text.split('\n');

  it('fits 120 columns and opens with a line saying what a row is, then the column titles', () => {
    // Assess
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(lines[0]).toMatch(/^Each row is one evaluation: a function’s verdict on the event named above it/);
    expect(lines[1]?.trim().split(/\s{2,}/)).toEqual([
      'CHECK',
      'PRINCIPAL / DOCUMENT',
      'NODE / REGION',
      'OUTCOME',
      'FINDING',
      'EXPECTED USER',
    ]);
  });

  it('puts each evaluation under its event: one row per Region for a principal change', () => {
    // Assess
    const rowsUnder = (event: string, n: number) =>
      lines.slice(lines.indexOf(event) + 1, lines.indexOf(event) + 1 + n);
    expect(rowsUnder('startsession-missing-run-as-user.json', 1)[0]).toMatch(
      /^ {2}session +user\/…\/erin +i-0a1b2c3d4e5f60001 +MISSING_RUN_AS_USER +written +erin \(principal-tag\)$/,
    );
    expect(rowsUnder('iam-tagrole-runas-root.json', 2)).toEqual([
      expect.stringMatching(
        /^ {2}principal +role\/Operators +us-east-1 +DISALLOWED_RUN_AS_USER +written +root$/,
      ),
      expect.stringMatching(/^ {2}principal +role\/Operators +eu-west-1 +COMPLIANT +not-written +ops$/),
    ]);
    expect(rowsUnder('ssm-deletedocument-session.json', 1)[0]).toMatch(
      /RootDefault-Shell +us-east-1 +- +archived/,
    );
  });

  it('says what happened to events that no function judged', () => {
    // Assess
    expect(text).toContain(
      'broken.json\n  ERROR in AuditSessionFunction: MalformedEventError: malformed event: detail is missing',
    );
    expect(text).toContain('bad-region.json\n  rejected: region "x" is not an AWS Region');
    expect(text).toContain('signin.json\n  no rule of the template matches this event');
    expect(text).toContain('getdocument.json\n  AuditSessionFunction: skipped: not a StartSession call');
  });

  it('quotes a value that is not a safe user name and escapes its format characters', () => {
    // Assess
    expect(text).toContain('"root\\u202e;reboot" (pri…');
    expect(text).not.toContain('\u202e');
  });

  it('sums up the outcomes, the failures and what Security Hub holds', () => {
    // Assess
    expect(text.replace(/\s+/g, ' ')).toContain(
      '9 events, 6 evaluations: 1 MISSING_RUN_AS_USER, 1 INVALID_RUN_AS_USER, 1 DISALLOWED_RUN_AS_USER, 2 COMPLIANT;',
    );
    expect(text.replace(/\s+/g, ' ')).toContain('2 events failed or rejected');
    expect(text.replace(/\s+/g, ' ')).toContain('Security Hub holds 3 active findings (2 FAILED).');
  });

  it('ends with a legend of the outcome codes and FINDING kinds it printed, and only those', () => {
    // Assess
    const legend = lines.slice(lines.indexOf('Outcomes (severity of the finding):'));
    expect(
      legend.filter((line) => /^ {2}[A-Z_]+ /.test(line)).map((line) => line.trim().split(/\s+/)[0]),
    ).toEqual(['INVALID_RUN_AS_USER', 'DISALLOWED_RUN_AS_USER', 'MISSING_RUN_AS_USER', 'COMPLIANT']);
    expect(legend).toContainEqual(
      expect.stringMatching(/^ {2}MISSING_RUN_AS_USER +MEDIUM +the user does not exist/),
    );
    expect(legend).toContainEqual(expect.stringMatching(/^ {2}COMPLIANT +INFORMATIONAL +ran/));
    expect(
      legend.slice(legend.indexOf('FINDING column:') + 1).map((line) => line.trim().split(/\s+/)[0]),
    ).toEqual(['written', 'archived', 'not-written', '']);
  });
});
