import { describe, expect, it } from 'vitest';
import {
  type SessionLogNote,
  sessionLogFix,
  sessionLogSentence,
  sessionLogState,
} from '../../../src/findings/sessionLogText.ts';

const GROUP = '/aws/ssm/sessions';
const read = (verdict: Extract<SessionLogNote, { kind: 'read' }>['verdict']): SessionLogNote => ({
  kind: 'read',
  logGroupName: GROUP,
  verdict,
  observedAt: '2026-03-01T10:01:00.000Z',
  windowMinutes: 15,
});

describe('the session log in words', () => {
  it.each<[string, SessionLogNote, RegExp, string]>([
    ['queued', { kind: 'scheduled', logGroupName: GROUP }, /reads the session log to confirm/, 'scheduled'],
    [
      'no queue',
      { kind: 'not-scheduled', logGroupName: GROUP, reason: 'no-queue' },
      /no session verification queue/,
      'not-scheduled',
    ],
    [
      'a port',
      { kind: 'not-verifiable', reason: 'port-session' },
      /Port sessions write no session log/,
      'not-verifiable',
    ],
    [
      'commands',
      { kind: 'not-verifiable', reason: 'command-document' },
      /Command sessions never stream/,
      'not-verifiable',
    ],
    [
      'a name it cannot resolve',
      { kind: 'not-verifiable', reason: 'log-group-unknown' },
      /cannot resolve/,
      'not-verifiable',
    ],
    [
      'verified',
      read({ kind: 'verified', observedUser: 'alice' }),
      /^Verified by the session log: .*"alice"/,
      'verified',
    ],
    [
      'another user',
      read({ kind: 'unexpected-user', observedUser: 'bob', expectedUser: 'alice' }),
      /"bob", not the expected "alice"/,
      'unexpected-user',
    ],
    [
      'a refusal disproved',
      read({ kind: 'started-although-refused', observedUser: 'bob' }),
      /although the agent should have refused this session for "alice"/,
      'started-although-refused',
    ],
    [
      'never started',
      read({ kind: 'never-started' }),
      /within 15 minutes .* never started a shell/,
      'never-started',
    ],
    ['masked', read({ kind: 'unknown', reason: 'masked' }), /data protection policy/, 'unknown'],
    ['no stream, not refused', read({ kind: 'unknown', reason: 'no-stream' }), /unable to stream/, 'unknown'],
    ['an empty stream', read({ kind: 'unknown', reason: 'empty-stream' }), /holds no event/, 'unknown'],
  ])('%s', (_case, note, sentence, state) => {
    // Act
    const text = sessionLogSentence(note, 'alice');

    // Assess
    expect(text).toMatch(sentence);
    expect(sessionLogState(note)).toBe(state);
  });

  it('never shows a recorded value that is not a safe user name', () => {
    // Act
    const text = sessionLogSentence(
      read({ kind: 'unexpected-user', observedUser: 'a;reboot\u202e', expectedUser: 'alice' }),
      'alice',
    );

    // Assess
    expect(text).toContain('a value that is not a safe user name');
    expect(text).not.toMatch(/reboot|\u202e/);
  });

  it('says what to fix for a missing grant, a KMS key, another user and a refused queue', () => {
    // Assess
    expect(sessionLogFix(read({ kind: 'unknown', reason: 'access-denied' }))).toContain(
      'SessionLogGroupPattern',
    );
    expect(sessionLogFix(read({ kind: 'unknown', reason: 'kms' }))).toContain('KMS key');
    expect(sessionLogFix(read({ kind: 'unexpected-user', observedUser: 'b', expectedUser: 'a' }))).toContain(
      'session tags',
    );
    expect(
      sessionLogFix({ kind: 'not-scheduled', logGroupName: GROUP, reason: 'queue-unavailable' }),
    ).toContain('sqs:SendMessage');
    expect(sessionLogFix(read({ kind: 'verified', observedUser: 'a' }))).toBe('');
  });
});
