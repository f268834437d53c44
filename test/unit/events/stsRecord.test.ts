import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IdentityRecord } from '../../../src/domain/identity.ts';
import { MalformedEventError } from '../../../src/errors.ts';
import { parseStsRecord } from '../../../src/events/stsRecord.ts';

type Json = Record<string, unknown>;

const ACCOUNT = '111122223333';

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8')) as Json;

const recordOf = (event: unknown): IdentityRecord => {
  const intake = parseStsRecord(event);
  if (!intake.inScope) throw new Error(`expected in scope, got: ${intake.reason}`);
  return intake.command;
};

const thrownBy = (act: () => unknown): MalformedEventError => {
  try {
    act();
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('expected a MalformedEventError');
};

/** A copy of a fixture with `change` applied to its detail. */
const edited = (name: string, change: (detail: Json) => void): Json => {
  const event = structuredClone(fixture(name));
  change(event.detail as Json);
  return event;
};

const request = (detail: Json): Json => detail.requestParameters as Json;
const response = (detail: Json): Json => detail.responseElements as Json;
const credentials = (detail: Json): Json => response(detail).credentials as Json;

describe('parseStsRecord: the fixtures that issue tagged credentials', () => {
  it.each<[string, Partial<IdentityRecord>]>([
    [
      'sts-assumerole-sessiontags-transitive',
      {
        eventName: 'AssumeRole',
        accessKeyId: 'ASIAN7C2QW5XJ4MKD3RB',
        sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/erin`,
        issuerArn: `arn:aws:iam::${ACCOUNT}:role/Developers`,
        sessionName: 'erin',
        issuedAt: '2026-03-01T11:45:10.000Z',
        expiresAt: '2026-03-01T12:45:10.000Z',
        tags: { SSMSessionRunAs: 'erin', Team: 'payments' },
        transitiveTagKeys: ['SSMSessionRunAs', 'Team'],
      },
    ],
    [
      'sts-assumerole-incoming-transitive-tags',
      {
        accessKeyId: 'ASIAF5T2ZLQK3NWX7CJR',
        sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Releasers/erin-release`,
        issuerArn: `arn:aws:iam::${ACCOUNT}:role/Releasers`,
        issuedAt: '2026-03-01T11:47:32.000Z',
        expiresAt: '2026-03-01T12:47:32.000Z',
        tags: { SSMSessionRunAs: 'erin', Team: 'payments' },
        transitiveTagKeys: ['SSMSessionRunAs', 'Team'],
      },
    ],
    [
      'sts-assumerole-chained-sessiontags',
      {
        accessKeyId: 'ASIAP4WKD2MX7TQZ5LNE',
        sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployers/erin-deploy`,
        sessionName: 'erin-deploy',
        tags: { SSMSessionRunAs: 'erin', Team: 'payments', Ticket: 'CHG-1042' },
        transitiveTagKeys: ['SSMSessionRunAs', 'Team'],
      },
    ],
    [
      'sts-assumerolewithsaml-identity-center-principaltags',
      {
        eventName: 'AssumeRoleWithSAML',
        accessKeyId: 'ASIA4B5TMY7I5RHPHKMD',
        sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_SessionUsers_0a1b2c3d4e5f6a7b/dana@example.com`,
        issuerArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SessionUsers_0a1b2c3d4e5f6a7b`,
        sessionName: 'dana@example.com',
        issuedAt: '2026-03-01T11:38:27.000Z',
        expiresAt: '2026-03-01T15:38:27.000Z',
        tags: { SSMSessionRunAs: 'dana', Department: 'Platform' },
        transitiveTagKeys: [],
      },
    ],
    [
      'sts-getfederationtoken-sessiontags',
      {
        eventName: 'GetFederationToken',
        accessKeyId: 'ASIAH3QZN5TK2XW7MRLY',
        sessionArn: `arn:aws:sts::${ACCOUNT}:federated-user/deploy-42`,
        issuerArn: `arn:aws:iam::${ACCOUNT}:user/build-bot`,
        sessionName: 'deploy-42',
        expiresAt: '2026-03-01T12:51:40.000Z',
        tags: { SSMSessionRunAs: 'deploy' },
      },
    ],
  ])('%s yields its identity record', (name, expected) => {
    // Prepare
    const event = fixture(name);

    // Act
    const record = recordOf(event);

    // Assess
    expect(record).toMatchObject({ accountId: ACCOUNT, recordedIn: 'us-east-1', ...expected });
    expect(record.eventId).toBe((event.detail as Json).eventID);
  });

  it('reads a raw CloudTrail record (LookupEvents, trail logs) exactly like its EventBridge event', () => {
    // Prepare
    const event = fixture('sts-assumerole-chained-sessiontags');

    // Act
    const fromRaw = recordOf(event.detail);

    // Assess
    expect(fromRaw).toEqual(recordOf(event));
  });

  it('keeps the source identity, from the response, the request or the calling session', () => {
    // Prepare
    const fromResponse = edited('sts-assumerole-sessiontags-transitive', (d) => {
      response(d).sourceIdentity = 'erin-response';
      request(d).sourceIdentity = 'erin-request';
    });
    const fromRequest = edited('sts-assumerole-sessiontags-transitive', (d) => {
      request(d).sourceIdentity = 'erin-request';
    });
    const fromCaller = edited('sts-assumerole-chained-sessiontags', (d) => {
      ((d.userIdentity as Json).sessionContext as Json).sourceIdentity = 'erin-first';
    });

    // Act
    const identities = [fromResponse, fromRequest, fromCaller].map((e) => recordOf(e).sourceIdentity);

    // Assess
    expect(identities).toEqual(['erin-response', 'erin-request', 'erin-first']);
    expect('sourceIdentity' in recordOf(fixture('sts-assumerole-chained-sessiontags'))).toBe(false);
  });
});

describe('parseStsRecord: session tags as STS applies them', () => {
  it('keeps a blank value, which overrides the principal tag of the same key', () => {
    // Prepare
    const event = edited('sts-assumerole-sessiontags-transitive', (d) => {
      request(d).tags = [{ key: 'ssmsessionrunas', value: '' }];
      request(d).transitiveTagKeys = undefined;
    });

    // Act
    const record = recordOf(event);

    // Assess
    expect(record.tags).toEqual({ ssmsessionrunas: '' });
    expect(record.transitiveTagKeys).toEqual([]);
  });

  it('keeps a __proto__ key as a plain tag', () => {
    // Prepare
    const event = edited('sts-assumerolewithsaml-identity-center-principaltags', (d) => {
      request(d).principalTags = JSON.parse('{"__proto__":"x","SSMSessionRunAs":"dana"}');
    });

    // Act
    const record = recordOf(event);

    // Assess
    expect(Object.keys(record.tags)).toEqual(['__proto__', 'SSMSessionRunAs']);
    expect(Object.getPrototypeOf(record.tags)).toBe(Object.prototype);
  });

  it('lists each transitive key once, whatever its case', () => {
    // Prepare
    const event = edited('sts-assumerole-chained-sessiontags', (d) => {
      request(d).transitiveTagKeys = ['ticket', 'team'];
    });

    // Act
    const record = recordOf(event);

    // Assess
    expect(record.transitiveTagKeys).toEqual(['SSMSessionRunAs', 'team', 'ticket']);
  });

  it.each([
    ['Mar 1, 2026, 12:45:10 PM', '2026-03-01T12:45:10.000Z'],
    ['Mar 1, 2026, 12:45:10\u202fPM', '2026-03-01T12:45:10.000Z'],
    ['Mar 2, 2026, 12:05:10 AM', '2026-03-02T00:05:10.000Z'],
    ['Mar 1, 2026, 1:45:10 PM', '2026-03-01T13:45:10.000Z'],
    ['2026-03-01T12:45:10Z', '2026-03-01T12:45:10.000Z'],
    ['2026-03-01T13:45:10+01:00', '2026-03-01T12:45:10.000Z'],
  ])('reads the credential expiration %j', (expiration, expiresAt) => {
    // Prepare
    const event = edited('sts-assumerole-sessiontags-transitive', (d) => {
      credentials(d).expiration = expiration;
    });

    // Act
    const record = recordOf(event);

    // Assess
    expect(record.expiresAt).toBe(expiresAt);
  });
});

describe('parseStsRecord: nothing to store', () => {
  it.each([
    ['sts-assumerole-tags-access-denied', 'AssumeRole failed (AccessDenied): no credentials were issued'],
    ['sts-assumerole-untagged', "AssumeRole passed no session tags: the principal's own tags apply"],
    ['sts-assumerole-service-untagged', "AssumeRole passed no session tags: the principal's own tags apply"],
    [
      'sts-assumerolewithsaml-untagged',
      "AssumeRoleWithSAML passed no session tags: the principal's own tags apply",
    ],
  ])('%s is out of scope', (name, reason) => {
    // Act
    const intake = parseStsRecord(fixture(name));

    // Assess
    expect(intake).toEqual({ inScope: false, reason });
  });

  it.each([
    ['another STS call', (d: Json) => (d.eventName = 'GetCallerIdentity'), 'GetCallerIdentity does not'],
    [
      'a record without responseElements',
      (d: Json) => (d.responseElements = null),
      'has no responseElements',
    ],
  ])('%s is out of scope', (_case, change, reason) => {
    // Act
    const intake = parseStsRecord(edited('sts-assumerole-sessiontags-transitive', change));

    // Assess
    expect(intake.inScope).toBe(false);
    expect(intake.inScope ? '' : intake.reason).toContain(reason);
  });
});

describe('parseStsRecord: malformed records name the field', () => {
  const TRANSITIVE = 'sts-assumerole-sessiontags-transitive';
  it.each<[string, string, (d: Json) => void, string]>([
    [
      'tags not a list',
      TRANSITIVE,
      (d) => (request(d).tags = { SSMSessionRunAs: 'x' }),
      'detail.requestParameters.tags',
    ],
    [
      'a tag value with a shell character',
      TRANSITIVE,
      (d) => (request(d).tags = [{ key: 'SSMSessionRunAs', value: 'erin;id' }]),
      'detail.requestParameters.tags[0].value',
    ],
    [
      'a tag without a value',
      TRANSITIVE,
      (d) => (request(d).tags = [{ key: 'SSMSessionRunAs' }]),
      'detail.requestParameters.tags[0].value',
    ],
    [
      'a key repeated in another case',
      TRANSITIVE,
      (d) =>
        (request(d).tags = [
          { key: 'SSMSessionRunAs', value: 'erin' },
          { key: 'ssmsessionrunas', value: 'root' },
        ]),
      'detail.requestParameters.tags[1].key',
    ],
    [
      'a passed tag repeating an inherited one',
      'sts-assumerole-chained-sessiontags',
      (d) => (request(d).tags = [{ key: 'team', value: 'ops' }]),
      'detail.requestParameters.tags[0].key',
    ],
    [
      'a principal tag that is not a string',
      'sts-assumerolewithsaml-identity-center-principaltags',
      (d) => (request(d).principalTags = { SSMSessionRunAs: 7 }),
      'detail.requestParameters.principalTags{0}.value',
    ],
    [
      '51 tags',
      TRANSITIVE,
      (d) => (request(d).tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' }))),
      'detail.requestParameters.tags',
    ],
    [
      'a transitive key that is no key',
      TRANSITIVE,
      (d) => (request(d).transitiveTagKeys = ['a;b']),
      'detail.requestParameters.transitiveTagKeys[0]',
    ],
    [
      'no credentials',
      TRANSITIVE,
      (d) => (response(d).credentials = null),
      'detail.responseElements.credentials',
    ],
    [
      'a malformed issued key',
      TRANSITIVE,
      (d) => (credentials(d).accessKeyId = 'ASIA'),
      'detail.responseElements.credentials.accessKeyId',
    ],
    [
      'an unreadable expiration',
      TRANSITIVE,
      (d) => (credentials(d).expiration = 'soon'),
      'detail.responseElements.credentials.expiration',
    ],
    [
      'an impossible expiration',
      TRANSITIVE,
      (d) => (credentials(d).expiration = 'Feb 30, 2026, 1:00:00 PM'),
      'detail.responseElements.credentials.expiration',
    ],
    [
      'an expiration before eventTime',
      TRANSITIVE,
      (d) => (credentials(d).expiration = 'Mar 1, 2026, 11:45:10 AM'),
      'detail.responseElements.credentials.expiration',
    ],
    [
      'an expiration 37 hours later',
      TRANSITIVE,
      (d) => (credentials(d).expiration = 'Mar 3, 2026, 12:45:10 AM'),
      'detail.responseElements.credentials.expiration',
    ],
    [
      'no assumed-role user',
      TRANSITIVE,
      (d) => (response(d).assumedRoleUser = undefined),
      'detail.responseElements.assumedRoleUser',
    ],
    [
      'a role ARN for another role',
      TRANSITIVE,
      (d) => (request(d).roleArn = `arn:aws:iam::${ACCOUNT}:role/Operators`),
      'detail.requestParameters.roleArn',
    ],
    [
      'a role ARN that is no ARN',
      TRANSITIVE,
      (d) => (request(d).roleArn = 'Developers'),
      'detail.requestParameters.roleArn',
    ],
    [
      'another session name',
      TRANSITIVE,
      (d) => (request(d).roleSessionName = 'mallory'),
      'detail.requestParameters.roleSessionName',
    ],
    [
      'an assumed-role ARN in another partition',
      TRANSITIVE,
      (d) =>
        ((response(d).assumedRoleUser as Json).arn =
          `arn:aws-cn:sts::${ACCOUNT}:assumed-role/Developers/erin`),
      'detail.responseElements.assumedRoleUser.arn',
    ],
    [
      'a source identity with a space',
      TRANSITIVE,
      (d) => (request(d).sourceIdentity = 'erin smith'),
      'detail.requestParameters.sourceIdentity',
    ],
    [
      'a federated user of another account',
      'sts-getfederationtoken-sessiontags',
      (d) => ((response(d).federatedUser as Json).arn = 'arn:aws:sts::444455556666:federated-user/deploy-42'),
      'detail.userIdentity',
    ],
    [
      'federation by an assumed role',
      'sts-getfederationtoken-sessiontags',
      (d) => (d.userIdentity = (fixture('sts-assumerole-chained-sessiontags').detail as Json).userIdentity),
      'detail.userIdentity',
    ],
    [
      'an event of another service',
      TRANSITIVE,
      (d) => (d.eventSource = 'iam.amazonaws.com'),
      'detail.eventSource',
    ],
  ])('%s', (_case, name, change, field) => {
    // Prepare
    const event = edited(name, change);

    // Act
    const error = thrownBy(() => parseStsRecord(event));

    // Assess
    expect(error.field).toBe(field);
  });

  it('refuses an EventBridge event of another source, and a raw record of another service', () => {
    // Prepare
    const envelope = { ...fixture('sts-assumerole-untagged'), source: 'aws.iam' };
    const raw = { ...(fixture('sts-assumerole-untagged').detail as Json), eventSource: 'iam.amazonaws.com' };

    // Act
    const errors = [envelope, raw, 'AssumeRole'].map((event) => thrownBy(() => parseStsRecord(event)).field);

    // Assess
    expect(errors).toEqual(['source', 'detail.eventSource', 'detail']);
  });
});
