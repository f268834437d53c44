import { describe, expect, it } from 'vitest';
import type { SessionDocument } from '../../../src/domain/sessionDocument.ts';
import {
  type AuditedShell,
  judgeSessionLog,
  MAX_SESSION_LOG_MESSAGE_LENGTH,
  parseSessionLogMessage,
  readSessionLogSettings,
  type SessionLogEvidence,
  type SessionLogVerdict,
} from '../../../src/domain/sessionLog.ts';
import type { SessionType } from '../../../src/domain/sessionManager.ts';

const SESSION = 'alice-0a1b2c3d4e5f6a7b8';
const NODE = 'i-0123456789abcdef0';
const EXPECTED = { sessionId: SESSION, target: NODE };

const fields = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventVersion: '1.0',
  eventTime: '2026-03-01T00:05:03Z',
  awsRegion: 'us-east-1',
  target: { id: NODE },
  userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/Operators/alice' },
  runAsUser: 'alice',
  sessionId: SESSION,
  sessionData: ['[alice@ip-10-0-0-1 ~]$ '],
  ...overrides,
});
const message = (overrides: Record<string, unknown> = {}): string => JSON.stringify(fields(overrides));
const without = (key: string): string => {
  const { [key]: _dropped, ...rest } = fields();
  return JSON.stringify(rest);
};
/** A message whose `key` holds raw JSON text (deep nesting that JSON.stringify could not write). */
const withRaw = (key: string, raw: string): string => message({ [key]: '<raw>' }).replace('"<raw>"', raw);
const deep = (depth: number): string => `${'['.repeat(depth)}"alice"${']'.repeat(depth)}`;

// As Go's json.Marshal writes it: struct field order, <>& and control characters escaped.
const AGENT_MESSAGE =
  '{"eventVersion":"1.0","eventTime":"2026-03-01T00:05:03Z","awsRegion":"us-east-1",' +
  `"target":{"id":"${NODE}"},"userIdentity":{"arn":"arn:aws:sts::111122223333:assumed-role/Operators/alice"},` +
  `"runAsUser":"alice","sessionId":"${SESSION}",` +
  '"sessionData":["\\u001b]0;alice@ip-10-0-0-1:~\\u0007[alice@ip-10-0-0-1 ~]$ echo \\u003cok\\u003e \\u0026\\u0026 id"]}';

