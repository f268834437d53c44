import { describe, expect, it } from 'vitest';
import { scheduleSessionLog } from '../../../src/app/sessionLogPlan.ts';
import type { SessionLogRead, SessionLogs, SessionVerifications } from '../../../src/app/sessionLogPorts.ts';
import {
  parseVerificationRequest,
  type VerificationRequest,
  writeVerificationRequest,
} from '../../../src/app/verificationRequest.ts';
import { verifySession } from '../../../src/app/verifySession.ts';
import { MalformedEventError } from '../../../src/errors.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { iamUser, named, nodeWith, runAsTag, shellContent } from '../domain/runAsFixtures.ts';
import { command, decisionFor } from '../findings/builders.ts';

const GROUP = '/aws/ssm/sessions';
const SESSION = 'alice-0a1b2c3d4e5f6a7b8';
const NODE = 'i-0123456789abcdef0';
const STREAMS = shellContent({
  runAsEnabled: true,
  runAsDefaultUser: 'ec2-user',
  cloudWatchStreamingEnabled: true,
  cloudWatchLogGroupName: GROUP,
});
const SETTINGS = { sessionLogReadDelaySeconds: 60, sessionLogWindowSeconds: 900 };

const agentRecord = (runAsUser: string, overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    eventVersion: '1.0',
    eventTime: '2026-03-01T10:00:03Z',
    awsRegion: 'us-east-1',
    target: { id: NODE },
    userIdentity: { arn: 'arn:aws:iam::111122223333:user/alice' },
    runAsUser,
    sessionId: SESSION,
    sessionData: ['$ '],
    ...overrides,
  });

/** The facts of a session on the streaming document, by a user tagged `tag`. */
const sessionFacts = (tag: string, users = nodeWith('ec2-user', 'alice')) => ({
  ...named(STREAMS, 'Logged-Shell'),
  principal: iamUser(),
  principalTags: runAsTag(tag),
  nodeUsers: users,
});

/** What the audit queues for such a session (through the real plan and codec). */
const queuedRequest = async (tag: string, reported = false, users?: ReturnType<typeof nodeWith>) => {
  const facts = sessionFacts(tag, users);
  const decision = decisionFor(facts);
  const bodies: { body: string; delay: number }[] = [];
  const note = await scheduleSessionLog(
    {
      command: command({ documentName: 'Logged-Shell', documentNamed: true, principal: iamUser() }),
      decision,
      document: facts.document,
      platform: 'Linux',
      reported,
      delaySeconds: 60,
    },
    {
      queue: async (body, delay) => {
        bodies.push({ body, delay });
        return { kind: 'queued' };
      },
    },
  );
  const [sent] = bodies;
  if (sent === undefined) throw new Error(`nothing queued (${JSON.stringify(note)})`);
  return { note, delay: sent.delay, request: parseVerificationRequest(JSON.parse(sent.body)) };
};

const logsAnswering = (read: SessionLogRead): SessionLogs & { asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    firstEventOf: async (group, session) => {
      asked.push([group, session]);
      return read;
    },
  };
};

const queueRecording = (refuse = false) => {
  const sent: { body: string; delay: number }[] = [];
  const verifications: SessionVerifications = {
    queue: async (body, delay) => {
      sent.push({ body, delay });
      return refuse
        ? { kind: 'not-queued', reason: 'queue-unavailable', detail: 'AccessDenied: no' }
        : { kind: 'queued' };
    },
  };
  return { sent, verifications };
};

const run = async (request: VerificationRequest, read: SessionLogRead, refuse = false) => {
  const imported: AsffFinding[] = [];
  const logs = logsAnswering(read);
  const queue = queueRecording(refuse);
  const evaluation = await verifySession(
    request,
    {
      sessionLogs: logs,
      verifications: queue.verifications,
      findings: { importFindings: async (f) => void imported.push(...f) },
    },
    SETTINGS,
  );
  return { evaluation, imported, asked: logs.asked, sent: queue.sent };
};

