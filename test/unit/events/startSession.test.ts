import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../src/errors.ts';
import { parseStartSessionEvent, type StartSessionCommand } from '../../../src/events/startSession.ts';
import {
  ACCOUNT,
  assumedRole,
  awsService,
  EVENT_ID,
  federatedUser,
  iamUser,
  OTHER_ACCOUNT,
  rootUser,
  SESSION_ID,
  startSessionEvent,
  without,
  withValue,
} from './startSessionEvents.ts';

const commandOf = (event: unknown): StartSessionCommand => {
  const intake = parseStartSessionEvent(event);
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

describe('parseStartSessionEvent: a well-formed StartSession', () => {
  it('reads every command field from an IAM user event', () => {
    // Prepare
    const event = startSessionEvent();

    // Act
    const command = commandOf(event);

    // Assess
    expect(command).toEqual({
      eventId: EVENT_ID,
      eventTime: '2026-03-01T10:00:00.000Z',
      accountId: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws',
      principal: {
        kind: 'user',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        accountId: ACCOUNT,
        name: 'alice',
        path: '/',
        callerArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        accessKeyId: 'AKIAEXAMPLEKEY000001',
      },
      target: 'i-0123456789abcdef0',
      documentName: 'SSM-SessionManagerRunShell',
      documentNamed: false,
      parameters: {},
      sessionId: SESSION_ID,
      errorCode: null,
      errorMessage: null,
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
      console: false,
      event,
    });
  });

  it.each([
    ['sessionCredentialFromConsole', { sessionCredentialFromConsole: 'true' }],
    ['an AWS front end’s user agent', { userAgent: 'aws-internal/3 aws-sdk-java/1.12.780' }],
  ])('marks a console session by %s (its key is never the one STS issued)', (_name, detail) => {
    // Act
    const command = commandOf(startSessionEvent(detail));

    // Assess
    expect(command.console).toBe(true);
  });

  it('keeps a named document and its parameters', () => {
    // Prepare
    const event = startSessionEvent({
      requestParameters: {
        target: 'i-0123456789abcdef0',
        documentName: 'AWS-StartPortForwardingSession',
        parameters: { portNumber: ['22'], localPortNumber: ['9999'] },
      },
    });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.documentName).toBe('AWS-StartPortForwardingSession');
    expect(command.documentNamed).toBe(true);
    expect(command.parameters).toEqual({ portNumber: ['22'], localPortNumber: ['9999'] });
  });

  it('accepts a document ARN', () => {
    // Prepare
    const arn = `arn:aws:ssm:us-east-1:${ACCOUNT}:document/RunAsShell`;
    const event = startSessionEvent({
      requestParameters: { target: 'mi-0123456789abcdef0', documentName: arn },
    });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.documentName).toBe(arn);
    expect(command.target).toBe('mi-0123456789abcdef0');
  });

  it('keeps a __proto__ parameter name as a plain key', () => {
    // Prepare
    const detail = JSON.parse(
      '{"requestParameters":{"target":"i-0123456789abcdef0","parameters":{"__proto__":["x"],"runAsUser":["bob"]}}}',
    ) as Record<string, unknown>;

    // Act
    const command = commandOf(startSessionEvent(detail));

    // Assess
    expect(Object.getPrototypeOf(command.parameters)).toBe(Object.prototype);
    expect(Object.keys(command.parameters)).toEqual(['__proto__', 'runAsUser']);
    expect(command.parameters.runAsUser).toEqual(['bob']);
  });

  it('has no session id when responseElements is null, and keeps the eventID', () => {
    // Prepare
    const event = startSessionEvent({ responseElements: null });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.sessionId).toBeNull();
    expect(command.eventId).toBe(EVENT_ID);
  });

  it('records a failed call: errorCode and errorMessage, no session', () => {
    // Prepare
    const event = startSessionEvent({
      errorCode: 'TargetNotConnected',
      errorMessage: 'i-0123456789abcdef0 is not connected.',
      responseElements: null,
    });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.errorCode).toBe('TargetNotConnected');
    expect(command.errorMessage).toBe('i-0123456789abcdef0 is not connected.');
    expect(command.sessionId).toBeNull();
  });

  it('normalises an event time with an offset to UTC with milliseconds', () => {
    // Prepare
    const event = startSessionEvent({ eventTime: '2026-03-01T12:00:00.5+02:00' });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.eventTime).toBe('2026-03-01T10:00:00.500Z');
  });

  it('falls back to detail.recipientAccountId and detail.awsRegion when the envelope has none', () => {
    // Prepare
    const event = without(without(startSessionEvent({ awsRegion: 'eu-west-1' }), 'account'), 'region');

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.accountId).toBe(ACCOUNT);
    expect(command.region).toBe('eu-west-1');
  });

  it.each([
    ['us-east-1', 'aws'],
    ['ap-southeast-5', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ] as const)('maps Region %s to partition %s', (region, partition) => {
    // Prepare
    const event = startSessionEvent({ awsRegion: region }, { region });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.partition).toBe(partition);
  });

  it('treats missing userAgent and sourceIPAddress as empty', () => {
    // Prepare
    const event = without(without(startSessionEvent(), 'detail.userAgent'), 'detail.sourceIPAddress');

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.userAgent).toBe('');
    expect(command.sourceIPAddress).toBe('');
  });

  it('cuts an oversized userAgent instead of rejecting the event', () => {
    // Prepare
    const event = startSessionEvent({ userAgent: 'a'.repeat(5000) });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.userAgent).toHaveLength(2048);
  });
});

