/**
 * Session log verification end to end: the real audit and verification handlers through replay,
 * the real SDK over HTTP, the local endpoint serving CloudWatch Logs (streams appear at their
 * event time) and the verification queue (its messages delayed). One world, one account, one
 * node; each case is a StartSession on a document of its own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplayEvent, ReplayResult } from '../../src/local/tools/replay.ts';
import { parseWorld, type StoredFinding } from '../../src/local/world/world.ts';
import { readEvents, replayAll, withDetail } from './replayHelpers.ts';

const NODE = 'i-0a1b2c3d4e5f60001';
const GROUP = '/aws/ssm/sessions';
const LOCKED = '/aws/ssm/locked';
const ENCRYPTED = '/aws/ssm/encrypted';
const T0 = Date.parse('2026-03-01T12:00:00Z');

const shell = (name: string, inputs: Record<string, unknown>) => ({
  name,
  content: {
    schemaVersion: '1.0',
    sessionType: 'Standard_Stream',
    inputs: { runAsEnabled: true, ...inputs },
  },
});
const streamsTo = (group: string) => ({ cloudWatchStreamingEnabled: true, cloudWatchLogGroupName: group });

const record = (sessionId: string, runAsUser: string, at: number) => ({
  timestamp: new Date(at).toISOString(),
  message: {
    eventVersion: '1.0',
    eventTime: new Date(at).toISOString().replace('.000Z', 'Z'),
    awsRegion: 'us-east-1',
    target: { id: NODE },
    userIdentity: { arn: 'arn:aws:iam::111122223333:user/alice' },
    runAsUser,
    sessionId,
    sessionData: ['$ '],
  },
});

/** Case name → the document the session names, the session id, the user the agent records (none: no stream). */
const CASES = {
  verified: { document: 'Logged', user: 'alice' },
  mismatch: { document: 'Logged', user: 'mallory' },
  hostile: { document: 'Logged', user: 'x$(reboot)\u202e' },
  refused: { document: 'LoggedDefaultMissing', user: undefined },
  unstreamed: { document: 'Unlogged', user: undefined },
  unreadable: { document: 'LoggedLocked', user: 'alice' },
  encrypted: { document: 'LoggedEncrypted', user: 'alice' },
  port: { document: 'AWS-StartPortForwardingSession', user: undefined },
} as const;

type Case = keyof typeof CASES;
const sessionOf = (name: Case): string => `alice-0c1d2e3f4a5b6c7${Object.keys(CASES).indexOf(name)}`;

const world = () =>
  parseWorld({
    accountId: '111122223333',
    now: '2026-03-01T12:00:00Z',
    iam: { users: [{ userName: 'alice', tags: { SSMSessionRunAs: 'alice' } }, { userName: 'carol' }] },
    regions: {
      'us-east-1': {
        documents: [
          shell('SSM-SessionManagerRunShell', { runAsDefaultUser: 'ec2-user' }),
          shell('Logged', streamsTo(GROUP)),
          // No tag is read for this document's principal: its default user is not on the node.
          shell('LoggedDefaultMissing', { ...streamsTo(GROUP), runAsDefaultUser: 'nobody-here' }),
          shell('Unlogged', { cloudWatchStreamingEnabled: false, cloudWatchLogGroupName: GROUP }),
          shell('LoggedLocked', streamsTo(LOCKED)),
          shell('LoggedEncrypted', { ...streamsTo(ENCRYPTED), cloudWatchEncryptionEnabled: true }),
          {
            name: 'AWS-StartPortForwardingSession',
            content: { schemaVersion: '1.0', sessionType: 'Port', properties: { portNumber: '8080' } },
          },
        ],
        nodes: [{ id: NODE, platform: 'Linux', users: ['root', 'ec2-user', 'ssm-user', 'alice'] }],
        logGroups: [
          {
            name: GROUP,
            streams: Object.entries(CASES).flatMap(([name, c], i) =>
              c.user === undefined || c.document !== 'Logged'
                ? []
                : [
                    {
                      name: sessionOf(name as Case),
                      events: [record(sessionOf(name as Case), c.user, T0 + i * 60_000 + 2_000)],
                    },
                  ],
            ),
          },
          {
            name: LOCKED,
            readable: false,
            streams: [
              {
                name: sessionOf('unreadable'),
                events: [record(sessionOf('unreadable'), 'alice', T0 + 302_000)],
              },
            ],
          },
          {
            // A key CloudWatch Logs may not use for the caller: the group cannot be read.
            name: ENCRYPTED,
            readable: false,
            kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
            streams: [
              {
                name: sessionOf('encrypted'),
                events: [record(sessionOf('encrypted'), 'alice', T0 + 362_000)],
              },
            ],
          },
        ],
      },
    },
  });