describe('scheduleSessionLog', () => {
  it('queues a streamed shell session after the delay, compliant and unreported included', async () => {
    // Act
    const { note, delay, request } = await queuedRequest('alice');

    // Assess
    expect(note).toEqual({ kind: 'scheduled', logGroupName: GROUP });
    expect(delay).toBe(60);
    expect(request).toMatchObject({
      reading: 'first',
      logGroupName: GROUP,
      reported: false,
      audited: { expectedUser: 'alice', runAsApplied: true, refusalExpected: false },
      command: { sessionId: SESSION },
      decision: { outcome: 'COMPLIANT' },
    });
  });

  it('says why a document that does not stream is not verified, and queues nothing', async () => {
    // Prepare
    const facts = { ...named(shellContent({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' })) };
    const queue = queueRecording();

    // Act
    const note = await scheduleSessionLog(
      {
        command: command(),
        decision: decisionFor(facts),
        document: facts.document,
        platform: 'Linux',
        reported: true,
        delaySeconds: 60,
      },
      queue.verifications,
    );

    // Assess
    expect(note).toEqual({ kind: 'not-verifiable', reason: 'streaming-disabled' });
    expect(queue.sent).toEqual([]);
  });

  it('says when there is no queue, or the queue refuses the request', async () => {
    // Prepare
    const facts = sessionFacts('alice');
    const input = {
      command: command(),
      decision: decisionFor(facts),
      document: facts.document,
      platform: 'Linux',
      reported: true,
      delaySeconds: 60,
    };

    // Act
    const none = await scheduleSessionLog(input, undefined);
    const refused = await scheduleSessionLog(input, queueRecording(true).verifications);

    // Assess
    expect(none).toEqual({ kind: 'not-scheduled', logGroupName: GROUP, reason: 'no-queue' });
    expect(refused).toEqual({ kind: 'not-scheduled', logGroupName: GROUP, reason: 'queue-unavailable' });
  });
});

describe('verifySession', () => {
  it('verifies by one reading and writes nothing for an unreported compliant session', async () => {
    // Prepare
    const { request } = await queuedRequest('alice');

    // Act
    const { evaluation, imported, asked, sent } = await run(request, {
      kind: 'event',
      message: agentRecord('alice'),
    });

    // Assess
    expect(asked).toEqual([[GROUP, SESSION]]);
    expect(evaluation).toMatchObject({ verdict: 'verified', observedUser: 'alice', findingId: null });
    expect(imported).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('re-imports a reported session verified, a later UpdatedAt from StartSession and the delay', async () => {
    // Prepare
    const { request } = await queuedRequest('alice', true);

    // Act
    const { imported } = await run(request, { kind: 'event', message: agentRecord('alice') });

    // Assess
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({
      CreatedAt: '2026-03-01T10:00:00.000Z',
      UpdatedAt: '2026-03-01T10:01:00.000Z',
      ProductFields: { 'RunAs/UserVerified': 'true', 'RunAs/SessionLog': 'verified' },
    });
  });

  it('writes RAN_AS_UNEXPECTED_USER for an unreported compliant session whose log shows another user', async () => {
    // Prepare
    const { request } = await queuedRequest('alice');

    // Act
    const { evaluation, imported } = await run(request, { kind: 'event', message: agentRecord('bob') });

    // Assess
    expect(evaluation).toMatchObject({ verdict: 'unexpected-user', outcome: 'RAN_AS_UNEXPECTED_USER' });
    expect(imported[0]?.Severity).toEqual({ Label: 'HIGH', Original: 'RAN_AS_UNEXPECTED_USER' });
    expect(imported[0]?.Title).toContain('ran as "bob", not the expected "alice"');
  });

  it('queues a session without a stream once more, for when the window closes', async () => {
    // Prepare
    const { request } = await queuedRequest('carol', true, nodeWith('alice'));

    // Act
    const first = await run(request, { kind: 'no-stream' });
    const again = parseVerificationRequest(JSON.parse(first.sent[0]?.body ?? '{}'));
    const last = await run(again, { kind: 'no-stream' });

    // Assess
    expect(first.evaluation).toMatchObject({ verdict: 'requeued', reason: 'no-stream', findingId: null });
    expect(first.sent.map((s) => s.delay)).toEqual([840]);
    expect(first.imported).toEqual([]);
    expect(again.reading).toBe('last');
    expect(last.evaluation).toMatchObject({ verdict: 'never-started', outcome: 'MISSING_RUN_AS_USER' });
    expect(last.sent).toEqual([]);
    expect(last.imported[0]).toMatchObject({
      UpdatedAt: '2026-03-01T10:15:00.000Z',
      ProductFields: { 'RunAs/Evidence': 'refusal-confirmed', 'RunAs/SessionLog': 'never-started' },
    });
  });

  it('judges at once when the re-queue is refused', async () => {
    // Prepare
    const { request } = await queuedRequest('carol', true, nodeWith('alice'));

    // Act
    const { evaluation, imported } = await run(request, { kind: 'no-stream' }, true);

    // Assess
    expect(evaluation.verdict).toBe('never-started');
    expect(imported).toHaveLength(1);
  });

  it.each([
    [
      'an unreadable group',
      { kind: 'unreadable', reason: 'access-denied', detail: 'AccessDeniedException: no' },
      'access-denied',
    ],
    ['a KMS failure', { kind: 'unreadable', reason: 'kms', detail: 'AccessDeniedException: KMS' }, 'kms'],
    [
      'a forged record for another session',
      { kind: 'event', message: agentRecord('alice', { sessionId: 'x-1' }) },
      'malformed-record',
    ],
    ['a record that is not JSON', { kind: 'event', message: 'root' }, 'malformed-record'],
  ] as const)('reports %s as unknown, never as a user', async (_case, read, reason) => {
    // Prepare
    const { request } = await queuedRequest('alice', true);

    // Act
    const { evaluation, imported } = await run(request, read);

    // Assess
    expect(evaluation).toMatchObject({ verdict: 'unknown', reason, outcome: 'COMPLIANT', observedUser: '' });
    expect(imported[0]?.ProductFields?.['RunAs/SessionLog']).toBe('unknown');
    expect(imported[0]?.ProductFields).not.toHaveProperty('RunAs/ObservedUser');
  });
});

describe('the verification request codec', () => {
  it('reads back what it writes, U+FFFE escaped for SQS', async () => {
    // Prepare
    const { request } = await queuedRequest('alice');
    const odd = { ...request, platform: 'Linux\ufffe' };

    // Act
    const body = writeVerificationRequest(odd);

    // Assess
    expect(body).not.toContain('\ufffe');
    expect(parseVerificationRequest(JSON.parse(body))).toEqual(odd);
  });

  it.each([
    ['not an object', () => 'x', 'body'],
    ['another kind', (r: Record<string, unknown>) => ({ ...r, kind: 'other' }), 'kind'],
    ['another version', (r: Record<string, unknown>) => ({ ...r, version: 2 }), 'version'],
    ['a reading that is neither', (r: Record<string, unknown>) => ({ ...r, reading: 'third' }), 'reading'],
    [
      'a log group name CloudWatch Logs refuses',
      (r: Record<string, unknown>) => ({ ...r, logGroupName: 'a b' }),
      'logGroupName',
    ],
    [
      'a non-boolean refusal',
      (r: Record<string, unknown>) => ({
        ...r,
        audited: { expectedUser: 'a', runAsApplied: true, refusalExpected: 'no' },
      }),
      'audited.refusalExpected',
    ],
    [
      'no session id',
      (r: Record<string, unknown>) => ({ ...r, command: { ...(r.command as object), sessionId: null } }),
      'command.sessionId',
    ],
    [
      'a Region that is none',
      (r: Record<string, unknown>) => ({ ...r, command: { ...(r.command as object), region: 'mars-1' } }),
      'command.region',
    ],
    [
      'an outcome that is none',
      (r: Record<string, unknown>) => ({ ...r, decision: { ...(r.decision as object), outcome: 'FINE' } }),
      'decision.outcome',
    ],
    [
      'steps that are not steps',
      (r: Record<string, unknown>) => ({ ...r, decision: { ...(r.decision as object), steps: [1] } }),
      'decision.steps',
    ],
  ])('refuses %s, naming the field', async (_case, change, field) => {
    // Prepare
    const { request } = await queuedRequest('alice');
    const body = change(JSON.parse(writeVerificationRequest(request)) as Record<string, unknown>);

    // Act
    const parse = () => parseVerificationRequest(body);

    // Assess
    expect(parse).toThrow(MalformedEventError);
    expect(parse).toThrow(`malformed event: ${field}`);
  });
});
