import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../src/errors.ts';
import {
  type PrincipalChangeCommand,
  parsePrincipalChangeEvent,
} from '../../../src/events/principalChange.ts';
import { ACCOUNT, EVENT_ID, iamEvent, withValue } from './changeEvents.ts';

const commandOf = (event: unknown): PrincipalChangeCommand => {
  const intake = parsePrincipalChangeEvent(event);
  if (!intake.inScope) throw new Error(`expected in scope, got: ${intake.reason}`);
  return intake.command;
};

const thrownBy = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

const runAs = [{ key: 'SSMSessionRunAs', value: 'root' }];

describe('parsePrincipalChangeEvent: each event name', () => {
  it.each([
    ['TagUser', { userName: 'alice', tags: runAs }, 'user', 'alice', true, false],
    ['UntagUser', { userName: 'alice', tagKeys: ['SSMSessionRunAs'] }, 'user', 'alice', true, false],
    ['TagRole', { roleName: 'Operators', tags: runAs }, 'role', 'Operators', true, false],
    ['UntagRole', { roleName: 'Operators', tagKeys: ['team'] }, 'role', 'Operators', false, false],
    ['CreateUser', { userName: 'dave', tags: runAs }, 'user', 'dave', true, false],
    [
      'CreateRole',
      { roleName: 'DbAdmins', assumeRolePolicyDocument: '{}' },
      'role',
      'DbAdmins',
      false,
      false,
    ],
    ['DeleteUser', { userName: 'dave' }, 'user', 'dave', false, true],
    ['DeleteRole', { roleName: 'DbAdmins' }, 'role', 'DbAdmins', false, true],
  ] as const)('%s', (eventName, requestParameters, kind, name, runAsTagInvolved, deleted) => {
    // Act
    const command = commandOf(iamEvent(eventName, requestParameters));

    // Assess
    expect(command).toMatchObject({
      eventId: EVENT_ID,
      eventTime: '2026-03-01T13:00:00.000Z',
      eventName,
      accountId: ACCOUNT,
      partition: 'aws',
      principal: {
        kind,
        name,
        arn: `arn:aws:iam::${ACCOUNT}:${kind}/${name}`,
        path: '/',
        accountId: ACCOUNT,
      },
      pathKnown: eventName.startsWith('Create'),
      runAsTagInvolved,
      deleted,
      changedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/admin`,
    });
  });
});

describe('parsePrincipalChangeEvent: SSMSessionRunAs after the change (the tag history)', () => {
  it.each([
    ['TagRole setting it', 'TagRole', { roleName: 'Operators', tags: runAs }, 'root'],
    [
      'TagUser setting it in another case, beside another tag',
      'TagUser',
      {
        userName: 'alice',
        tags: [
          { key: 'team', value: 'ops' },
          { key: 'ssmsessionrunas', value: 'alice' },
        ],
      },
      'alice',
    ],
    [
      'TagUser setting it blank',
      'TagUser',
      { userName: 'alice', tags: [{ key: 'SSMSessionRunAs', value: '' }] },
      '',
    ],
    [
      'TagRole of other tags only',
      'TagRole',
      { roleName: 'Operators', tags: [{ key: 'team', value: 'x' }] },
      undefined,
    ],
    ['UntagUser removing it', 'UntagUser', { userName: 'alice', tagKeys: ['SSMSessionRunAs'] }, null],
    ['UntagRole of other tags only', 'UntagRole', { roleName: 'Operators', tagKeys: ['team'] }, undefined],
    ['CreateUser with it', 'CreateUser', { userName: 'dave', tags: runAs }, 'root'],
    ['CreateRole without it', 'CreateRole', { roleName: 'DbAdmins' }, null],
    ['DeleteUser', 'DeleteUser', { userName: 'dave' }, null],
  ] as const)('%s', (_name, eventName, requestParameters, value) => {
    // Act
    const command = commandOf(iamEvent(eventName, requestParameters));

    // Assess
    expect(command.runAsValue).toBe(value);
  });
});

describe('parsePrincipalChangeEvent: details', () => {
  it.each([
    [
      'tag key in another case',
      'TagRole',
      { roleName: 'Operators', tags: [{ key: 'ssmsessionrunas', value: 'x' }] },
      true,
    ],
    [
      'untag key in another case',
      'UntagRole',
      { roleName: 'Operators', tagKeys: ['team', 'SSMSESSIONRUNAS'] },
      true,
    ],
    ['other tags only', 'TagRole', { roleName: 'Operators', tags: [{ key: 'team', value: 'ops' }] }, false],
    [
      'an empty tag value',
      'TagRole',
      { roleName: 'Operators', tags: [{ key: 'SSMSessionRunAs', value: '' }] },
      true,
    ],
  ])('runAsTagInvolved with %s', (_name, eventName, requestParameters, involved) => {
    const event = iamEvent(eventName, requestParameters);

    expect(commandOf(event).runAsTagInvolved).toBe(involved);
  });

  it('takes the path of a created role from its request', () => {
    const command = commandOf(
      iamEvent('CreateRole', { roleName: 'Operators', path: '/ops/', assumeRolePolicyDocument: '{}' }),
    );

    expect(command.principal).toMatchObject({
      path: '/ops/',
      arn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
    });
  });

  it('takes the path of a created user from the ARN in its response', () => {
    const event = iamEvent(
      'CreateUser',
      { userName: 'dave', tags: runAs },
      {
        responseElements: {
          user: { arn: `arn:aws:iam::${ACCOUNT}:user/contractors/dave`, path: '/contractors/' },
        },
      },
    );

    expect(commandOf(event).principal).toMatchObject({
      path: '/contractors/',
      arn: `arn:aws:iam::${ACCOUNT}:user/contractors/dave`,
    });
  });

  it('builds ARNs in the partition of the event Region', () => {
    const command = commandOf(
      iamEvent('TagRole', { roleName: 'Operators', tags: runAs }, {}, 'us-gov-west-1'),
    );

    expect(command.principal.arn).toBe(`arn:aws-us-gov:iam::${ACCOUNT}:role/Operators`);
  });
});

describe('parsePrincipalChangeEvent: out of scope', () => {
  it.each([
    [
      'a failed call',
      iamEvent('TagRole', { roleName: 'Operators', tags: runAs }, { errorCode: 'AccessDenied' }),
      'TagRole failed (AccessDenied)',
    ],
    [
      'another IAM API',
      iamEvent('AttachRolePolicy', { roleName: 'Operators' }),
      'AttachRolePolicy does not change a Run As mapping',
    ],
  ])('%s', (_name, event, reason) => {
    expect(parsePrincipalChangeEvent(event)).toEqual({ inScope: false, reason });
  });
});

describe('parsePrincipalChangeEvent: malformed events name the field', () => {
  const tagRole = iamEvent('TagRole', { roleName: 'Operators', tags: runAs });
  const untagUser = iamEvent('UntagUser', { userName: 'alice', tagKeys: ['SSMSessionRunAs'] });
  const createUser = iamEvent(
    'CreateUser',
    { userName: 'dave' },
    { responseElements: { user: { arn: `arn:aws:iam::${ACCOUNT}:user/dave` } } },
  );

  it.each([
    [
      'no roleName',
      withValue(tagRole, 'detail.requestParameters.roleName', undefined),
      'detail.requestParameters.roleName',
    ],
    [
      'a roleName IAM forbids',
      withValue(tagRole, 'detail.requestParameters.roleName', 'ops;reboot'),
      'detail.requestParameters.roleName',
    ],
    [
      'no tags on TagRole',
      withValue(tagRole, 'detail.requestParameters.tags', undefined),
      'detail.requestParameters.tags',
    ],
    [
      'tags not a list',
      withValue(tagRole, 'detail.requestParameters.tags', { SSMSessionRunAs: 'root' }),
      'detail.requestParameters.tags',
    ],
    [
      'a tag value that is not a string',
      withValue(tagRole, 'detail.requestParameters.tags', [{ key: 'SSMSessionRunAs', value: 7 }]),
      'detail.requestParameters.tags[0].value',
    ],
    [
      'a blank tag key',
      withValue(tagRole, 'detail.requestParameters.tags', [{ key: ' ', value: 'x' }]),
      'detail.requestParameters.tags[0].key',
    ],
    [
      'no tagKeys on UntagUser',
      withValue(untagUser, 'detail.requestParameters.tagKeys', undefined),
      'detail.requestParameters.tagKeys',
    ],
    [
      'a tag key that is not a string',
      withValue(untagUser, 'detail.requestParameters.tagKeys', [1]),
      'detail.requestParameters.tagKeys[0]',
    ],
    [
      'a path without slashes',
      iamEvent('CreateRole', { roleName: 'Ops', path: 'ops' }),
      'detail.requestParameters.path',
    ],
    [
      'a created ARN for another user',
      withValue(createUser, 'detail.responseElements.user.arn', `arn:aws:iam::${ACCOUNT}:user/eve`),
      'detail.responseElements.user.arn',
    ],
    [
      'no requestParameters',
      withValue(tagRole, 'detail.requestParameters', null),
      'detail.requestParameters',
    ],
    [
      'an impossible event time',
      withValue(tagRole, 'detail.eventTime', '2026-02-30T00:00:00Z'),
      'detail.eventTime',
    ],
    ['an SSM source', withValue(tagRole, 'source', 'aws.ssm'), 'source'],
  ])('%s', (_name, event, field) => {
    const error = thrownBy(() => parsePrincipalChangeEvent(event));

    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).field).toBe(field);
  });
});