describe('parseStartSessionEvent: out of scope', () => {
  it.each(['TerminateSession', 'ResumeSession', 'SendCommand'])(
    'returns inScope false for %s',
    (eventName) => {
      // Prepare: out-of-scope records need none of StartSession's fields
      const event = without(startSessionEvent({ eventName }), 'detail.requestParameters');

      // Act
      const intake = parseStartSessionEvent(event);

      // Assess
      expect(intake).toEqual({ inScope: false, reason: `${eventName} is not StartSession` });
    },
  );
});

describe('parseStartSessionEvent: principals', () => {
  it('reads an IAM user with a path', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: iamUser('carol', '/ops/') });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal).toMatchObject({
      kind: 'user',
      arn: `arn:aws:iam::${ACCOUNT}:user/ops/carol`,
      name: 'carol',
      path: '/ops/',
    });
  });

  it('names an IAM user from its ARN when userName is absent', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: without(iamUser('dave', '/a/b/'), 'userName') });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal.name).toBe('dave');
    expect(principal.path).toBe('/a/b/');
  });

  it('reads an assumed role as the role, with the session details', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: assumedRole('Operators', 'alice@example.com') });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal).toEqual({
      kind: 'role',
      arn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
      accountId: ACCOUNT,
      name: 'Operators',
      path: '/',
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice@example.com`,
      accessKeyId: 'ASIAEXAMPLEKEY000001',
      sessionName: 'alice@example.com',
      sessionCreatedAt: '2026-03-01T09:30:00.000Z',
    });
  });

  it.each([
    ['a role under a path', 'Deployers', '/team/ci/', '/team/ci/'],
    [
      'an IAM Identity Center role',
      'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
      '/aws-reserved/sso.amazonaws.com/',
      '/aws-reserved/sso.amazonaws.com/',
    ],
    [
      'an IAM Identity Center role with a home Region',
      'AWSReservedSSO_ReadOnly_fedcba9876543210',
      '/aws-reserved/sso.amazonaws.com/eu-west-1/',
      '/aws-reserved/sso.amazonaws.com/eu-west-1/',
    ],
  ])('reads the path of %s', (_case, roleName, rolePath, expectedPath) => {
    // Prepare
    const event = startSessionEvent({ userIdentity: assumedRole(roleName, 'alice', rolePath) });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal.name).toBe(roleName);
    expect(principal.path).toBe(expectedPath);
    expect(principal.arn).toBe(`arn:aws:iam::${ACCOUNT}:role${rolePath}${roleName}`);
  });

  it('keeps the principal account of a cross-account role apart from the event account', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: assumedRole('Auditors', 'eve', '/', OTHER_ACCOUNT) });

    // Act
    const command = commandOf(event);

    // Assess
    expect(command.accountId).toBe(ACCOUNT);
    expect(command.principal.accountId).toBe(OTHER_ACCOUNT);
    expect(command.principal.arn).toBe(`arn:aws:iam::${OTHER_ACCOUNT}:role/Auditors`);
  });

  it('reads the root user', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: rootUser() });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal).toMatchObject({
      kind: 'root',
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      name: 'root',
      path: '/',
    });
  });

  it('builds the root ARN in the event partition', () => {
    // Prepare
    const event = startSessionEvent(
      { awsRegion: 'cn-north-1', userIdentity: without(rootUser(), 'arn') },
      { region: 'cn-north-1' },
    );

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal.arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:root`);
    expect(principal.callerArn).toBe(`arn:aws-cn:iam::${ACCOUNT}:root`);
  });

  it('reads a federated user (GetFederationToken) by its name', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: federatedUser('bob') });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal).toMatchObject({
      kind: 'federated-user',
      arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
      name: 'bob',
      accountId: ACCOUNT,
      // Its GetFederationToken record (with the session tags) is found near this time.
      accessKeyId: 'ASIAEXAMPLEKEY000003',
      sessionCreatedAt: '2026-03-01T09:00:00.000Z',
    });
  });

  it.each([
    ['AWSService', awsService(), 'AWSService', 'ssm.amazonaws.com'],
    [
      'IdentityCenterUser',
      { type: 'IdentityCenterUser', accountId: ACCOUNT, onBehalfOf: { userId: 'u-1' }, credentialId: 'c-1' },
      'IdentityCenterUser',
      'IdentityCenterUser',
    ],
    [
      'Unknown with a principalId',
      { type: 'Unknown', principalId: 'AIDAEXAMPLE' },
      'AIDAEXAMPLE',
      'AIDAEXAMPLE',
    ],
  ])('reads %s as another principal', (_case, userIdentity, arn, name) => {
    // Prepare
    const event = startSessionEvent({ userIdentity });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal).toMatchObject({ kind: 'other', arn, name, accountId: ACCOUNT, path: '/' });
  });

  it('leaves a blank access key id blank', () => {
    // Prepare
    const event = startSessionEvent({ userIdentity: { ...iamUser(), accessKeyId: '' } });

    // Act
    const { principal } = commandOf(event);

    // Assess
    expect(principal.accessKeyId).toBe('');
  });
});