let result: ReplayResult;
let events: ReplayEvent[];

beforeAll(async () => {
  const [base] = await readEvents(['startsession-compliant-iamuser-tag.json']);
  events = Object.entries(CASES).map(([name, c], i) => ({
    name,
    event: withDetail(base?.event, (detail, envelope) => {
      const time = new Date(T0 + i * 60_000).toISOString().replace('.000Z', 'Z');
      envelope.time = time;
      detail.eventTime = time;
      detail.eventID = `00000000-0000-4000-8000-00000000000${i}`;
      detail.requestParameters = { target: NODE, documentName: c.document };
      detail.responseElements = { sessionId: sessionOf(name as Case) };
      // The session whose default user is refused is started by a principal without a tag.
      if (name === 'refused') {
        (detail.userIdentity as Record<string, unknown>).arn = 'arn:aws:iam::111122223333:user/carol';
        (detail.userIdentity as Record<string, unknown>).userName = 'carol';
      }
    }),
  }));
  // Compliant findings are not reported: a caught session must be written all the same.
  result = await replayAll(events, { world: world(), envVars: { Parameters: {} } });
});

const readingsOf = (name: Case) =>
  (result.evaluations.find((e) => e.event === name)?.runs ?? [])
    .filter((r) => r.logicalId === 'SessionVerificationFunction')
    .map((r) => ({ ...(r.result as Record<string, unknown>), error: r.error }));

const auditOf = (name: Case) =>
  result.evaluations.find((e) => e.event === name)?.runs.find((r) => r.logicalId === 'AuditSessionFunction')
    ?.result as Record<string, unknown> | undefined;

const findingOf = (name: Case): StoredFinding | undefined =>
  result.findings.find((f) => f.Id === `111122223333/us-east-1/ssm-runas/session/${sessionOf(name)}`);

const at = (name: Case, seconds: number): string =>
  new Date(T0 + Object.keys(CASES).indexOf(name) * 60_000 + seconds * 1000).toISOString();

