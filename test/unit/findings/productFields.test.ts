import { describe, expect, it } from 'vitest';
import {
  FIELD_KEYS,
  fieldFilter,
  type RunAsFields,
  readFields,
  writeFields,
} from '../../../src/findings/productFields.ts';
import { escapeValue, unescapeValue } from '../../../src/findings/text.ts';

const every: RunAsFields = {
  check: 'session',
  outcome: 'SHELL_PROFILE_ESCALATION',
  expectedUser: 'bob\n\u202e$(id)\u200b',
  expectedUserSource: 'session-tag',
  sessionUser: 'alice',
  observedUser: 'alice',
  evidence: 'session-log',
  sessionLog: 'verified',
  sessionLogGroup: '/aws/ssm/sessions',
  sessionId: 'alice-0a1b2c3d4e5f6a7b8',
  sessionOwner: 'arn:aws:iam::111122223333:user/alice',
  sessionTags: 'applied',
  sessionTagsPending: true,
  stsEventId: '1767a49c-1231-461b-9810-b4d3bc966658',
  stsRegion: 'eu-west-1',
  accessType: 'JustInTime',
  mappingChangedAt: '2026-03-01T12:20:00.000Z',
  principal: 'arn:aws:iam::111122223333:role/Operators',
  principalType: 'role',
  principalName: 'Operators',
  callerArn: 'arn:aws:sts::111122223333:assumed-role/Operators/alice',
  target: 'i-0123456789abcdef0',
  platform: 'Linux',
  document: 'SSM-SessionManagerRunShell',
  documentVersion: '3',
  judgedVersion: '$LATEST',
  otherVersion: '1',
  otherVersionOutcome: 'RAN_AS_SSM_USER',
  userVerified: true,
  eventId: 'e-1',
  changeEvent: 'TagRole',
  nodesMissingUser: 3,
  nodesChecked: 25,
  terminated: 'failed',
  subject: 'x'.repeat(600),
};

describe('the RunAs/… ProductFields codec', () => {
  it('reads back every field it writes, exactly', () => {
    // Act
    const written = writeFields(every);

    // Assess
    expect(readFields(written)).toEqual(every);
    expect(Object.keys(written)).toEqual(Object.values(FIELD_KEYS));
  });

  it('writes escaped text: no control or format character reaches Security Hub', () => {
    // Act
    const written = writeFields({ expectedUser: every.expectedUser });

    // Assess
    expect(written['RunAs/ExpectedUser']).toBe('bob\\n\\u202e$(id)\\u200b');
    expect(Object.values(written).join('')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('leaves empty values out (Security Hub refuses them) and writes booleans and numbers as text', () => {
    // Act
    const written = writeFields({
      sessionUser: '',
      expectedUser: '  ',
      userVerified: false,
      nodesChecked: 0,
    });

    // Assess
    expect(written).toEqual({ 'RunAs/UserVerified': 'false', 'RunAs/NodesChecked': '0' });
  });

  it('drops what is not ours and what a field cannot hold', () => {
    // Act
    const read = readFields({
      'RunAs/Outcome': 'RAN_AS_ADMIN',
      'RunAs/Check': 'session',
      'RunAs/UserVerified': 'maybe',
      'RunAs/NodesChecked': '-1',
      'RunAs/JudgedVersion': '$DEFAULT',
      'Other/Key': 'x',
    });

    // Assess
    expect(read).toEqual({ check: 'session', judgedVersion: '$DEFAULT' });
    expect(readFields(undefined)).toEqual({});
  });

  it('filters as it writes', () => {
    // Act + Assess
    expect(fieldFilter({ principalType: 'role' })).toEqual({ 'RunAs/PrincipalType': 'role' });
  });

  it.each([
    'plain',
    'back\\slash',
    'tab\tand\r\n',
    '\u0000\u007f\u0085',
    'zw\u200b\u2060\ufeff',
    '😀 and \ud800 lone',
    '\u{e0041}tag',
  ])('unescapes what escapeValue escaped: %j', (value) => {
    // Act + Assess
    expect(unescapeValue(escapeValue(value, 2048))).toBe(value);
  });
});
