import { describe, expect, it } from 'vitest';
import type { Decision, StepName } from '../../../src/domain/decision.ts';
import { known, unknown } from '../../../src/domain/facts.ts';
import type { SessionFacts } from '../../../src/domain/runAs.ts';
import {
  commandContent,
  decided,
  type FactsPatch,
  facts,
  federatedUser,
  iamUser,
  named,
  nodeWith,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portContent,
  prefs,
  read,
  role,
  rootUser,
  runAsTag,
  sessionTag,
  shellContent,
  stepNames,
  tags,
  unknownUsers,
  verdict,
} from './runAsFixtures.ts';

interface Row {
  readonly name: string;
  readonly facts: SessionFacts;
  readonly expected: Partial<Decision> & { readonly outcome: Decision['outcome'] };
  /** The step that explains the outcome (the last one). */
  readonly last?: StepName;
}

const runTable = (rows: readonly Row[]): void => {
  it.each(rows)('$name', ({ facts: input, expected, last }) => {
    // Act
    const decision = decided(input);

    // Assess
    expect(decision).toMatchObject(expected);
    if (last !== undefined) expect(decision.steps.at(-1)?.step).toBe(last);
  });
};

const NOT_READ = unknown('not looked up');

describe('decideSession: scope (NOT_APPLICABLE, SSH_TUNNEL)', () => {
  runTable([
    {
      name: 'the StartSession call failed (errorCode), whatever else is unknown',
      facts: facts({ errorCode: 'AccessDenied', platform: NOT_READ, document: NOT_READ }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '', expectedUser: '' },
      last: 'call-failed',
    },
    {
      name: 'an ECS task target is not a node',
      facts: facts({ target: 'ecs:prod_0123456789abcdef_0123456789abcdef-1234567890' }),
      expected: { outcome: 'NOT_APPLICABLE' },
      last: 'not-a-node',
    },
    {
      name: 'an instance id that is not 8 or 17 hex digits is not a node',
      facts: facts({ target: 'i-0123456789' }),
      expected: { outcome: 'NOT_APPLICABLE' },
      last: 'not-a-node',
    },
    {
      name: 'a Port session forwarding port 80, even on a node of unknown platform',
      facts: facts({
        ...named(portContent('80'), 'AWS-StartPortForwardingSession'),
        platform: unknown('denied'),
      }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '' },
      last: 'port',
    },
    {
      name: 'a Port session to port 22 (a portNumber parameter) is SSH over Session Manager',
      facts: facts({
        ...named(
          portContent('{{ portNumber }}', { portNumber: { type: 'String', default: '80' } }),
          'AWS-StartPortForwardingSession',
        ),
        parameters: { portNumber: ['22'] },
      }),
      expected: { outcome: 'SSH_TUNNEL', sessionUser: '', expectedUser: '' },
      last: 'ssh-tunnel',
    },
    {
      name: 'AWS-StartSSHSession is SSH whatever port sshd listens on',
      facts: facts({
        ...named(
          portContent('{{ portNumber }}', { portNumber: { type: 'String', default: '22' } }),
          'AWS-StartSSHSession',
        ),
        parameters: { portNumber: ['2222'] },
      }),
      expected: { outcome: 'SSH_TUNNEL' },
    },
    {
      name: 'a Port session whose port comes from Parameter Store cannot be told from SSH',
      facts: facts(named(portContent('{{ssm:/tunnel/port}}'), 'Tunnel')),
      expected: { outcome: 'UNVERIFIED' },
      last: 'port-unknown',
    },
    {
      name: 'a Windows node: sessions run as ssm-user, a local administrator',
      facts: facts({ platform: known('Windows'), principalTags: unknown('AccessDenied') }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: 'ssm-user', expectedUser: 'ssm-user' },
      last: 'windows',
    },
    {
      name: 'a Windows node whose document could not be read: shell or tunnel is unknown',
      facts: facts({ platform: known('Windows'), document: unknown('AccessDenied') }),
      expected: { outcome: 'NOT_APPLICABLE', sessionUser: '' },
    },
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
  ]);
});

