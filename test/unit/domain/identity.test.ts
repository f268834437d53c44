import { describe, expect, it } from 'vitest';
import {
  consoleSession,
  effectiveRunAs,
  type IdentityMatch,
  type IdentityRecord,
  identityCenterRoleOf,
  joinPlanOf,
  pickIdentityRecord,
  type SessionCredentials,
  stsRecordRegions,
} from '../../../src/domain/identity.ts';

const SESSION_ARN = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b/dana';
const CREATED = '2026-03-01T10:00:00.000Z';

const at = (offsetSeconds: number): string =>
  new Date(Date.parse(CREATED) + offsetSeconds * 1000).toISOString();

/** A record of the session's role session issued `issuedOffset` seconds after CREATED. */
const record = (
  eventId: string,
  issuedOffset: number,
  overrides: Partial<IdentityRecord> = {},
): IdentityRecord => ({
  eventName: 'AssumeRoleWithSAML',
  eventId,
  recordedIn: 'eu-west-1',
  accountId: '111122223333',
  accessKeyId: `ASIA${eventId.toUpperCase().padEnd(16, '0')}`,
  sessionArn: SESSION_ARN,
  issuerArn:
    'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b',
  sessionName: 'dana',
  issuedAt: at(issuedOffset),
  expiresAt: at(issuedOffset + 3600),
  tags: { SSMSessionRunAs: eventId },
  transitiveTagKeys: [],
  ...overrides,
});

const cli = (accessKeyId: string, overrides: Partial<SessionCredentials> = {}): SessionCredentials => ({
  sessionArn: SESSION_ARN,
  accessKeyId,
  creationDate: CREATED,
  console: false,
  ...overrides,
});

const federated = (issuerArn: string): Partial<IdentityRecord> => ({
  eventName: 'GetFederationToken',
  sessionArn: 'arn:aws:sts::111122223333:federated-user/deploy',
  issuerArn,
});

const consoleCall = cli('ASIACONSOLEPERREQ001', { console: true });

const picked = (match: IdentityMatch): string =>
  match.kind === 'none' ? `none:${match.gap}` : `${match.kind}:${match.record.eventId}`;

describe('pickIdentityRecord', () => {
  const exactKey = record('exact', 0);
  it.each<[string, SessionCredentials, IdentityRecord[], string]>([
    [
      'the record that issued the key',
      cli(exactKey.accessKeyId),
      [record('other', 0), exactKey],
      'access-key:exact',
    ],
    [
      'the issued key even when an earlier record of the role session exists',
      cli(exactKey.accessKeyId, { creationDate: at(600) }),
      [record('before', 300), exactKey],
      'access-key:exact',
    ],
    [
      'a key issued to another session never',
      cli(exactKey.accessKeyId, { sessionArn: `${SESSION_ARN}x` }),
      [exactKey],
      'none:no-record',
    ],
    [
      'a console session: the record issued at its creationDate',
      consoleCall,
      [record('signin', 0)],
      'issue-time:signin',
    ],
    [
      'a console session even when the per-request key matches nothing',
      consoleCall,
      [record('earlier', -600), record('signin', 0), record('ping', 60)],
      'issue-time:signin',
    ],
    [
      'a record issued one second after creationDate (clock granularity)',
      consoleCall,
      [record('late-second', 1)],
      'issue-time:late-second',
    ],
    [
      'the closest record within the second, then the smaller eventId',
      consoleCall,
      [record('b', 1), record('c', 0), record('a', 0)],
      'issue-time:a',
    ],
    [
      'the newest earlier record still valid at creationDate',
      consoleCall,
      [record('old', -3000), record('newer', -1200), record('ping', 2)],
      'earlier-issue:newer',
    ],
    [
      'an earlier record expired by creationDate: none',
      consoleCall,
      [record('expired', -3600)],
      'none:no-record',
    ],
    ['only later records (console re-federation): none', consoleCall, [record('ping', 60)], 'none:no-record'],
    [
      'another role session: none',
      consoleCall,
      [record('other', 0, { sessionArn: SESSION_ARN.replace('/dana', '/erin') })],
      'none:no-record',
    ],
    [
      'a CLI key with no record and no creationDate: none',
      { sessionArn: SESSION_ARN, accessKeyId: 'ASIAUNKNOWN000000001', console: false },
      [],
      'none:no-record',
    ],
    [
      'a just-in-time session: not joinable',
      cli(exactKey.accessKeyId, { accessType: 'JustInTime' }),
      [exactKey],
      'none:just-in-time',
    ],
    [
      'a federated user: only the record of its own federating user',
      cli('ASIACONSOLEPERREQ001', {
        console: true,
        sessionArn: 'arn:aws:sts::111122223333:federated-user/deploy',
        issuerArn: 'arn:aws:iam::111122223333:user/build-bot',
      }),
      [
        record('mallory', 0, federated('arn:aws:iam::111122223333:user/mallory')),
        record('bot', -60, federated('arn:aws:iam::111122223333:user/build-bot')),
      ],
      'earlier-issue:bot',
    ],
    [
      'a blank key and no creationDate: not joinable',
      { sessionArn: SESSION_ARN, accessKeyId: '', console: false },
      [exactKey],
      'none:no-key-or-creation-date',
    ],
  ])('%s', (_case, session, candidates, expected) => {
    // Act
    const match = pickIdentityRecord(session, candidates);
    const reversed = pickIdentityRecord(session, [...candidates].reverse());

    // Assess
    expect(picked(match)).toBe(expected);
    expect(picked(reversed)).toBe(expected);
  });
});