describe('parseStartSessionEvent: malformed events name the field', () => {
  const base = startSessionEvent();
  const role = startSessionEvent({ userIdentity: assumedRole() });

  it.each<[string, unknown, string]>([
    ['event is null', null, 'event'],
    ['event is an array', [base], 'event'],
    ['event is a string', 'StartSession', 'event'],
    ['no detail', without(base, 'detail'), 'detail'],
    ['detail is a string', withValue(base, 'detail', '{}'), 'detail'],
    ['wrong source', withValue(base, 'source', 'aws.ec2'), 'source'],
    ['missing source', without(base, 'source'), 'source'],
    [
      'wrong detail-type',
      withValue(base, 'detail-type', 'EC2 Instance State-change Notification'),
      'detail-type',
    ],
    ['wrong eventSource', withValue(base, 'detail.eventSource', 'ec2.amazonaws.com'), 'detail.eventSource'],
    ['missing eventName', without(base, 'detail.eventName'), 'detail.eventName'],
    ['no requestParameters', without(base, 'detail.requestParameters'), 'detail.requestParameters'],
    ['null requestParameters', withValue(base, 'detail.requestParameters', null), 'detail.requestParameters'],
    ['missing target', without(base, 'detail.requestParameters.target'), 'detail.requestParameters.target'],
    [
      'blank target',
      withValue(base, 'detail.requestParameters.target', '  '),
      'detail.requestParameters.target',
    ],
    [
      'numeric target',
      withValue(base, 'detail.requestParameters.target', 42),
      'detail.requestParameters.target',
    ],
    [
      'target with a shell character',
      withValue(base, 'detail.requestParameters.target', 'i-0123;id'),
      'detail.requestParameters.target',
    ],
    [
      'target with a bidi override',
      withValue(base, 'detail.requestParameters.target', 'i-0123\u202e'),
      'detail.requestParameters.target',
    ],
    [
      'target longer than 400',
      withValue(base, 'detail.requestParameters.target', `ecs:${'a'.repeat(397)}`),
      'detail.requestParameters.target',
    ],
    [
      'documentName with a space',
      withValue(base, 'detail.requestParameters.documentName', 'My Doc'),
      'detail.requestParameters.documentName',
    ],
    [
      'parameters not an object',
      withValue(base, 'detail.requestParameters.parameters', ['22']),
      'detail.requestParameters.parameters',
    ],
    [
      'parameter value not an array',
      withValue(base, 'detail.requestParameters.parameters', { portNumber: '22' }),
      'detail.requestParameters.parameters.portNumber',
    ],
    [
      'parameter value not a string',
      withValue(base, 'detail.requestParameters.parameters', { portNumber: [22] }),
      'detail.requestParameters.parameters.portNumber[0]',
    ],
    ['missing eventTime', without(base, 'detail.eventTime'), 'detail.eventTime'],
    [
      'an eventTime far in the future (2999)',
      withValue(base, 'detail.eventTime', '2999-01-01T00:00:00Z'),
      'detail.eventTime',
    ],
    [
      'documentName an ARN of something else',
      withValue(
        base,
        'detail.requestParameters.documentName',
        'arn:aws:ssm:us-east-1:111122223333:parameter/x',
      ),
      'detail.requestParameters.documentName',
    ],
    ['unparseable eventTime', withValue(base, 'detail.eventTime', 'yesterday'), 'detail.eventTime'],
    ['impossible eventTime', withValue(base, 'detail.eventTime', '2026-13-01T00:00:00Z'), 'detail.eventTime'],
    ['February 30th', withValue(base, 'detail.eventTime', '2026-02-30T00:00:00Z'), 'detail.eventTime'],
    ['hour 24', withValue(base, 'detail.eventTime', '2026-03-01T24:00:00Z'), 'detail.eventTime'],
    ['a date without a time', withValue(base, 'detail.eventTime', '2026-03-01'), 'detail.eventTime'],
    [
      'eventTime without zone',
      withValue(base, 'detail.eventTime', '2026-03-01T10:00:00'),
      'detail.eventTime',
    ],
    ['numeric eventTime', withValue(base, 'detail.eventTime', 1767261600), 'detail.eventTime'],
    ['missing eventID', without(base, 'detail.eventID'), 'detail.eventID'],
    ['eventID with a space', withValue(base, 'detail.eventID', 'a b'), 'detail.eventID'],
    ['missing userIdentity', without(base, 'detail.userIdentity'), 'detail.userIdentity'],
    ['null userIdentity', withValue(base, 'detail.userIdentity', null), 'detail.userIdentity'],
    ['userIdentity a string', withValue(base, 'detail.userIdentity', 'alice'), 'detail.userIdentity'],
    ['userIdentity without type', without(base, 'detail.userIdentity.type'), 'detail.userIdentity.type'],
    ['IAM user without arn', without(base, 'detail.userIdentity.arn'), 'detail.userIdentity.arn'],
    [
      'IAM user with a role ARN',
      withValue(base, 'detail.userIdentity.arn', `arn:aws:iam::${ACCOUNT}:role/Operators`),
      'detail.userIdentity.arn',
    ],
    [
      'IAM user with a junk ARN',
      withValue(base, 'detail.userIdentity.arn', 'alice'),
      'detail.userIdentity.arn',
    ],
    [
      'principal account not 12 digits',
      withValue(base, 'detail.userIdentity.accountId', '1234'),
      'detail.userIdentity.accountId',
    ],
    [
      'access key id with a control character',
      withValue(base, 'detail.userIdentity.accessKeyId', 'AKIA\n'),
      'detail.userIdentity.accessKeyId',
    ],
    ['account not 12 digits', withValue(base, 'account', '1234567890012'), 'account'],
    ['no account anywhere', without(without(base, 'account'), 'detail.recipientAccountId'), 'account'],
    [
      'recipientAccountId not 12 digits when account is absent',
      withValue(without(base, 'account'), 'detail.recipientAccountId', 'x'),
      'detail.recipientAccountId',
    ],
    [
      'Region not a Region',
      withValue(withValue(base, 'region', 'moon-1'), 'detail.awsRegion', 'moon-1'),
      'region',
    ],
    ['Regions disagree', withValue(base, 'detail.awsRegion', 'eu-west-1'), 'detail.awsRegion'],
    ['no Region anywhere', without(without(base, 'region'), 'detail.awsRegion'), 'region'],
    [
      'awsRegion alone and invalid',
      withValue(without(base, 'region'), 'detail.awsRegion', 'EU'),
      'detail.awsRegion',
    ],
    [
      'an ISO-partition Region',
      withValue(withValue(base, 'region', 'us-iso-east-1'), 'detail.awsRegion', 'us-iso-east-1'),
      'region',
    ],
    [
      'assumed role without sessionContext',
      without(role, 'detail.userIdentity.sessionContext'),
      'detail.userIdentity.sessionContext',
    ],
    [
      'assumed role without sessionIssuer',
      without(role, 'detail.userIdentity.sessionContext.sessionIssuer'),
      'detail.userIdentity.sessionContext.sessionIssuer',
    ],
    [
      'assumed role whose issuer is not a role ARN',
      withValue(
        role,
        'detail.userIdentity.sessionContext.sessionIssuer.arn',
        `arn:aws:iam::${ACCOUNT}:user/x`,
      ),
      'detail.userIdentity.sessionContext.sessionIssuer.arn',
    ],
    [
      'assumed role whose caller ARN is not an assumed-role ARN',
      withValue(role, 'detail.userIdentity.arn', `arn:aws:sts::${ACCOUNT}:federated-user/x`),
      'detail.userIdentity.arn',
    ],
    [
      'assumed role with an unparseable creationDate',
      withValue(role, 'detail.userIdentity.sessionContext.attributes.creationDate', 'soon'),
      'detail.userIdentity.sessionContext.attributes.creationDate',
    ],
    [
      'federated user with an IAM ARN',
      withValue(
        startSessionEvent({ userIdentity: federatedUser() }),
        'detail.userIdentity.arn',
        'arn:aws:iam::1:x',
      ),
      'detail.userIdentity.arn',
    ],
    [
      'responseElements a string',
      withValue(base, 'detail.responseElements', 'ok'),
      'detail.responseElements',
    ],
    [
      'sessionId with a newline',
      withValue(base, 'detail.responseElements.sessionId', 'alice-1\nforged'),
      'detail.responseElements.sessionId',
    ],
    ['numeric errorCode', withValue(base, 'detail.errorCode', 403), 'detail.errorCode'],
    ['numeric userAgent', withValue(base, 'detail.userAgent', 7), 'detail.userAgent'],
  ])('%s', (_case, event, field) => {
    // Act
    const error = thrownBy(() => parseStartSessionEvent(event));

    // Assess
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).field).toBe(field);
    expect((error as MalformedEventError).message).toContain(field);
  });

  it('bounds every string: an oversized eventID is rejected before use', () => {
    // Act
    const error = thrownBy(() => parseStartSessionEvent(withValue(base, 'detail.eventID', 'e'.repeat(129))));

    // Assess
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).field).toBe('detail.eventID');
  });
});

describe('parseStartSessionEvent: the clock', () => {
  it('accepts an event up to 15 minutes after the clock and refuses one later', () => {
    // Prepare
    const event = startSessionEvent();
    const eventTime = Date.parse(commandOf(event).eventTime);

    // Act
    const accepted = parseStartSessionEvent(event, eventTime - 15 * 60 * 1000);
    const refused = () => parseStartSessionEvent(event, eventTime - 15 * 60 * 1000 - 1);

    // Assess
    expect(accepted.inScope).toBe(true);
    expect(refused).toThrow(/detail\.eventTime is more than 15 minutes after the clock/);
  });
});