describe('decideSession: UNVERIFIED (a fact the decision needs is unknown)', () => {
  runTable([
    {
      name: 'platform unreadable',
      facts: facts({ platform: unknown('AccessDeniedException') }),
      expected: { outcome: 'UNVERIFIED', expectedUser: '', sessionUser: '' },
      last: 'platform-unreadable',
    },
    {
      name: 'node not registered',
      facts: facts({ platform: known(null) }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'node-unregistered',
    },
    {
      name: 'session document unreadable',
      facts: facts({ document: unknown('AccessDeniedException') }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'document-unreadable',
    },
    {
      name: 'a named document that no longer exists',
      facts: facts({ documentName: 'Custom-Shell', document: known(null) }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'document-gone',
    },
    {
      name: 'a document of another type (Command) is not a session document',
      facts: facts({
        document: known({ name: 'X', version: '1', documentType: 'Command', content: PREFS_ON }),
      }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'document-unreadable',
    },
    {
      name: 'runAsEnabled from Parameter Store ({{ssm:…}})',
      facts: facts(
        prefs(shellContent({ runAsEnabled: '{{ssm:/session/runas}}', runAsDefaultUser: 'ec2-user' })),
      ),
      expected: { outcome: 'UNVERIFIED' },
      last: 'parameter-store',
    },
    {
      name: 's3EncryptionEnabled from Parameter Store: whether the session starts is unknown',
      facts: facts(prefs(shellContent({ runAsEnabled: true, s3EncryptionEnabled: '{{ ssm:/enc }}' }))),
      expected: { outcome: 'UNVERIFIED' },
      last: 'parameter-store',
    },
    {
      name: 'runAsDefaultUser from Parameter Store when no tag names a user',
      facts: facts(prefs(shellContent({ runAsEnabled: true, runAsDefaultUser: '{{ ssm:/runas/default }}' }))),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'principal in another account: its tags are unreadable and needed',
      facts: facts({ principalTags: unknown('role in account 444455556666') }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'principal-tags-unreadable',
    },
    {
      name: 'session tags unreadable and nothing else names a user',
      facts: facts({
        ...prefs(PREFS_ON_NO_DEFAULT),
        sessionTags: { status: 'unknown', reason: 'not found' },
      }),
      expected: { outcome: 'UNVERIFIED', sessionTags: 'unknown' },
      last: 'only-session-tags-could-name',
    },
    {
      name: 'a shell profile read from Parameter Store could switch user',
      facts: facts(
        prefs(
          shellContent({
            runAsEnabled: true,
            runAsDefaultUser: 'ec2-user',
            shellProfile: { linux: '{{ssm:/profile}}' },
          }),
        ),
      ),
      expected: { outcome: 'UNVERIFIED' },
      last: 'parameter-store',
    },
  ]);
});

describe('decideSession: INVALID_PREFERENCES (the agent fails the session)', () => {
  const invalid = (name: string, content: unknown, extra: Partial<SessionFacts> = {}): Row => ({
    name,
    facts: facts({ ...named(content), ...extra }),
    expected: { outcome: 'INVALID_PREFERENCES', expectedUser: '', sessionUser: '' },
    last: 'invalid-setting',
  });
  runTable([
    invalid('schemaVersion 2.2', { ...PREFS_ON, schemaVersion: '2.2' }),
    invalid('schemaVersion as a JSON number', { ...PREFS_ON, schemaVersion: 1.0 }),
    invalid('runAsEnabled "yes" (not a ParseBool spelling)', shellContent({ runAsEnabled: 'yes' })),
    invalid('runAsEnabled "tRuE"', shellContent({ runAsEnabled: 'tRuE' })),
    invalid('runAsEnabled as a JSON number', shellContent({ runAsEnabled: 1 })),
    invalid(
      's3EncryptionEnabled "maybe"',
      shellContent({ runAsEnabled: true, s3EncryptionEnabled: 'maybe' }),
    ),
    invalid(
      'cloudWatchStreamingEnabled "true" (a Go bool field)',
      shellContent({ runAsEnabled: true, cloudWatchStreamingEnabled: 'true' }),
    ),
    invalid('runAsDefaultUser as a number', shellContent({ runAsEnabled: true, runAsDefaultUser: 5 })),
    invalid('s3BucketName as an object', shellContent({ runAsEnabled: true, s3BucketName: {} })),
    invalid('idleSessionTimeout as a number', shellContent({ runAsEnabled: true, idleSessionTimeout: 20 })),
    invalid('shellProfile as a string', shellContent({ runAsEnabled: true, shellProfile: 'sudo -i' })),
    invalid('inputs as an array', shellContent([])),
    invalid('RUNASENABLED "yes": keys are matched case-insensitively', shellContent({ RUNASENABLED: 'yes' })),
    invalid(
      'a whole-value {{ p }} keeps its JSON type: a number default in runAsEnabled',
      shellContent(
        { runAsEnabled: '{{ enabled }}' },
        { parameters: { enabled: { type: 'String', default: 1 } } },
      ),
    ),
    invalid(
      'a StringList parameter cannot fill runAsDefaultUser',
      shellContent(
        { runAsEnabled: true, runAsDefaultUser: '{{users}}' },
        { parameters: { users: { type: 'StringList' } } },
      ),
      { parameters: { users: ['alice', 'bob'] } },
    ),
    invalid(
      'runAsElevated "true" (a string) for Linux',
      commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: 'true' } }),
    ),
    invalid(
      'runAsElevated as a string in the windows block fails a Linux session too',
      commandContent('InteractiveCommands', {
        linux: { commands: 'top' },
        windows: { commands: 'dir', runAsElevated: 'false' },
      }),
    ),
    invalid(
      'empty commands for the node OS',
      commandContent('NonInteractiveCommands', { linux: { commands: '  ' } }),
    ),
    invalid('commands as a list', commandContent('InteractiveCommands', { linux: { commands: ['top'] } })),
    invalid(
      'runAsElevated true with an invalid runAsEnabled: the session fails before it runs',
      commandContent(
        'InteractiveCommands',
        { linux: { commands: 'top', runAsElevated: true } },
        { inputs: { runAsEnabled: 'yes' } },
      ),
    ),
  ]);

  it('names the offending key', () => {
    // Act
    const decision = decided(
      facts(named(shellContent({ runAsEnabled: true, cloudWatchStreamingEnabled: 'true' }))),
    );

    // Assess
    expect(decision.steps.at(-1)).toMatchObject({
      key: 'cloudWatchStreamingEnabled',
      expected: 'a JSON boolean',
    });
  });
});

describe('decideSession: templates as the agent substitutes them', () => {
  const withParam = (
    inputs: Record<string, unknown>,
    parameters: Record<string, unknown>,
    given = {},
  ): SessionFacts => facts({ ...named(shellContent(inputs, { parameters })), parameters: given });
  runTable([
    {
      name: 'a declared parameter with no value and no default becomes null: runAsEnabled false',
      facts: withParam({ runAsEnabled: '{{ on }}' }, { on: { type: 'String' } }),
      expected: { outcome: 'RAN_AS_SSM_USER' },
      last: 'run-as-off',
    },
    {
      name: 'a null default user means none: refused without a tag',
      facts: withParam({ runAsEnabled: true, runAsDefaultUser: '{{user}}' }, { user: { type: 'String' } }),
      expected: { outcome: 'NO_RUN_AS_USER' },
      last: 'no-user',
    },
    {
      name: 'a StartSession parameter fills the default user',
      facts: withParam(
        { runAsEnabled: true, runAsDefaultUser: '{{user}}' },
        { user: { type: 'String', default: 'ec2-user' } },
        { user: ['bob'] },
      ),
      expected: { outcome: 'COMPLIANT', expectedUser: 'bob', expectedUserSource: 'preferences' },
    },
    {
      name: 'inside text, a missing value reads "null"',
      facts: withParam({ runAsEnabled: true, runAsDefaultUser: 'u{{user}}' }, { user: { type: 'String' } }),
      expected: { outcome: 'MISSING_RUN_AS_USER', expectedUser: 'unull' },
    },
    {
      name: 'one pass: a value that looks like a template is not substituted again',
      facts: withParam(
        { runAsEnabled: true, runAsDefaultUser: '{{a}}x' },
        { a: { type: 'String', default: '{{b}}' }, b: { type: 'String', default: 'alice' } },
      ),
      expected: { outcome: 'INVALID_RUN_AS_USER', expectedUser: '{{b}}x' },
    },
    {
      name: '$$ in an embedded value collapses to $',
      facts: withParam(
        { runAsEnabled: true, runAsDefaultUser: 'x{{a}}' },
        { a: { type: 'String', default: 'a$$b' } },
      ),
      expected: { outcome: 'INVALID_RUN_AS_USER', expectedUser: 'xa$b' },
    },
    {
      name: 'a reference to an undeclared parameter stays as written',
      facts: withParam({ runAsEnabled: true, runAsDefaultUser: '{{nobody}}' }, {}),
      expected: { outcome: 'INVALID_RUN_AS_USER', expectedUser: '{{nobody}}' },
    },
  ]);
});

describe('decideSession: RAN_AS_ROOT and RAN_AS_SSM_USER', () => {
  runTable([
    {
      name: 'runAsElevated true: the commands run as root',
      facts: facts(
        named(
          commandContent('InteractiveCommands', { linux: { commands: 'tail -f x', runAsElevated: true } }),
        ),
      ),
      expected: { outcome: 'RAN_AS_ROOT', expectedUser: 'root', sessionUser: 'root' },
      last: 'elevated',
    },
    {
      name: 'a macOS node reads the macos block',
      facts: facts({
        ...named(
          commandContent('InteractiveCommands', {
            linux: { commands: 'top' },
            macos: { commands: 'top', runAsElevated: true },
          }),
        ),
        platform: known('MacOS'),
      }),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'elevated commands do not need the preferences',
      facts: facts({
        ...named(commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } })),
        preferences: unknown('AccessDenied'),
      }),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'a command document without Run As inputs takes the Region preferences (off)',
      facts: facts({
        ...named(commandContent('InteractiveCommands', { linux: { commands: 'top' } })),
        preferences: read(PREFS_OFF),
      }),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        expectedUser: 'ssm-user',
        sessionUser: 'ssm-user',
        settingsDocument: 'SSM-SessionManagerRunShell',
      },
    },
    {
      name: 'a command document with unreadable preferences',
      facts: facts({
        ...named(commandContent('InteractiveCommands', { linux: { commands: 'top' } })),
        preferences: unknown('denied'),
      }),
      expected: { outcome: 'UNVERIFIED' },
      last: 'preferences-unreadable',
    },
    {
      name: 'Run As off in the preferences',
      facts: facts(prefs(PREFS_OFF)),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        expectedUser: 'ssm-user',
        sessionUser: 'ssm-user',
        expectedUserSource: 'none',
      },
      last: 'run-as-off',
    },
    {
      name: 'no preferences document: the built-in defaults have Run As off',
      facts: facts({ document: known(null), otherVersion: known(null) }),
      expected: { outcome: 'RAN_AS_SSM_USER' },
      last: 'run-as-off',
    },
    ...['false', '0', 'F', ''].map((value) => ({
      name: `runAsEnabled ${JSON.stringify(value)} is off`,
      facts: facts(named(shellContent({ runAsEnabled: value }))),
      expected: { outcome: 'RAN_AS_SSM_USER' as const },
    })),
    {
      name: '"RunAsEnabled": true counts (case-insensitive keys)',
      facts: facts(named(shellContent({ RunAsEnabled: true, RunAsDefaultUser: 'ec2-user' }))),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user' },
    },
    {
      name: 'runAsEnabled "TRUE" is on',
      facts: facts(named(shellContent({ runAsEnabled: 'TRUE', runAsDefaultUser: 'ec2-user' }))),
      expected: { outcome: 'COMPLIANT' },
    },
  ]);
});