describe('parseSessionLogMessage', () => {
  it('reads the agent message as Go marshals it', () => {
    // Act
    const parsed = parseSessionLogMessage(AGENT_MESSAGE, EXPECTED);

    // Assess
    expect(parsed).toEqual({
      kind: 'record',
      runAsUser: 'alice',
      sessionId: SESSION,
      target: NODE,
      eventTime: '2026-03-01T00:05:03Z',
    });
  });

  it.each([
    ['a shell metacharacter payload', '$(id)'],
    ['a zero-width space', 'alice\u200b'],
    ['a bidi override', '\u202eecila'],
    ['leading blank kept', ' alice'],
    ['a numeric uid', '1000'],
    ['the empty string of an elevated or container shell', ''],
  ])('keeps runAsUser exactly as written: %s', (_case, runAsUser) => {
    // Act
    const parsed = parseSessionLogMessage(message({ runAsUser }), EXPECTED);

    // Assess
    expect(parsed).toMatchObject({ kind: 'record', runAsUser });
  });

  it('accepts a message exactly at the size cap', () => {
    // Prepare
    const base = message({ sessionData: [''] });
    const padded = message({ sessionData: ['x'.repeat(MAX_SESSION_LOG_MESSAGE_LENGTH - base.length)] });

    // Act
    const parsed = parseSessionLogMessage(padded, EXPECTED);

    // Assess
    expect(padded.length).toBe(MAX_SESSION_LOG_MESSAGE_LENGTH);
    expect(parsed.kind).toBe('record');
  });

  it.each([
    ['one character over the cap', 'x'.repeat(MAX_SESSION_LOG_MESSAGE_LENGTH + 1), 'longer than'],
    [
      'huge valid JSON',
      message({ sessionData: ['x'.repeat(MAX_SESSION_LOG_MESSAGE_LENGTH)] }),
      'longer than',
    ],
    ['cut-off JSON', '{"eventVersion":"1.0",', 'not JSON'],
    ['plain transcript text', '[alice@ip-10-0-0-1 ~]$ whoami', 'not JSON'],
    ['a JSON array', '[]', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['a JSON string', '"alice"', 'not a JSON object'],
    ['a field in another case', message({ RunAsUser: 'root' }), 'field the agent does not write'],
    ['a __proto__ field', `{"__proto__":{"runAsUser":"alice"},${message().slice(1)}`, 'field the agent'],
    ['another event version', message({ eventVersion: '2.0' }), 'eventVersion'],
    ['a numeric event version', message({ eventVersion: 1 }), 'eventVersion'],
    ['no eventTime', without('eventTime'), 'eventTime'],
    ['a word for eventTime', message({ eventTime: 'yesterday' }), 'eventTime'],
    ['an impossible eventTime', message({ eventTime: '2026-13-45T99:99:99Z' }), 'eventTime'],
    ['no awsRegion', without('awsRegion'), 'awsRegion'],
    ['no runAsUser', without('runAsUser'), 'runAsUser is not a string'],
    ['a null runAsUser', message({ runAsUser: null }), 'runAsUser is not a string'],
    ['a numeric runAsUser', message({ runAsUser: 0 }), 'runAsUser is not a string'],
    ['runAsUser as a list', message({ runAsUser: ['alice'] }), 'runAsUser is not a string'],
    ['runAsUser nested 100,000 deep', withRaw('runAsUser', deep(100_000)), 'runAsUser is not a string'],
    ['an endless runAsUser', message({ runAsUser: 'a'.repeat(1025) }), 'longer than any user name'],
    ['another session id', message({ sessionId: 'bob-0a1b2c3d4e5f6a7b8' }), 'sessionId is not the session'],
    ['the session id in another case', message({ sessionId: SESSION.toUpperCase() }), 'sessionId is not'],
    ['no session id', without('sessionId'), 'sessionId is not a string'],
    [
      'another node',
      message({ target: { id: 'i-0aaaaaaaaaaaaaaa1' } }),
      'target.id is not the session target',
    ],
    ['target as a string', message({ target: NODE }), 'target is not an object'],
    ['target with extra fields', message({ target: { id: NODE, arn: 'x' } }), 'exactly "id"'],
    ['a numeric target id', message({ target: { id: 7 } }), 'target.id is not a string'],
    ['no userIdentity', without('userIdentity'), 'userIdentity is not an object'],
    ['a numeric owner', message({ userIdentity: { arn: 1 } }), 'userIdentity.arn is not a string'],
    ['sessionData of numbers', message({ sessionData: [1, 2] }), 'sessionData'],
    ['sessionData nested deep', withRaw('sessionData', `[${deep(100_000)}]`), 'sessionData'],
    ['no sessionData', without('sessionData'), 'sessionData'],
  ])('rejects %s', (_case, text, problem) => {
    // Act
    const parsed = parseSessionLogMessage(text, EXPECTED);

    // Assess
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.problem).toContain(problem);
  });

  it('never echoes the message into the problem', () => {
    // Prepare
    const hostile = message({ runAsUser: 42, awsRegion: '$(curl evil)\u202e' });

    // Act
    const parsed = parseSessionLogMessage(hostile, EXPECTED);

    // Assess
    expect(parsed).toEqual({ kind: 'malformed', problem: 'runAsUser is not a string' });
  });
});

