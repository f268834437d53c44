import { describe, expect, it } from 'vitest';
import { known, unknown } from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import {
  type Decision,
  decideSession,
  PREFERENCES_DOCUMENT,
  type SessionFacts,
} from '../../../src/domain/runAs.ts';
import {
  commandDoc,
  customShell,
  facts,
  federatedUser,
  iamUser,
  notLookedUp,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portDoc,
  role,
  rootUser,
  runAsTag,
  shellDoc,
  tags,
} from './runAsFixtures.ts';

interface Row {
  readonly name: string;
  readonly facts: SessionFacts;
  readonly expected: Partial<Decision> & { readonly outcome: Outcome };
  /** Text the decision path must contain (joined with spaces). */
  readonly path?: RegExp;
}

const prefs = (document: ReturnType<typeof shellDoc>): Partial<SessionFacts> => ({
  document: known(document),
  preferences: known(document),
});

const runTable = (rows: readonly Row[]): void => {
  it.each(rows)('$name', ({ facts: input, expected, path }) => {
    // Act
    const decision = decideSession(input);

    // Assess
    expect(decision).toMatchObject(expected);
    if (path !== undefined) expect(decision.path.join(' ')).toMatch(path);
    if (!('userToCheck' in expected)) expect(decision.userToCheck).toBeUndefined();
  });
};

describe('decideSession: NOT_APPLICABLE', () => {
  runTable([
    {
      name: 'the StartSession call failed (errorCode), whatever else is unknown',
      facts: facts({
        errorCode: 'AccessDenied',
        platform: unknown('not looked up'),
        document: unknown('not looked up'),
        principalTags: unknown('not looked up'),
        sessionTags: { status: 'unknown', reason: 'not looked up' },
      }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '', expectedUser: '', sessionTags: 'none' },
      path: /StartSession failed with "AccessDenied": no session was created/,
    },
    {
      name: 'an ECS task target is not a node',
      facts: facts({
        target: 'ecs:prod_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1234567890',
      }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '' },
      path: /is not a managed node/,
    },
    {
      name: 'a target that is not an instance id',
      facts: facts({ target: 'i-NOTHEX', platform: unknown('not looked up') }),
      expected: { outcome: 'NOT_APPLICABLE' },
    },
    {
      name: 'a Port document, even on a node of unknown platform',
      facts: facts({
        documentName: 'AWS-StartPortForwardingSession',
        document: known(portDoc),
        platform: unknown('AccessDenied'),
      }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '', expectedUser: '' },
      path: /Port document/,
    },
    {
      name: 'a Windows node: always ssm-user, a local administrator',
      facts: facts({ platform: known('Windows'), principalTags: unknown('AccessDenied') }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: 'ssm-user', expectedUser: 'ssm-user' },
      path: /runs Windows.*always run as ssm-user, a local administrator/,
    },
    {
      name: 'a Windows node whose document could not be read: shell or tunnel is unknown',
      facts: facts({ platform: known('Windows'), document: unknown('AccessDenied') }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '' },
    },
  ]);

  it('gives Windows sessions a remediation although there is nothing to compute', () => {
    // Act
    const decision = decideSession(facts({ platform: known('Windows') }));

    // Assess
    expect(decision.remediation).toMatch(/local administrators/);
  });
});