describe('decideSession: the expected user', () => {
  runTable([
    {
      name: "an IAM user's tag",
      facts: facts({ principal: iamUser(), principalTags: runAsTag('alice') }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionUser: 'alice',
        userVerified: true,
      },
    },
    {
      name: 'a tag key in another case (keys are case-insensitive)',
      facts: facts({ principal: iamUser(), principalTags: tags({ ssmsessionrunas: 'alice' }) }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice' },
    },
    {
      name: 'a session tag overrides the role tag',
      facts: facts({ principalTags: runAsTag('opsadmin'), sessionTags: sessionTag('bob') }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'bob',
        expectedUserSource: 'session-tag',
        sessionTags: 'applied',
      },
    },
    {
      name: 'a blank session tag overrides the role tag too: the default applies',
      facts: facts({ principalTags: runAsTag('opsadmin'), sessionTags: sessionTag('  ') }),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'ec2-user',
        expectedUserSource: 'preferences',
        sessionTags: 'applied',
      },
    },
    {
      name: 'a blank role tag: the default applies',
      facts: facts({ principalTags: runAsTag('') }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
    },
    {
      name: 'session tags unreadable: the role tag decides, marked unknown',
      facts: facts({
        principalTags: runAsTag('root'),
        sessionTags: { status: 'unknown', reason: 'not found' },
      }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', expectedUser: 'root', sessionTags: 'unknown' },
    },
    {
      name: 'an Identity Center role cannot be tagged: its session tag names the user',
      facts: facts({
        principal: role('AWSReservedSSO_Admins_0123456789abcdef'),
        principalTags: undefined,
        sessionTags: sessionTag('bob'),
      }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'bob', expectedUserSource: 'session-tag' },
    },
    {
      name: 'a GetFederationToken session tag names the federated user',
      facts: facts({ principal: federatedUser, principalTags: undefined, sessionTags: sessionTag('bob') }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'bob', expectedUserSource: 'session-tag' },
    },
    {
      name: 'the root user has no tags: the default',
      facts: facts({ principal: rootUser, principalTags: undefined, sessionTags: undefined }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
      last: 'compliant',
    },
    {
      name: 'no tag and no default: the agent refuses the session',
      facts: facts(prefs(PREFS_ON_NO_DEFAULT)),
      expected: { outcome: 'NO_RUN_AS_USER', expectedUser: '', sessionUser: '' },
      last: 'no-user',
    },
    {
      name: 'a default of blanks only is no default',
      facts: facts(prefs(shellContent({ runAsEnabled: true, runAsDefaultUser: '   ' }))),
      expected: { outcome: 'NO_RUN_AS_USER' },
    },
  ]);
});

describe('decideSession: on the node', () => {
  const user = (value: string, patch: Partial<SessionFacts> = {}): SessionFacts =>
    facts({ principal: iamUser(), principalTags: runAsTag(value), ...patch });
  runTable([
    {
      name: 'a uid resolves to the account that owns it',
      facts: user('1000', { nodeUsers: nodeWith({ name: 'ec2-user', uid: 1000, gid: 1000 }) }),
      expected: { outcome: 'COMPLIANT', expectedUser: '1000', sessionUser: 'ec2-user', userVerified: true },
    },
    {
      name: "ssm-user's uid runs as ssm-user",
      facts: user('1001', { nodeUsers: nodeWith({ name: 'ssm-user', uid: 1001, gid: 1001 }) }),
      expected: { outcome: 'RAN_AS_SSM_USER', sessionUser: 'ssm-user' },
    },
    {
      name: "a denied account's uid passes no deny list",
      facts: user('1000', {
        deniedUsers: new Set(['root', 'ec2-user']),
        nodeUsers: nodeWith({ name: 'ec2-user', uid: 1000, gid: 1000 }),
      }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: 'ec2-user' },
      last: 'denied',
    },
    {
      name: 'a uid no account owns is missing',
      facts: user('4242'),
      expected: { outcome: 'MISSING_RUN_AS_USER', sessionUser: '' },
    },
    {
      name: 'a uid on a node whose users are unknown: compliant, unverified, naming the uid',
      facts: user('1000', { nodeUsers: unknownUsers }),
      expected: { outcome: 'COMPLIANT', sessionUser: '1000', userVerified: false },
    },
    {
      name: 'uid 0 is always refused',
      facts: user('0'),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: '' },
      last: 'root-refused',
    },
    {
      name: 'root is refused even with an empty deny list',
      facts: user('root', { deniedUsers: new Set() }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: '' },
      last: 'root-refused',
    },
    {
      name: 'an account with uid 0 under another name is refused',
      facts: user('toor', { deniedUsers: new Set(), nodeUsers: nodeWith({ name: 'toor', uid: 0, gid: 0 }) }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: '' },
      last: 'privileged-ids',
    },
    {
      name: 'an account whose primary gid is 0 is refused',
      facts: user('ops', { nodeUsers: nodeWith({ name: 'ops', uid: 1500, gid: 0 }) }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
      last: 'privileged-ids',
    },
    {
      name: 'ssm-user with Run As on, present: runs as ssm-user',
      facts: user('ssm-user'),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        sessionUser: 'ssm-user',
        expectedUserSource: 'principal-tag',
        userVerified: true,
      },
    },
    {
      name: 'ssm-user with Run As on, absent: the agent does not create it and refuses',
      facts: user('ssm-user', { nodeUsers: nodeWith('ec2-user') }),
      expected: { outcome: 'MISSING_RUN_AS_USER', sessionUser: '' },
      last: 'missing',
    },
    {
      name: 'ssm-user when the node users are unknown: it may exist',
      facts: user('ssm-user', { nodeUsers: unknownUsers }),
      expected: { outcome: 'RAN_AS_SSM_USER', userVerified: false },
    },
    {
      name: 'a denied user that exists ran as that user',
      facts: user('alice', { deniedUsers: new Set(['root', 'alice']) }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: 'alice' },
    },
    {
      name: 'a denied user that does not exist: refused, still denied',
      facts: user('carol', { deniedUsers: new Set(['root', 'carol']) }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', sessionUser: '' },
    },
    {
      name: 'a user missing on the node',
      facts: user('carol'),
      expected: { outcome: 'MISSING_RUN_AS_USER', userVerified: true },
      last: 'missing',
    },
    {
      name: 'a value that is not a safe name ($(id))',
      facts: user('$(id)'),
      expected: { outcome: 'INVALID_RUN_AS_USER', sessionUser: '', expectedUser: '$(id)' },
      last: 'unsafe-name',
    },
    {
      name: 'surrounding blanks: still refused as unsafe, but the shell ran it as alice',
      facts: user(' alice'),
      expected: { outcome: 'INVALID_RUN_AS_USER', sessionUser: 'alice', userVerified: true },
      last: 'padded-name',
    },
    {
      name: 'surrounding blanks around a missing user: no session',
      facts: user('carol '),
      expected: { outcome: 'INVALID_RUN_AS_USER', sessionUser: '' },
    },
    {
      name: 'on macOS names ignore case: Alice is alice',
      facts: user('Alice', {
        platform: known('MacOS'),
        nodeUsers: (value) =>
          value === 'Alice'
            ? { status: 'present', source: 'inventory', account: { name: 'alice', uid: 501, gid: 20 } }
            : undefined,
      }),
      expected: { outcome: 'COMPLIANT', sessionUser: 'alice' },
    },
    {
      name: 'on macOS Root is root',
      facts: user('Root', { platform: known('MacOS') }),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
      last: 'root-refused',
    },
    {
      name: 'on Linux Root is another (missing) name',
      facts: user('Root'),
      expected: { outcome: 'MISSING_RUN_AS_USER' },
    },
    {
      name: 'a shell profile that runs sudo su switches user',
      facts: user('alice', {
        ...prefs(
          shellContent({
            runAsEnabled: true,
            shellProfile: { linux: 'if [ -t 0 ]; then sudo su - ops; fi' },
          }),
        ),
      }),
      expected: { outcome: 'SHELL_PROFILE_ESCALATION', sessionUser: 'alice', expectedUser: 'alice' },
      last: 'shell-profile-switch',
    },
    {
      name: 'a shell profile that does not switch user',
      facts: user('alice', {
        ...prefs(shellContent({ runAsEnabled: true, shellProfile: { linux: 'cd $HOME; exec bash -l' } })),
      }),
      expected: { outcome: 'COMPLIANT', sessionUser: 'alice' },
    },
    {
      name: 'a command document never runs the shell profile',
      facts: user('alice', {
        ...named(
          commandContent(
            'InteractiveCommands',
            { linux: { commands: 'top' } },
            { inputs: { runAsEnabled: true, shellProfile: { linux: 'sudo -i' } } },
          ),
        ),
      }),
      expected: { outcome: 'COMPLIANT' },
    },
    {
      name: 'users unknown: compliant, unverified',
      facts: user('alice', { nodeUsers: unknownUsers }),
      expected: { outcome: 'COMPLIANT', sessionUser: 'alice', userVerified: false },
      last: 'compliant',
    },
  ]);
});

describe('decideSession: versions', () => {
  it('judges the version given and says what the other one would give', () => {
    // Act
    const decision = decided(
      facts({
        document: read(PREFS_OFF, '2'),
        otherVersion: read(PREFS_ON, '1'),
        principal: iamUser(),
        principalTags: runAsTag('alice'),
      }),
    );

    // Assess
    expect(decision).toMatchObject({
      outcome: 'RAN_AS_SSM_USER',
      documentVersion: '2',
      judgedVersion: '$LATEST',
    });
    expect(decision.otherVersion).toEqual({
      label: '$DEFAULT',
      version: '1',
      outcome: 'COMPLIANT',
      expectedUser: 'alice',
    });
  });

  it.each([
    ['the same version', read(PREFS_OFF, '2')],
    ['another version with the same Run As settings', read({ ...PREFS_OFF, description: 'new words' }, '1')],
  ])('says nothing of %s', (_name, other) => {
    // Act
    const decision = decided(facts({ document: read(PREFS_OFF, '2'), otherVersion: other }));

    // Assess
    expect(decision.otherVersion).toBeUndefined();
  });

  it('asks for the tags the other version needs', () => {
    // Act
    const result = verdict(
      facts({ document: read(PREFS_OFF, '2'), otherVersion: read(PREFS_ON, '1'), principalTags: undefined }),
    );

    // Assess
    expect(result).toEqual({ decided: false, needs: [{ fact: 'principal-tags' }] });
  });
});

describe('decideSession: needs', () => {
  it.each<[string, FactsPatch, unknown]>([
    [
      'the document and the platform first',
      { document: undefined, platform: undefined },
      [{ fact: 'document' }, { fact: 'platform' }],
    ],
    [
      'the preferences for a command document without Run As inputs',
      {
        ...named(commandContent('InteractiveCommands', { linux: { commands: 'top' } })),
        preferences: undefined,
      },
      [{ fact: 'preferences' }],
    ],
    [
      'session and principal tags of a role',
      { principalTags: undefined, sessionTags: undefined },
      [{ fact: 'session-tags' }, { fact: 'principal-tags' }],
    ],
    [
      'only session tags of an Identity Center role',
      { principal: role('AWSReservedSSO_X_0123'), principalTags: undefined, sessionTags: undefined },
      [{ fact: 'session-tags' }],
    ],
    [
      'only the tags of an IAM user',
      { principal: iamUser(), principalTags: undefined, sessionTags: undefined },
      [{ fact: 'principal-tags' }],
    ],
    [
      'the node user, matched exactly on Linux',
      { nodeUsers: () => undefined },
      [{ fact: 'node-user', user: 'ec2-user', match: 'exact' }],
    ],
    [
      'the node user, ignoring case on macOS',
      { platform: known('MacOS'), nodeUsers: () => undefined },
      [{ fact: 'node-user', user: 'ec2-user', match: 'ignore-case' }],
    ],
  ])('%s', (_name, patch, expected) => {
    // Act
    const result = verdict(facts(patch));

    // Assess
    expect(result).toEqual({ decided: false, needs: expected });
  });

  it('needs no tags when Run As is off', () => {
    // Act
    const result = verdict(
      facts({ ...prefs(PREFS_OFF), principalTags: undefined, sessionTags: undefined, nodeUsers: undefined }),
    );

    // Assess
    expect(result.decided).toBe(true);
  });

  it('records the decision path as data', () => {
    // Act
    const decision = decided(facts({ principal: iamUser(), principalTags: runAsTag('alice') }));

    // Assess
    expect(stepNames(decision)).toEqual([
      'platform',
      'document-version',
      'run-as-on',
      'principal-tag',
      'present',
      'compliant',
    ]);
  });
});