describe('session log verification', () => {
  it('verifies a compliant session by its log, in one reading, and writes nothing unreported', () => {
    // Assess
    expect(auditOf('verified')).toMatchObject({
      outcome: 'COMPLIANT',
      sessionLog: 'scheduled',
      findingId: null,
    });
    expect(readingsOf('verified')).toEqual([
      expect.objectContaining({
        reading: 'first',
        verdict: 'verified',
        observedUser: 'alice',
        findingId: null,
      }),
    ]);
    expect(findingOf('verified')).toBeUndefined();
  });

  it('catches a compliant session whose log shows another user, even with compliant findings off', () => {
    // Act
    const finding = findingOf('mismatch');

    // Assess
    expect(readingsOf('mismatch')).toEqual([
      expect.objectContaining({ verdict: 'unexpected-user', outcome: 'RAN_AS_UNEXPECTED_USER' }),
    ]);
    expect(finding).toMatchObject({
      Severity: { Label: 'HIGH', Original: 'RAN_AS_UNEXPECTED_USER' },
      Compliance: { Status: 'FAILED' },
      CreatedAt: at('mismatch', 0),
      UpdatedAt: at('mismatch', 60),
    });
    expect(finding?.Title).toContain('"mallory"');
    expect(finding?.Title).toContain('"alice"');
    expect(finding?.ProductFields).toMatchObject({
      'RunAs/ObservedUser': 'mallory',
      'RunAs/ExpectedUser': 'alice',
      'RunAs/SessionUser': 'mallory',
      'RunAs/Evidence': 'session-log',
      'RunAs/SessionLog': 'unexpected-user',
      'RunAs/SessionLogGroup': GROUP,
    });
  });

  it('keeps a hostile recorded user out of the Title and Description, and exact in ProductFields', () => {
    // Act
    const finding = findingOf('hostile');

    // Assess
    expect(finding?.ProductFields?.['RunAs/Outcome']).toBe('RAN_AS_UNEXPECTED_USER');
    expect(finding?.Title).toContain('a value that is not a safe user name');
    expect(`${finding?.Title}${finding?.Description}`).not.toMatch(/reboot|\u202e/);
    expect(finding?.ProductFields?.['RunAs/ObservedUser']).toBe('x$(reboot)\\u202e');
  });

  it('confirms a refusal when no stream appears by the end of the window (read twice)', () => {
    // Act
    const finding = findingOf('refused');

    // Assess
    expect(auditOf('refused')).toMatchObject({ outcome: 'MISSING_RUN_AS_USER', sessionLog: 'scheduled' });
    expect(readingsOf('refused')).toEqual([
      expect.objectContaining({ reading: 'first', verdict: 'requeued', reason: 'no-stream' }),
      expect.objectContaining({ reading: 'last', verdict: 'never-started', outcome: 'MISSING_RUN_AS_USER' }),
    ]);
    expect(finding?.UpdatedAt).toBe(at('refused', 900));
    expect(finding?.ProductFields).toMatchObject({
      'RunAs/Evidence': 'refusal-confirmed',
      'RunAs/SessionLog': 'never-started',
    });
    expect(finding?.Description).toContain('the session never started a shell');
  });

  it('does not queue a document that does not stream, and a Port session, and says why', () => {
    // Assess
    expect(auditOf('unstreamed')).toMatchObject({ sessionLog: 'not-verifiable' });
    expect(readingsOf('unstreamed')).toEqual([]);
    expect(auditOf('port')).toMatchObject({ outcome: 'NOT_APPLICABLE', sessionLog: 'not-verifiable' });
    expect(readingsOf('port')).toEqual([]);
  });

  it('reports an unreadable log group and an unusable KMS key in the finding instead of failing', () => {
    // Assess
    expect(readingsOf('unreadable')).toEqual([
      expect.objectContaining({ verdict: 'unknown', reason: 'access-denied', error: undefined }),
    ]);
    expect(readingsOf('encrypted')).toEqual([
      expect.objectContaining({ verdict: 'unknown', reason: 'kms', error: undefined }),
    ]);
    expect(result.deadLetters).toEqual([]);
  });

  it('makes one GetLogEvents per reading and one SendMessage per queued reading', () => {
    // Prepare
    const readings = Object.keys(CASES).flatMap((name) => readingsOf(name as Case));

    // Assess
    expect(result.calls['logs:GetLogEvents']).toBe(readings.length);
    expect(result.calls['sqs:SendMessage']).toBe(readings.length);
  });
});

describe('session log verification with every outcome reported', () => {
  it('says in the finding why a non-streaming document and an unreadable log group are not verified', async () => {
    // Act
    const reported = await replayAll(events, { world: world() });
    const byCase = (name: Case) =>
      reported.findings.find((f) => f.Id === `111122223333/us-east-1/ssm-runas/session/${sessionOf(name)}`);

    // Assess
    expect(byCase('unstreamed')?.Description).toContain('does not stream sessions to CloudWatch Logs');
    expect(byCase('unstreamed')?.ProductFields?.['RunAs/SessionLog']).toBe('not-verifiable');
    expect(byCase('unreadable')?.ProductFields).toMatchObject({
      'RunAs/Outcome': 'COMPLIANT',
      'RunAs/SessionLog': 'unknown',
      'RunAs/Evidence': 'node-users',
    });
    expect(byCase('unreadable')?.Description).toContain('could not be read (access denied)');
    const remediation = byCase('unreadable')?.Remediation as { Recommendation: { Text: string } } | undefined;
    expect(remediation?.Recommendation.Text).toContain('logs:GetLogEvents');
    expect(byCase('verified')?.ProductFields).toMatchObject({
      'RunAs/UserVerified': 'true',
      'RunAs/Evidence': 'session-log',
      'RunAs/SessionLog': 'verified',
    });
    expect(byCase('verified')?.Description).toContain('Verified by the session log');
    expect(byCase('port')?.Description).toContain('Port sessions write no session log');
  });
});