describe('decideSession: managed node targets', () => {
  runTable([
    {
      name: 'a hybrid node (mi-) is audited like an instance',
      facts: facts({ target: 'mi-0123456789abcdef0' }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user' },
    },
    {
      name: 'a short (8 hex) instance id is audited',
      facts: facts({ target: 'i-0123abcd' }),
      expected: { outcome: 'COMPLIANT' },
    },
    {
      name: 'a macOS node follows the Linux rules',
      facts: facts({ platform: known('MacOS'), principalTags: runAsTag('alice') }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice', sessionUser: 'alice' },
      path: /runs MacOS/,
    },
  ]);
});

describe('decideSession: UNVERIFIED (only when a needed fact is unknown)', () => {
  runTable([
    {
      name: 'platform unreadable',
      facts: facts({ platform: unknown('AccessDeniedException') }),
      expected: { outcome: 'UNVERIFIED', expectedUser: '', sessionUser: '' },
      path: /platform of node i-0123456789abcdef0 could not be read \(AccessDeniedException\)/,
    },
    {
      name: 'node not registered with Systems Manager',
      facts: facts({ platform: known(null) }),
      expected: { outcome: 'UNVERIFIED' },
      path: /not registered/,
    },
    {
      name: 'session document unreadable',
      facts: facts({ document: unknown('AccessDeniedException') }),
      expected: { outcome: 'UNVERIFIED' },
      path: /Document SSM-SessionManagerRunShell could not be read/,
    },
    {
      name: 'a named document that does not exist',
      facts: facts({ documentName: 'Custom-Shell', document: known(null) }),
      expected: { outcome: 'UNVERIFIED' },
      path: /Custom-Shell does not exist/,
    },
    {
      name: 'runAsEnabled from Parameter Store ({{ssm:…}})',
      facts: facts(prefs(shellDoc({ runAsEnabled: '{{ssm:/session/runas}}', runAsDefaultUser: 'ec2-user' }))),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsEnabled reads Parameter Store parameter "\/session\/runas"/,
    },
    {
      name: 'runAsEnabled from an unresolved {{enabled}}',
      facts: facts(prefs(shellDoc({ runAsEnabled: '{{ enabled }}' }))),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsEnabled uses \{\{enabled\}\}/,
    },
    {
      name: 'runAsDefaultUser from Parameter Store when no tag names a user',
      facts: facts(prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ ssm:/runas/default }}' }))),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsDefaultUser reads Parameter Store/,
    },
    {
      name: 'runAsDefaultUser from an unresolved {{user}} when no tag names a user',
      facts: facts(prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{user}}' }))),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsDefaultUser uses \{\{user\}\}/,
    },
    {
      name: 'principal in another account: its tags are unreadable and needed',
      facts: facts({ principalTags: unknown('role in account 444455556666, not this account') }),
      expected: { outcome: 'UNVERIFIED' },
      path: /tags of Role Operators could not be read \(role in account 444455556666/,
    },
    {
      name: 'principal tags unreadable with a default: the tag would override the default',
      facts: facts({ principal: iamUser(), principalTags: unknown('AccessDenied') }),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'session tags unreadable and nothing else names a user',
      facts: facts({
        ...prefs(PREFS_ON_NO_DEFAULT),
        sessionTags: { status: 'unknown', reason: 'AssumeRole record not found' },
      }),
      expected: { outcome: 'UNVERIFIED', sessionTags: 'unknown' },
      path: /only the unreadable session tags could have named one/,
    },
    {
      name: 'command document without own settings, Region preferences unreadable',
      facts: facts({
        documentName: 'AWS-StartInteractiveCommand',
        document: known(commandDoc('InteractiveCommands', { linux: { commands: 'top' } })),
        preferences: unknown('AccessDeniedException'),
      }),
      expected: { outcome: 'UNVERIFIED' },
      path: /Region's preferences \(SSM-SessionManagerRunShell\) could not be read/,
    },
    {
      name: 'runAsElevated from Parameter Store',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(
          commandDoc('InteractiveCommands', {
            linux: { commands: 'top', runAsElevated: '{{ssm:/ops/elevated}}' },
          }),
        ),
      }),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsElevated reads Parameter Store/,
    },
    {
      name: 'runAsElevated that the agent cannot read as a boolean',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(
          commandDoc('InteractiveCommands', { linux: { commands: 'top', runAsElevated: 'yes' } }),
        ),
      }),
      expected: { outcome: 'UNVERIFIED' },
      path: /runAsElevated is "yes"/,
    },
  ]);
});