describe('joinPlanOf', () => {
  it.each<[string, SessionCredentials, ReturnType<typeof joinPlanOf>]>([
    [
      'a CLI session',
      cli('ASIAKEY0000000000001'),
      { byKey: true, byRoleSession: true, waitBy: 'role-session' },
    ],
    ['a console session', consoleCall, { byKey: false, byRoleSession: true, waitBy: 'role-session' }],
    [
      'a key without creationDate',
      { sessionArn: SESSION_ARN, accessKeyId: 'ASIAKEY0000000000001', console: false },
      { byKey: true, byRoleSession: false, waitBy: 'access-key' },
    ],
    [
      'a just-in-time session',
      cli('ASIAKEY0000000000001', { accessType: 'JustInTime' }),
      { gap: 'just-in-time' },
    ],
    [
      'a standard session',
      cli('ASIAKEY0000000000001', { accessType: 'Standard' }),
      { byKey: true, byRoleSession: true, waitBy: 'role-session' },
    ],
  ])('%s', (_case, session, plan) => {
    // Act
    const result = joinPlanOf(session);

    // Assess
    expect(result).toEqual(plan);
  });
});

describe('consoleSession', () => {
  const base = { userAgent: 'aws-cli/2.27.31', accessKeyId: 'ASIAKEY0000000000001', creationDate: CREATED };
  it.each<[string, Parameters<typeof consoleSession>[0], boolean]>([
    ['a CLI call', base, false],
    ['sessionCredentialFromConsole "true"', { ...base, sessionCredentialFromConsole: 'true' }, true],
    ['sessionCredentialFromConsole true', { ...base, sessionCredentialFromConsole: true }, true],
    ['sessionCredentialFromConsole "false"', { ...base, sessionCredentialFromConsole: 'false' }, false],
    ['an aws-internal user agent', { ...base, userAgent: 'aws-internal/3 aws-sdk-java/1.11.937' }, true],
    ['a blank key with a creationDate', { ...base, accessKeyId: ' ' }, true],
    ['a blank key without a creationDate', { userAgent: 'aws-cli/2', accessKeyId: '' }, false],
  ])('%s → %s', (_case, hints, expected) => {
    // Act
    const result = consoleSession(hints);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('effectiveRunAs', () => {
  it.each<
    [string, Record<string, string> | undefined, Record<string, string>, ReturnType<typeof effectiveRunAs>]
  >([
    [
      'a session tag over the role tag',
      { SSMSessionRunAs: 'dana' },
      { SSMSessionRunAs: 'ops' },
      { source: 'session-tag', key: 'SSMSessionRunAs', value: 'dana' },
    ],
    [
      'a blank session tag over the role tag',
      { SSMSessionRunAs: '' },
      { SSMSessionRunAs: 'ops' },
      { source: 'session-tag', key: 'SSMSessionRunAs', value: '' },
    ],
    [
      'a session tag in another case',
      { ssmsessionrunas: 'dana' },
      { SSMSessionRunAs: 'ops' },
      { source: 'session-tag', key: 'ssmsessionrunas', value: 'dana' },
    ],
    [
      'session tags without the key: the role tag',
      { Team: 'payments' },
      { SSMSessionRunAs: 'ops' },
      { source: 'principal-tag', key: 'SSMSessionRunAs', value: 'ops' },
    ],
    [
      'no session tags: the role tag',
      undefined,
      { SSMSESSIONRUNAS: 'ops' },
      { source: 'principal-tag', key: 'SSMSESSIONRUNAS', value: 'ops' },
    ],
    [
      'a blank role tag is still the role tag',
      undefined,
      { SSMSessionRunAs: ' ' },
      { source: 'principal-tag', key: 'SSMSessionRunAs', value: ' ' },
    ],
    [
      'the exact spelling first',
      { ssmsessionrunas: 'b', SSMSessionRunAs: 'a' },
      {},
      { source: 'session-tag', key: 'SSMSessionRunAs', value: 'a' },
    ],
    ['nothing', {}, { Team: 'x' }, { source: 'none' }],
  ])('%s', (_case, sessionTags, principalTags, expected) => {
    // Act
    const value = effectiveRunAs(sessionTags, principalTags);

    // Assess
    expect(value).toEqual(expected);
  });
});

describe('identityCenterRoleOf', () => {
  it.each<[string, string, string, string, ReturnType<typeof identityCenterRoleOf>]>([
    [
      'home Region us-east-1 (omitted)',
      '/aws-reserved/sso.amazonaws.com/',
      'AWSReservedSSO_SessionUsers_0a1b2c3d4e5f6a7b',
      'aws',
      { permissionSet: 'SessionUsers', homeRegion: 'us-east-1' },
    ],
    [
      'home Region in the path',
      '/aws-reserved/sso.amazonaws.com/eu-west-1/',
      'AWSReservedSSO_Ops_Admin_0a1b2c3d4e5f6a7b',
      'aws',
      { permissionSet: 'Ops_Admin', homeRegion: 'eu-west-1' },
    ],
    [
      'omitted outside the aws partition: unknown',
      '/aws-reserved/sso.amazonaws.com/',
      'AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b',
      'aws-us-gov',
      { permissionSet: 'Ops', homeRegion: undefined },
    ],
    ['the name under another path', '/', 'AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b', 'aws', undefined],
    ['the path with another name', '/aws-reserved/sso.amazonaws.com/', 'Operators', 'aws', undefined],
    [
      'a path that is no Region',
      '/aws-reserved/sso.amazonaws.com/global/',
      'AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b',
      'aws',
      undefined,
    ],
  ])('%s', (_case, path, name, partition, expected) => {
    // Act
    const role = identityCenterRoleOf({ path, name }, partition);

    // Assess
    expect(role).toEqual(expected);
  });
});

describe('stsRecordRegions', () => {
  it.each<[string, Parameters<typeof stsRecordRegions>[0], string[]]>([
    ['a session in us-east-1', { sessionRegion: 'us-east-1', partition: 'aws' }, ['us-east-1']],
    [
      'a session elsewhere, Identity Center home and a configured Region',
      {
        sessionRegion: 'eu-central-1',
        partition: 'aws',
        identityCenterHome: 'eu-west-1',
        configured: 'eu-west-1',
      },
      ['eu-central-1', 'us-east-1', 'eu-west-1'],
    ],
    [
      'GovCloud',
      { sessionRegion: 'us-gov-east-1', partition: 'aws-us-gov', identityCenterHome: undefined },
      ['us-gov-east-1', 'us-gov-west-1'],
    ],
    [
      'China, a blank configured Region',
      { sessionRegion: 'cn-northwest-1', partition: 'aws-cn', configured: '' },
      ['cn-northwest-1', 'cn-north-1'],
    ],
  ])('%s', (_case, facts, expected) => {
    // Act
    const regions = stsRecordRegions(facts);

    // Assess
    expect(regions).toEqual(expected);
  });
});