describe('judgeSessionLog', () => {
  const shell = (overrides: Partial<AuditedShell> = {}): AuditedShell => ({
    expectedUser: 'alice',
    runAsApplied: true,
    refusalExpected: false,
    ...overrides,
  });
  const recorded = (runAsUser: string): SessionLogEvidence => ({
    kind: 'record',
    runAsUser,
    sessionId: SESSION,
    target: NODE,
    eventTime: '2026-03-01T00:05:03Z',
  });

  it.each<[string, AuditedShell, SessionLogEvidence, boolean, SessionLogVerdict]>([
    ['the expected user', shell(), recorded('alice'), false, { kind: 'verified', observedUser: 'alice' }],
    [
      'a uid as expected',
      shell({ expectedUser: '1000' }),
      recorded('1000'),
      true,
      { kind: 'verified', observedUser: '1000' },
    ],
    [
      'ssm-user with Run As off',
      shell({ runAsApplied: false, expectedUser: '' }),
      recorded('ssm-user'),
      false,
      { kind: 'verified', observedUser: 'ssm-user' },
    ],
    [
      'another user',
      shell(),
      recorded('root'),
      false,
      { kind: 'unexpected-user', observedUser: 'root', expectedUser: 'alice' },
    ],
    [
      'the agent user with Run As off',
      shell({ runAsApplied: false }),
      recorded('ec2-user'),
      false,
      { kind: 'unexpected-user', observedUser: 'ec2-user', expectedUser: 'ssm-user' },
    ],
    [
      'another case',
      shell(),
      recorded('Alice'),
      false,
      { kind: 'unexpected-user', observedUser: 'Alice', expectedUser: 'alice' },
    ],
    [
      'a zero-width lookalike',
      shell(),
      recorded('alice\u200b'),
      false,
      { kind: 'unexpected-user', observedUser: 'alice\u200b', expectedUser: 'alice' },
    ],
    [
      'a shell payload',
      shell(),
      recorded('$(id)'),
      false,
      { kind: 'unexpected-user', observedUser: '$(id)', expectedUser: 'alice' },
    ],
    [
      'an untrimmed expectation kept',
      shell({ expectedUser: ' alice' }),
      recorded(' alice'),
      false,
      { kind: 'verified', observedUser: ' alice' },
    ],
    [
      'a masked directory user',
      shell({ expectedUser: 'alice@corp.example' }),
      recorded('*****@corp.example'),
      false,
      { kind: 'unknown', reason: 'masked' },
    ],
    [
      'no user recorded',
      shell(),
      recorded(''),
      false,
      { kind: 'not-verifiable', reason: 'no-user-recorded' },
    ],
    [
      'a shell the audit said was refused',
      shell({ refusalExpected: true }),
      recorded('alice'),
      false,
      { kind: 'started-although-refused', observedUser: 'alice' },
    ],
    ['no stream yet', shell({ refusalExpected: true }), { kind: 'no-stream' }, false, { kind: 'pending' }],
    [
      'no stream after the window, refusal expected',
      shell({ refusalExpected: true }),
      { kind: 'no-stream' },
      true,
      { kind: 'never-started' },
    ],
    [
      'no stream after the window, shell expected',
      shell(),
      { kind: 'no-stream' },
      true,
      { kind: 'unknown', reason: 'no-stream' },
    ],
    ['an empty stream in the window', shell(), { kind: 'empty-stream' }, false, { kind: 'pending' }],
    [
      'an empty stream after the window',
      shell(),
      { kind: 'empty-stream' },
      true,
      { kind: 'unknown', reason: 'empty-stream' },
    ],
    [
      'a missing log group',
      shell({ refusalExpected: true }),
      { kind: 'no-group' },
      true,
      { kind: 'not-verifiable', reason: 'log-group-missing' },
    ],
    [
      'access denied',
      shell(),
      { kind: 'unreadable', reason: 'access-denied' },
      false,
      { kind: 'unknown', reason: 'access-denied' },
    ],
    [
      'an unusable KMS key',
      shell(),
      { kind: 'unreadable', reason: 'kms' },
      false,
      { kind: 'unknown', reason: 'kms' },
    ],
    [
      'a malformed record',
      shell(),
      { kind: 'malformed', problem: 'eventVersion is not "1.0"' },
      false,
      { kind: 'unknown', reason: 'malformed-record', problem: 'eventVersion is not "1.0"' },
    ],
    [
      'a Port session',
      shell(),
      { kind: 'not-streamed', reason: 'port-session' },
      false,
      { kind: 'not-verifiable', reason: 'port-session' },
    ],
    [
      'a command document',
      shell(),
      { kind: 'not-streamed', reason: 'command-document' },
      true,
      { kind: 'not-verifiable', reason: 'command-document' },
    ],
    [
      'a document that does not stream',
      shell(),
      { kind: 'not-streamed', reason: 'streaming-disabled' },
      true,
      { kind: 'not-verifiable', reason: 'streaming-disabled' },
    ],
    [
      'a log group name from Parameter Store',
      shell(),
      { kind: 'settings-unknown' },
      true,
      { kind: 'unknown', reason: 'settings-unknown' },
    ],
  ])('%s', (_case, audited, evidence, windowClosed, verdict) => {
    // Act
    const judged = judgeSessionLog(audited, evidence, windowClosed);

    // Assess
    expect(judged).toEqual(verdict);
  });
});