describe('decideSession: unknown facts that are not needed do not block the outcome', () => {
  runTable([
    {
      name: 'principal tags unreadable but Run As is off',
      facts: facts({ ...prefs(PREFS_OFF), principalTags: unknown('another account') }),
      expected: { outcome: 'RAN_AS_SSM_USER', sessionUser: 'ssm-user' },
    },
    {
      name: 'principal tags unreadable but a session tag decides',
      facts: facts({
        principalTags: unknown('AccessDenied'),
        sessionTags: { status: 'known', tags: { SSMSessionRunAs: 'alice' } },
      }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'session-tag',
        sessionTags: 'applied',
      },
    },
    {
      name: 'runAsDefaultUser from Parameter Store but the role tag decides',
      facts: facts({
        ...prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
        principalTags: runAsTag('alice'),
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice', expectedUserSource: 'principal-tag' },
    },
    {
      name: 'runAsEnabled rejected: tags unreadable do not matter, the session failed',
      facts: facts({
        ...prefs(shellDoc({ runAsEnabled: 'yes' })),
        principalTags: unknown('AccessDenied'),
        sessionTags: { status: 'unknown', reason: 'not found' },
      }),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'Region preferences unreadable but the command document has its own settings',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(
          commandDoc('NonInteractiveCommands', { linux: { commands: 'id' } }, { runAsEnabled: false }),
        ),
        preferences: unknown('not needed'),
      }),
      expected: { outcome: 'RAN_AS_SSM_USER', settingsDocument: 'Ops-Commands' },
    },
    {
      name: 'Region preferences unreadable but the commands run elevated anyway',
      facts: facts({
        documentName: 'Ops-Root',
        document: known(
          commandDoc('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } }),
        ),
        preferences: unknown('AccessDeniedException'),
      }),
      expected: { outcome: 'RAN_AS_ROOT', sessionUser: 'root', settingsDocument: 'Ops-Root' },
      path: /could not be read.*Elevated commands do not use Run As settings/,
    },
  ]);
});

describe('decideSession: session tags unknown (the fallback decides, flagged)', () => {
  runTable([
    {
      name: 'role tag names a user: outcome from the role tag, sessionTags unknown',
      facts: facts({
        principalTags: runAsTag('alice'),
        sessionTags: { status: 'unknown', reason: 'AssumeRole record not found' },
      }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionTags: 'unknown',
      },
      path: /could not be read \(AssumeRole record not found\); an SSMSessionRunAs session tag would override/,
    },
    {
      name: 'default names a user: outcome from the default, sessionTags unknown',
      facts: facts({ sessionTags: { status: 'unknown', reason: 'too old' } }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'ec2-user',
        expectedUserSource: 'preferences',
        sessionTags: 'unknown',
      },
    },
    {
      name: 'role tag maps to root: still reported, sessionTags unknown',
      facts: facts({
        principalTags: runAsTag('root'),
        sessionTags: { status: 'unknown', reason: 'too old' },
      }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionTags: 'unknown' },
    },
    {
      name: 'IAM users have no session tags: an unknown lookup is ignored',
      facts: facts({
        principal: iamUser(),
        principalTags: runAsTag('alice'),
        sessionTags: { status: 'unknown', reason: 'lookup failed' },
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice', sessionTags: 'none' },
    },
    {
      name: 'not a role session',
      facts: facts({
        principal: iamUser(),
        principalTags: runAsTag('alice'),
        sessionTags: { status: 'not-a-role-session' },
      }),
      expected: { outcome: 'COMPLIANT', sessionTags: 'none' },
    },
  ]);
});

describe('decideSession: INVALID_PREFERENCES', () => {
  runTable([
    {
      name: 'runAsEnabled "yes"',
      facts: facts(prefs(shellDoc({ runAsEnabled: 'yes', runAsDefaultUser: 'ec2-user' }))),
      expected: {
        outcome: 'INVALID_PREFERENCES',
        expectedUser: '',
        sessionUser: '',
        settingsDocument: PREFERENCES_DOCUMENT,
      },
      path: /runAsEnabled is "yes", which the agent does not read as true or false/,
    },
    {
      name: 'runAsEnabled " true" (leading space)',
      facts: facts(prefs(shellDoc({ runAsEnabled: ' true' }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'runAsEnabled 1 (a number)',
      facts: facts(prefs(shellDoc({ runAsEnabled: 1 }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'runAsEnabled {{enabled}} filled with "yes" by StartSession',
      facts: facts({ ...prefs(shellDoc({ runAsEnabled: '{{enabled}}' })), parameters: { enabled: ['yes'] } }),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 's3EncryptionEnabled rejected fails the session even with Run As off',
      facts: facts(prefs(shellDoc({ runAsEnabled: false, s3EncryptionEnabled: 'maybe' }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
      path: /s3EncryptionEnabled is "maybe"/,
    },
    {
      name: 'cloudWatchEncryptionEnabled rejected',
      facts: facts(prefs(shellDoc({ runAsEnabled: true, cloudWatchEncryptionEnabled: 'enabled' }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'runAsDefaultUser that is not a string',
      facts: facts(prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: 42 }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
      path: /runAsDefaultUser is not a string/,
    },
    {
      name: 'in a custom Standard_Stream document',
      facts: facts(customShell({ runAsEnabled: 'on' })),
      expected: { outcome: 'INVALID_PREFERENCES', settingsDocument: 'Custom-Shell' },
    },
  ]);

  it('names the rejected input in the remediation', () => {
    // Act
    const decision = decideSession(facts(prefs(shellDoc({ runAsEnabled: 'yes' }))));

    // Assess
    expect(decision.remediation).toMatch(/Set runAsEnabled in SSM-SessionManagerRunShell to a JSON boolean/);
  });
});

describe('decideSession: RAN_AS_ROOT', () => {
  runTable([
    {
      name: 'InteractiveCommands with linux runAsElevated true on Linux',
      facts: facts({
        documentName: 'Ops-Tail',
        document: known(
          commandDoc('InteractiveCommands', { linux: { commands: 'tail -f x', runAsElevated: true } }),
        ),
        principalTags: runAsTag('alice'),
      }),
      expected: {
        outcome: 'RAN_AS_ROOT',
        expectedUser: 'root',
        sessionUser: 'root',
        settingsDocument: 'Ops-Tail',
        expectedUserSource: 'none',
      },
      path: /runAsElevated is true: the commands run as root/,
    },
    {
      name: 'NonInteractiveCommands with macos runAsElevated "True" on macOS',
      facts: facts({
        platform: known('MacOS'),
        documentName: 'Ops-Mac',
        document: known(
          commandDoc('NonInteractiveCommands', { macos: { commands: 'id', runAsElevated: 'True' } }),
        ),
      }),
      expected: { outcome: 'RAN_AS_ROOT', sessionUser: 'root' },
    },
    {
      name: 'runAsElevated from a parameter default',
      facts: facts({
        documentName: 'Ops-Param',
        document: known(
          commandDoc(
            'InteractiveCommands',
            { linux: { commands: 'top', runAsElevated: '{{ elevate }}' } },
            {},
            { elevate: { default: true } },
          ),
        ),
      }),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'elevated beats Run As off in the command document itself',
      facts: facts({
        documentName: 'Ops-Root',
        document: known(
          commandDoc(
            'InteractiveCommands',
            { linux: { commands: 'top', runAsElevated: true } },
            { runAsEnabled: false },
          ),
        ),
      }),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'a rejected runAsEnabled beats elevation (the session failed)',
      facts: facts({
        documentName: 'Ops-Root',
        document: known(
          commandDoc(
            'InteractiveCommands',
            { linux: { commands: 'top', runAsElevated: true } },
            { runAsEnabled: 'yes' },
          ),
        ),
      }),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
  ]);
});

describe('decideSession: command documents without runAsElevated run like a shell', () => {
  runTable([
    {
      name: 'linux elevated but the node is macOS: not elevated there',
      facts: facts({
        platform: known('MacOS'),
        documentName: 'Ops-Linux-Root',
        document: known(
          commandDoc('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } }),
        ),
        principalTags: runAsTag('alice'),
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice', settingsDocument: PREFERENCES_DOCUMENT },
    },
    {
      name: 'NonInteractiveCommands without own settings uses the Region preferences (assumed)',
      facts: facts({
        documentName: 'AWS-StartNonInteractiveCommand',
        document: known(commandDoc('NonInteractiveCommands', { linux: { commands: 'id' } })),
        preferences: known(PREFS_ON),
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', settingsDocument: PREFERENCES_DOCUMENT },
      path: /AWS does not document whether Region preferences apply to command sessions; assumed they do/,
    },
    {
      name: 'runAsElevated false, Region preferences off',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(
          commandDoc('InteractiveCommands', { linux: { commands: 'top', runAsElevated: false } }),
        ),
        preferences: known(PREFS_OFF),
      }),
      expected: { outcome: 'RAN_AS_SSM_USER', sessionUser: 'ssm-user' },
    },
    {
      name: 'no Region preferences document: built-in defaults',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(commandDoc('InteractiveCommands', { linux: { commands: 'top' } })),
        preferences: known(null),
      }),
      expected: { outcome: 'RAN_AS_SSM_USER', settingsDocument: '' },
      path: /built-in defaults apply, with Run As off/,
    },
    {
      name: 'own Run As settings of the command document',
      facts: facts({
        documentName: 'Ops-Commands',
        document: known(
          commandDoc(
            'InteractiveCommands',
            { linux: { commands: 'top' } },
            { runAsEnabled: true, runAsDefaultUser: 'ops' },
          ),
        ),
        preferences: known(PREFS_OFF),
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ops', settingsDocument: 'Ops-Commands' },
    },
  ]);
});

describe('decideSession: RAN_AS_SSM_USER', () => {
  runTable([
    {
      name: 'runAsEnabled false',
      facts: facts(prefs(PREFS_OFF)),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        expectedUser: 'ssm-user',
        sessionUser: 'ssm-user',
        expectedUserSource: 'none',
        settingsDocument: PREFERENCES_DOCUMENT,
      },
      path: /runAsEnabled false, so Run As is off/,
    },
    {
      name: 'runAsEnabled ""',
      facts: facts(prefs(shellDoc({ runAsEnabled: '' }))),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'runAsEnabled "0"',
      facts: facts(prefs(shellDoc({ runAsEnabled: '0' }))),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'runAsEnabled null',
      facts: facts(prefs(shellDoc({ runAsEnabled: null }))),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'runAsEnabled missing',
      facts: facts(prefs(shellDoc({ runAsDefaultUser: 'ec2-user' }))),
      expected: { outcome: 'RAN_AS_SSM_USER' },
      path: /runAsEnabled not set, so Run As is off/,
    },
    {
      name: 'no SSM-SessionManagerRunShell in the Region: built-in defaults',
      facts: facts({ document: known(null), preferences: known(null) }),
      expected: { outcome: 'RAN_AS_SSM_USER', sessionUser: 'ssm-user', settingsDocument: '' },
      path: /No SSM-SessionManagerRunShell document exists in this Region/,
    },
    {
      name: 'a custom Standard_Stream document with Run As off overrides Region preferences that are on',
      facts: facts(customShell({ runAsEnabled: false })),
      expected: { outcome: 'RAN_AS_SSM_USER', settingsDocument: 'Custom-Shell' },
    },
    {
      name: 'a custom Standard_Stream document without runAsEnabled: off',
      facts: facts(customShell({ s3BucketName: 'logs' })),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'the role tag maps to ssm-user',
      facts: facts({ principalTags: runAsTag('ssm-user') }),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        expectedUser: 'ssm-user',
        expectedUserSource: 'principal-tag',
        sessionUser: 'ssm-user',
      },
      path: /resolved user is ssm-user/,
    },
    {
      name: 'the default maps to ssm-user, even when ssm-user is denied',
      facts: facts({
        ...prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: 'ssm-user' })),
        deniedUsers: new Set(['root', 'ssm-user']),
      }),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUserSource: 'preferences' },
    },
    {
      name: 'ssm-user mapped with Run As on but ssm-user missing on the node: refused',
      facts: facts({
        principalTags: runAsTag('ssm-user'),
        userPresence: { status: 'missing', source: 'inventory' },
      }),
      expected: { outcome: 'RAN_AS_SSM_USER', sessionUser: '', userVerified: true },
    },
    {
      name: 'a "__proto__" input cannot smuggle runAsEnabled in',
      facts: facts(
        prefs({
          schemaVersion: '1.0',
          sessionType: 'Standard_Stream',
          inputs: JSON.parse('{"__proto__":{"runAsEnabled":true,"runAsDefaultUser":"alice"}}') as Record<
            string,
            unknown
          >,
          parameters: {},
          properties: {},
        }),
      ),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
  ]);

  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('runAsEnabled %j turns Run As on', (value) => {
    // Act
    const decision = decideSession(
      facts(prefs(shellDoc({ runAsEnabled: value, runAsDefaultUser: 'ec2-user' }))),
    );

    // Assess
    expect(decision.outcome).toBe('COMPLIANT');
  });
});

describe('decideSession: NO_RUN_AS_USER', () => {
  runTable([
    {
      name: 'Run As on, no tag, no default',
      facts: facts(prefs(PREFS_ON_NO_DEFAULT)),
      expected: { outcome: 'NO_RUN_AS_USER', expectedUser: '', sessionUser: '', expectedUserSource: 'none' },
      path: /please set the RunAs default user/,
    },
    {
      name: 'default blank after trim',
      facts: facts(prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: '  \t' }))),
      expected: { outcome: 'NO_RUN_AS_USER' },
    },
    {
      name: 'runAsDefaultUser missing',
      facts: facts(prefs(shellDoc({ runAsEnabled: true }))),
      expected: { outcome: 'NO_RUN_AS_USER' },
    },
    {
      name: 'a blank tag value is absent',
      facts: facts({ ...prefs(PREFS_ON_NO_DEFAULT), principalTags: runAsTag('   ') }),
      expected: { outcome: 'NO_RUN_AS_USER' },
      path: /blank value, which counts as absent/,
    },
    {
      name: 'the root user has no IAM tags (unreadable tags ignored)',
      facts: facts({ ...prefs(PREFS_ON_NO_DEFAULT), principal: rootUser, principalTags: unknown('n/a') }),
      expected: { outcome: 'NO_RUN_AS_USER' },
      path: /The account root user has no IAM tags/,
    },
    {
      name: 'an Identity Center role cannot be tagged, and no session tag',
      facts: facts({
        ...prefs(PREFS_ON_NO_DEFAULT),
        principal: role('AWSReservedSSO_Admin_0123456789abcdef'),
        principalTags: unknown('AccessDenied'),
      }),
      expected: { outcome: 'NO_RUN_AS_USER' },
      path: /IAM Identity Center role, which cannot be tagged/,
    },
  ]);
});

describe('decideSession: user resolution', () => {
  runTable([
    {
      name: 'the role tag',
      facts: facts({ principalTags: runAsTag('alice') }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionUser: 'alice',
      },
      path: /Role Operators has SSMSessionRunAs="alice"\./,
    },
    {
      name: 'the IAM user tag',
      facts: facts({
        principal: iamUser('bob'),
        principalTags: runAsTag('bob'),
        sessionTags: { status: 'not-a-role-session' },
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'bob' },
      path: /IAM user bob has SSMSessionRunAs="bob"/,
    },
    {
      name: 'the tag key is case-insensitive (ssmsessionrunas)',
      facts: facts({ principalTags: tags({ ssmsessionrunas: 'alice' }) }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice', expectedUserSource: 'principal-tag' },
      path: /key written "ssmsessionrunas"; tag keys are case-insensitive/,
    },
    {
      name: 'a session tag overrides the role tag',
      facts: facts({
        principalTags: runAsTag('shared'),
        sessionTags: { status: 'known', tags: { SSMSessionRunAs: 'alice' } },
      }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'session-tag',
        sessionTags: 'applied',
      },
      path: /Session tags override the role's tag/,
    },
    {
      name: 'a session tag key is case-insensitive too',
      facts: facts({ sessionTags: { status: 'known', tags: { SSMSESSIONRUNAS: 'alice' } } }),
      expected: { expectedUser: 'alice', expectedUserSource: 'session-tag', outcome: 'COMPLIANT' },
    },
    {
      name: 'a blank session tag falls through to the role tag',
      facts: facts({
        principalTags: runAsTag('alice'),
        sessionTags: { status: 'known', tags: { SSMSessionRunAs: ' ' } },
      }),
      expected: {
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionTags: 'none',
        outcome: 'COMPLIANT',
      },
    },
    {
      name: 'the exact key wins over another spelling',
      facts: facts({ principalTags: tags({ ssmSessionRunAs: 'other', SSMSessionRunAs: 'alice' }) }),
      expected: { expectedUser: 'alice', outcome: 'COMPLIANT' },
    },
    {
      name: 'an Identity Center role gets its user from the session tag',
      facts: facts({
        principal: role('AWSReservedSSO_Dev_0123456789abcdef'),
        principalTags: unknown('AccessDenied'),
        sessionTags: { status: 'known', tags: { SSMSessionRunAs: 'dev1' } },
      }),
      expected: { expectedUser: 'dev1', expectedUserSource: 'session-tag', outcome: 'COMPLIANT' },
    },
    {
      name: 'an Identity Center role without tags falls back to the default',
      facts: facts({
        principal: role('AWSReservedSSO_Dev_0123456789abcdef'),
        principalTags: unknown('AccessDenied'),
      }),
      expected: { expectedUser: 'ec2-user', expectedUserSource: 'preferences', outcome: 'COMPLIANT' },
    },
    {
      name: 'a federated user has no IAM tags: the default decides',
      facts: facts({
        principal: federatedUser,
        principalTags: unknown('n/a'),
        sessionTags: { status: 'known', tags: {} },
      }),
      expected: { expectedUser: 'ec2-user', expectedUserSource: 'preferences', outcome: 'COMPLIANT' },
      path: /Federated user bob has no IAM tags/,
    },
    {
      name: 'the default when no tag',
      facts: facts(),
      expected: { expectedUser: 'ec2-user', expectedUserSource: 'preferences', outcome: 'COMPLIANT' },
      path: /Document SSM-SessionManagerRunShell: runAsEnabled true, runAsDefaultUser "ec2-user"\./,
    },
    {
      name: '{{user}} in runAsDefaultUser from StartSession parameters',
      facts: facts({
        ...customShell({ runAsEnabled: true, runAsDefaultUser: '{{ user }}' }),
        parameters: { user: ['alice'] },
      }),
      expected: { expectedUser: 'alice', expectedUserSource: 'preferences', outcome: 'COMPLIANT' },
      path: /runAsDefaultUser "alice"/,
    },
    {
      name: '{{user}} in runAsDefaultUser from the document default',
      facts: facts({
        documentName: 'Custom-Shell',
        document: known(
          shellDoc(
            { runAsEnabled: '{{on}}', runAsDefaultUser: '{{user}}' },
            { user: { default: 'bob' }, on: { default: true } },
          ),
        ),
      }),
      expected: { expectedUser: 'bob', outcome: 'COMPLIANT' },
      path: /runAsEnabled "\{\{on\}\}" \(resolved to "true"\)/,
    },
    {
      name: 'StartSession parameters win over the document default',
      facts: facts({
        documentName: 'Custom-Shell',
        document: known(
          shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{user}}' }, { user: { default: 'bob' } }),
        ),
        parameters: { user: ['carol'] },
      }),
      expected: { expectedUser: 'carol', outcome: 'COMPLIANT' },
    },
    {
      name: 'a StartSession value pointing at Parameter Store',
      facts: facts({
        documentName: 'Custom-Shell',
        document: known(
          shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{user}}' }, { user: { default: 'bob' } }),
        ),
        parameters: { user: ['{{ssm:/users/carol}}'] },
      }),
      expected: { outcome: 'UNVERIFIED' },
    },
  ]);
});

describe('decideSession: INVALID_RUN_AS_USER (the safe-name rule)', () => {
  const unsafe = [
    ['shell metacharacters', 'a;reboot'],
    ['command substitution', '$(id)'],
    ['backticks', '`id`'],
    ['a pipe', 'alice|sh'],
    ['an inner space', 'alice smith'],
    ['surrounding spaces', ' alice'],
    ['a leading dash (an option to id)', '-rf'],
    ['a leading dot', '.alice'],
    ['a slash', 'corp/alice'],
    ['a backslash (DOMAIN\\user)', 'CORP\\alice'],
    ['a newline', 'alice\nreboot'],
    ['an escape sequence', '\u001b[31malice'],
    ['non-ASCII letters', 'zoë'],
    ['257 characters', 'a'.repeat(257)],
    ['a "$" that is not last', 'a$b'],
  ] as const;

  it.each(unsafe)('rejects %s', (_name, value) => {
    // Act
    const decision = decideSession(facts({ principalTags: runAsTag(value) }));

    // Assess
    expect(decision).toMatchObject({
      outcome: 'INVALID_RUN_AS_USER',
      expectedUser: value,
      expectedUserSource: 'principal-tag',
      sessionUser: '',
    });
    expect(decision.userToCheck).toBeUndefined();
    expect(decision.path.join(' ')).toMatch(/tag value is not a safe user name/);
    expect(decision.path.join(' ')).not.toContain(value);
  });

  it.each([
    ['a directory user with @', 'alice@corp.example'],
    ['a trailing $ (machine account)', 'HOST01$'],
    ['dots, dashes and underscores', 'ops_team.a-1'],
    ['a leading underscore', '_svc'],
    ['exactly 256 characters', 'a'.repeat(256)],
  ])('accepts %s', (_name, value) => {
    // Act
    const decision = decideSession(facts({ principalTags: runAsTag(value) }));

    // Assess
    expect(decision).toMatchObject({ outcome: 'COMPLIANT', expectedUser: value, sessionUser: value });
  });

  it('applies the rule to the default user, naming its source', () => {
    // Act
    const decision = decideSession(
      facts(prefs(shellDoc({ runAsEnabled: true, runAsDefaultUser: 'ec2 user' }))),
    );

    // Assess
    expect(decision).toMatchObject({ outcome: 'INVALID_RUN_AS_USER', expectedUserSource: 'preferences' });
    expect(decision.path.join(' ')).toMatch(/runAsDefaultUser \(a value that is not a safe user name\)/);
    expect(decision.path.join(' ')).not.toContain('ec2 user');
  });

  it('applies the rule to a session tag', () => {
    // Act
    const decision = decideSession(
      facts({ sessionTags: { status: 'known', tags: { SSMSessionRunAs: '$(reboot)' } } }),
    );

    // Assess
    expect(decision).toMatchObject({ outcome: 'INVALID_RUN_AS_USER', expectedUserSource: 'session-tag' });
    expect(decision.path.join(' ')).not.toContain('reboot');
  });
});

describe('decideSession: DISALLOWED_RUN_AS_USER', () => {
  runTable([
    {
      name: 'root: the agent refuses uid 0, so nothing ran and nothing is looked up',
      facts: notLookedUp(facts({ principalTags: runAsTag('root') })),
      expected: {
        outcome: 'DISALLOWED_RUN_AS_USER',
        expectedUser: 'root',
        sessionUser: '',
        userVerified: false,
      },
      path: /"root" is on the deny list \(DENIED_RUN_AS_USERS\)\. The agent refuses uid 0/,
    },
    {
      name: 'a denied user that exists: the session ran as it',
      facts: facts({ principalTags: runAsTag('admin'), deniedUsers: new Set(['root', 'admin']) }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: 'admin', userVerified: true },
    },
    {
      name: 'a denied user not looked up yet: look it up',
      facts: notLookedUp(facts({ principalTags: runAsTag('admin'), deniedUsers: new Set(['admin']) })),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: 'admin', userToCheck: 'admin' },
    },
    {
      name: 'a denied user missing on the node: refused, still disallowed',
      facts: facts({
        principalTags: runAsTag('admin'),
        deniedUsers: new Set(['admin']),
        userPresence: { status: 'missing', source: 'inventory' },
      }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: '' },
    },
    {
      name: 'the deny list matches exactly (Root is not root)',
      facts: facts({ principalTags: runAsTag('Root') }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'Root' },
    },
  ]);
});

describe('decideSession: MISSING_RUN_AS_USER and COMPLIANT', () => {
  runTable([
    {
      name: 'the user does not exist on the node',
      facts: facts({
        principalTags: runAsTag('alice'),
        userPresence: { status: 'missing', source: 'inventory' },
      }),
      expected: {
        outcome: 'MISSING_RUN_AS_USER',
        expectedUser: 'alice',
        sessionUser: '',
        userVerified: true,
      },
      path: /"alice" does not exist on the node \(inventory\)/,
    },
    {
      name: 'the user exists',
      facts: facts({ principalTags: runAsTag('alice') }),
      expected: { outcome: 'COMPLIANT', sessionUser: 'alice', userVerified: true, remediation: '' },
      path: /"alice" exists on the node \(inventory\)/,
    },
    {
      name: 'existence unknown: compliant, not verified',
      facts: facts({
        principalTags: runAsTag('alice'),
        userPresence: { status: 'unknown', reason: 'no inventory' },
      }),
      expected: { outcome: 'COMPLIANT', sessionUser: 'alice', userVerified: false },
      path: /Whether "alice" exists on the node is unknown \(no inventory\)/,
    },
  ]);
});

describe('decideSession: the two-phase user lookup', () => {
  it('asks for the user, then decides with its presence', () => {
    // Prepare
    const first = notLookedUp(facts({ principalTags: runAsTag('alice') }));

    // Act
    const before = decideSession(first);
    const present = decideSession({ ...first, userPresence: { status: 'present', source: 'inventory' } });
    const missing = decideSession({ ...first, userPresence: { status: 'missing', source: 'inventory' } });

    // Assess
    expect(before).toMatchObject({ outcome: 'COMPLIANT', userToCheck: 'alice', userVerified: false });
    expect(present).toMatchObject({ outcome: 'COMPLIANT', userVerified: true });
    expect(present.userToCheck).toBeUndefined();
    expect(missing).toMatchObject({ outcome: 'MISSING_RUN_AS_USER', sessionUser: '' });
    expect(missing.userToCheck).toBeUndefined();
  });

  it.each<[string, SessionFacts]>([
    ['Run As off', notLookedUp(facts(prefs(PREFS_OFF)))],
    [
      'elevated commands',
      notLookedUp(
        facts({
          documentName: 'R',
          document: known(commandDoc('InteractiveCommands', { linux: { runAsElevated: true } })),
        }),
      ),
    ],
    ['an unsafe name', notLookedUp(facts({ principalTags: runAsTag('a b') }))],
    ['no user', notLookedUp(facts(prefs(PREFS_ON_NO_DEFAULT)))],
    ['the ssm-user mapping', notLookedUp(facts({ principalTags: runAsTag('ssm-user') }))],
    ['an unverified expectation', notLookedUp(facts({ principalTags: unknown('denied') }))],
  ])('asks for no lookup when the node users cannot change the outcome: %s', (_name, input) => {
    // Act
    const decision = decideSession(input);

    // Assess
    expect(decision.userToCheck).toBeUndefined();
  });
});

describe('decideSession: precedence (the first outcome that holds wins)', () => {
  runTable([
    {
      name: 'NOT_APPLICABLE over UNVERIFIED: Windows with unreadable document and tags',
      facts: facts({ platform: known('Windows'), document: unknown('x'), principalTags: unknown('x') }),
      expected: { outcome: 'NOT_APPLICABLE' },
    },
    {
      name: 'UNVERIFIED over INVALID_PREFERENCES: platform unknown',
      facts: facts({ platform: unknown('denied'), ...prefs(shellDoc({ runAsEnabled: 'yes' })) }),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'INVALID_PREFERENCES over UNVERIFIED inputs: a rejected flag is certain',
      facts: facts(prefs(shellDoc({ runAsEnabled: '{{ssm:/x}}', s3EncryptionEnabled: 'nope' }))),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'RAN_AS_SSM_USER over DISALLOWED: ssm-user on the deny list',
      facts: facts({ principalTags: runAsTag('ssm-user'), deniedUsers: new Set(['ssm-user']) }),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'INVALID_RUN_AS_USER over DISALLOWED: an unsafe name on the deny list',
      facts: facts({ principalTags: runAsTag('root;'), deniedUsers: new Set(['root;']) }),
      expected: { outcome: 'INVALID_RUN_AS_USER' },
    },
    {
      name: 'DISALLOWED over MISSING',
      facts: facts({
        principalTags: runAsTag('admin'),
        deniedUsers: new Set(['admin']),
        userPresence: { status: 'missing', source: 'inventory' },
      }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
    },
  ]);
});

describe('decideSession: path text', () => {
  it('JSON-quotes hostile values so control characters are escaped', () => {
    // Act
    const decision = decideSession(facts({ errorCode: 'Denied\n\u0007' }));

    // Assess
    expect(decision.path.join(' ')).toContain('"Denied\\n\\u0007"');
    expect(decision.path.join(' ')).not.toContain('\n');
  });

  it('cuts a quoted value over 64 characters with an ellipsis', () => {
    // Prepare
    const long = `u${'x'.repeat(99)}`;

    // Act
    const decision = decideSession(facts({ principalTags: runAsTag(long) }));

    // Assess
    expect(decision.expectedUser).toBe(long);
    expect(decision.path.join(' ')).toContain(`"${long.slice(0, 64)}…"`);
    expect(decision.path.join(' ')).not.toContain(long);
  });

  it('quotes a document name that AWS would not allow', () => {
    // Act
    const decision = decideSession(facts({ documentName: 'Bad Name\r', document: known(null) }));

    // Assess
    expect(decision.path.join(' ')).toContain('Document "Bad Name\\r" does not exist');
  });

  it('gives every failing outcome a remediation and COMPLIANT none', () => {
    // Prepare
    const rows: SessionFacts[] = [
      facts({ platform: unknown('x') }),
      facts(prefs(shellDoc({ runAsEnabled: 'yes' }))),
      facts({
        documentName: 'R',
        document: known(commandDoc('InteractiveCommands', { linux: { runAsElevated: true } })),
      }),
      facts(prefs(PREFS_OFF)),
      facts(prefs(PREFS_ON_NO_DEFAULT)),
      facts({ principalTags: runAsTag('a b') }),
      facts({ principalTags: runAsTag('root') }),
      facts({ userPresence: { status: 'missing', source: 'inventory' } }),
    ];

    // Act
    const decisions = rows.map(decideSession);

    // Assess
    expect(decisions.map((d) => d.outcome)).toEqual([
      'UNVERIFIED',
      'INVALID_PREFERENCES',
      'RAN_AS_ROOT',
      'RAN_AS_SSM_USER',
      'NO_RUN_AS_USER',
      'INVALID_RUN_AS_USER',
      'DISALLOWED_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
    ]);
    for (const decision of decisions) expect(decision.remediation).not.toBe('');
    expect(decideSession(facts()).remediation).toBe('');
  });

  it('uses the settings of the default preferences example unchanged (PREFS_ON)', () => {
    // Act
    const decision = decideSession(facts({ document: known(PREFS_ON) }));

    // Assess
    expect(decision.settingsDocument).toBe(PREFERENCES_DOCUMENT);
  });
});