describe('readSessionLogSettings', () => {
  const doc = (
    inputs: Record<string, unknown>,
    options: { sessionType?: SessionType; parameters?: SessionDocument['parameters'] } = {},
  ): SessionDocument => ({
    schemaVersion: '1.0',
    sessionType: options.sessionType ?? 'Standard_Stream',
    inputs,
    parameters: options.parameters ?? {},
    properties: {},
  });
  const streams = (logGroupName: string, encryption = 'not-required') => ({
    kind: 'streams',
    logGroupName,
    encryption,
  });
  const notStreamed = (reason: string) => ({ kind: 'not-streamed', reason });
  const ON = { cloudWatchStreamingEnabled: true, cloudWatchLogGroupName: '/ssm/sessions' };

  it.each<[string, Record<string, unknown>, unknown]>([
    ['streaming to a group', ON, streams('/ssm/sessions')],
    [
      'encryption required',
      { ...ON, cloudWatchEncryptionEnabled: true },
      streams('/ssm/sessions', 'required'),
    ],
    [
      'encryption as the string "TRUE"',
      { ...ON, cloudWatchEncryptionEnabled: 'TRUE' },
      streams('/ssm/sessions', 'required'),
    ],
    ['encryption as ""', { ...ON, cloudWatchEncryptionEnabled: '' }, streams('/ssm/sessions')],
    ['encryption as "yes"', { ...ON, cloudWatchEncryptionEnabled: 'yes' }, notStreamed('document-rejected')],
    ['encryption as a number', { ...ON, cloudWatchEncryptionEnabled: 1 }, notStreamed('document-rejected')],
    [
      'keys in another case',
      { CloudWatchStreamingEnabled: true, CLOUDWATCHLOGGROUPNAME: '/a' },
      streams('/a'),
    ],
    [
      'a long s that Go folds onto s',
      { cloudWatchſtreamingEnabled: true, cloudWatchLogGroupName: '/a' },
      streams('/a'),
    ],
    [
      'a dotted capital I that Go folds onto i',
      { cloudWatchStreamİngEnabled: true, cloudWatchLogGroupName: '/a' },
      streams('/a'),
    ],
    [
      'a digit lookalike Go does not fold',
      { cloudWatchStreamingEnab1ed: true, cloudWatchLogGroupName: '/a' },
      notStreamed('streaming-disabled'),
    ],
    [
      'a Cyrillic lookalike Go does not fold',
      { cloudWatchStreamingEnаbled: true, cloudWatchLogGroupName: '/a' },
      notStreamed('streaming-disabled'),
    ],
    [
      'two spellings, the last false',
      { cloudWatchStreamingEnabled: true, CloudWatchStreamingEnabled: false, cloudWatchLogGroupName: '/a' },
      notStreamed('streaming-disabled'),
    ],
    [
      'two spellings, the last true',
      { CloudWatchStreamingEnabled: false, cloudWatchStreamingEnabled: true, cloudWatchLogGroupName: '/a' },
      streams('/a'),
    ],
    ['streaming off', { ...ON, cloudWatchStreamingEnabled: false }, notStreamed('streaming-disabled')],
    ['streaming null', { ...ON, cloudWatchStreamingEnabled: null }, notStreamed('streaming-disabled')],
    ['streaming not set', { cloudWatchLogGroupName: '/a' }, notStreamed('streaming-disabled')],
    [
      'streaming as the string "true"',
      { ...ON, cloudWatchStreamingEnabled: 'true' },
      notStreamed('document-rejected'),
    ],
    [
      'streaming as a template',
      { ...ON, cloudWatchStreamingEnabled: '{{stream}}' },
      notStreamed('document-rejected'),
    ],
    ['streaming as 1', { ...ON, cloudWatchStreamingEnabled: 1 }, notStreamed('document-rejected')],
    ['a numeric group name', { ...ON, cloudWatchLogGroupName: 42 }, notStreamed('document-rejected')],
    ['a null group name', { ...ON, cloudWatchLogGroupName: null }, notStreamed('no-log-group')],
    ['an empty group name', { ...ON, cloudWatchLogGroupName: '' }, notStreamed('no-log-group')],
    ['a blank group name', { ...ON, cloudWatchLogGroupName: ' ' }, notStreamed('invalid-log-group-name')],
    [
      'a group name with a colon',
      { ...ON, cloudWatchLogGroupName: 'a:b' },
      notStreamed('invalid-log-group-name'),
    ],
    [
      'a group name of 513 characters',
      { ...ON, cloudWatchLogGroupName: 'a'.repeat(513) },
      notStreamed('invalid-log-group-name'),
    ],
    [
      'a group name of 512 characters',
      { ...ON, cloudWatchLogGroupName: 'a'.repeat(512) },
      streams('a'.repeat(512)),
    ],
    [
      'every allowed character',
      { ...ON, cloudWatchLogGroupName: '/aws/ssm#Sessions_1.log-x' },
      streams('/aws/ssm#Sessions_1.log-x'),
    ],
    [
      'a group from Parameter Store',
      { ...ON, cloudWatchLogGroupName: '{{ssm:/ops/log-group}}' },
      { kind: 'unknown' },
    ],
    [
      'a group from a parameter the document does not declare (left as written)',
      { ...ON, cloudWatchLogGroupName: '{{nothing}}' },
      notStreamed('invalid-log-group-name'),
    ],
    [
      'encryption from Parameter Store',
      { ...ON, cloudWatchEncryptionEnabled: '{{ssm:/ops/enc}}' },
      streams('/ssm/sessions', 'unknown'),
    ],
    [
      'a rejected input even with streaming off',
      { cloudWatchStreamingEnabled: false, cloudWatchEncryptionEnabled: 'maybe' },
      notStreamed('document-rejected'),
    ],
  ])('%s', (_case, inputs, settings) => {
    // Act
    const read = readSessionLogSettings(doc(inputs), {});

    // Assess
    expect(read).toEqual(settings);
  });

  it('fills the group name and encryption from parameters, StartSession first', () => {
    // Prepare
    const templated = doc(
      {
        cloudWatchStreamingEnabled: true,
        cloudWatchLogGroupName: '{{group}}',
        cloudWatchEncryptionEnabled: '{{enc}}',
      },
      { parameters: { group: { default: '/ssm/default' }, enc: { default: 'true' } } },
    );

    // Act
    const byDefault = readSessionLogSettings(templated, {});
    const byStartSession = readSessionLogSettings(templated, { group: ['/ssm/chosen'], enc: ['false'] });

    // Assess
    expect(byDefault).toEqual(streams('/ssm/default', 'required'));
    expect(byStartSession).toEqual(streams('/ssm/chosen', 'not-required'));
  });

  it.each<[SessionType, string]>([
    ['Port', 'port-session'],
    ['InteractiveCommands', 'command-document'],
    ['NonInteractiveCommands', 'command-document'],
  ])('never streams a %s session', (sessionType, reason) => {
    // Act
    const read = readSessionLogSettings(doc(ON, { sessionType }), {});

    // Assess
    expect(read).toEqual(notStreamed(reason));
  });
});
