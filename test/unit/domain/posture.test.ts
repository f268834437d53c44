import { describe, expect, it } from 'vitest';
import type { Decision, StepName } from '../../../src/domain/decision.ts';
import {
  type DocumentRead,
  type Known,
  known,
  type Principal,
  type Tags,
  unknown,
} from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import { decidePreferencesPosture, decidePrincipalPosture } from '../../../src/domain/posture.ts';
import { PREFERENCES_DOCUMENT } from '../../../src/domain/sessionManager.ts';
import {
  commandContent,
  federatedUser,
  iamUser,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portContent,
  read,
  role,
  runAsTag,
  shellContent,
} from './runAsFixtures.ts';

type Expected = Partial<Decision> & { readonly outcome: Outcome };

const assessPosture = (decision: Decision, expected: Expected, last?: StepName): void => {
  expect(decision).toMatchObject(expected);
  // No session exists: nothing ran, nothing is looked up on a node.
  expect(decision.sessionUser).toBe('');
  expect(decision.userVerified).toBe(false);
  if (last !== undefined) expect(decision.steps.at(-1)?.step).toBe(last);
};

describe('decidePrincipalPosture', () => {
  interface Row {
    readonly name: string;
    readonly preferences?: Known<DocumentRead | null>;
    readonly principal?: Principal;
    readonly principalTags: Known<Tags>;
    readonly deniedUsers?: ReadonlySet<string>;
    readonly expected: Expected;
    readonly last?: StepName;
  }

  it.each<Row>([
    {
      name: 'Region preferences unreadable',
      preferences: unknown('AccessDeniedException'),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'UNVERIFIED' },
      last: 'document-unreadable',
    },
    {
      name: 'no preferences document: built-in defaults, Run As off',
      preferences: known(null),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user' },
    },
    {
      name: 'Run As off',
      preferences: read(PREFS_OFF),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'RAN_AS_SSM_USER', settingsDocument: PREFERENCES_DOCUMENT },
    },
    {
      name: 'tagged role, assuming no session tags',
      principalTags: runAsTag('alice'),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionTags: 'none',
      },
      last: 'compliant',
    },
    {
      name: 'tagged IAM user (case-insensitive key)',
      principal: iamUser(),
      principalTags: known({ SsmSessionRunAs: 'alice' }),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice' },
    },
    {
      name: 'tag names ssm-user',
      principalTags: runAsTag('ssm-user'),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUserSource: 'principal-tag' },
      last: 'ssm-user',
    },
    {
      name: 'untagged, with a default',
      principalTags: known({}),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
    },
    {
      name: 'untagged, no default',
      preferences: read(PREFS_ON_NO_DEFAULT),
      principalTags: known({}),
      expected: { outcome: 'NO_RUN_AS_USER', expectedUser: '' },
    },
    {
      name: 'unsafe tag value',
      principalTags: runAsTag('alice;id'),
      expected: { outcome: 'INVALID_RUN_AS_USER', expectedUser: 'alice;id' },
    },
    {
      name: 'tag names root, whatever the deny list',
      principalTags: runAsTag('root'),
      deniedUsers: new Set(),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
      last: 'root-refused',
    },
    {
      name: 'tag names uid 0',
      principalTags: runAsTag('0'),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
      last: 'root-refused',
    },
    {
      name: 'tag names a denied user (case ignored: it may meet a macOS node)',
      principalTags: runAsTag('Admin'),
      deniedUsers: new Set(['admin']),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
      last: 'denied',
    },
    {
      name: 'tag names a uid: the account depends on each node',
      principalTags: runAsTag('1000'),
      expected: { outcome: 'COMPLIANT', expectedUser: '1000' },
    },
    {
      name: 'tags unreadable (another account)',
      principalTags: unknown('principal in account 444455556666'),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'tags unreadable but Run As off: not needed',
      preferences: read(PREFS_OFF),
      principalTags: unknown('AccessDenied'),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'runAsEnabled rejected by the agent',
      preferences: read(shellContent({ runAsEnabled: 'yes' })),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'default from Parameter Store, principal untagged',
      preferences: read(shellContent({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
      principalTags: known({}),
      expected: { outcome: 'UNVERIFIED' },
      last: 'parameter-store',
    },
    {
      name: 'default from Parameter Store, principal tagged: not needed',
      preferences: read(shellContent({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice' },
    },
    {
      name: 'a shell profile that switches user',
      preferences: read(shellContent({ runAsEnabled: true, shellProfile: { linux: 'exec sudo -iu ops' } })),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'SHELL_PROFILE_ESCALATION', expectedUser: 'alice' },
    },
    {
      name: 'Identity Center role: cannot be tagged, default applies',
      principal: role('AWSReservedSSO_Admins_0123456789abcdef'),
      principalTags: known({}),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user' },
    },
    {
      name: 'federated user: no IAM tags',
      principal: federatedUser,
      principalTags: known({}),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user' },
    },
  ])('$name', ({ preferences, principal, principalTags, deniedUsers, expected, last }) => {
    // Act
    const decision = decidePrincipalPosture({
      preferences: preferences ?? read(PREFS_ON),
      judgedVersion: '$LATEST',
      principal: principal ?? role(),
      principalTags,
      deniedUsers: deniedUsers ?? new Set(['root']),
    });

    // Assess
    assessPosture(decision, expected, last);
  });
});

describe('decidePreferencesPosture', () => {
  interface Row {
    readonly name: string;
    readonly documentName?: string;
    readonly document: Known<DocumentRead | null>;
    readonly deniedUsers?: ReadonlySet<string>;
    readonly expected: Expected;
    readonly last?: StepName;
  }

  it.each<Row>([
    { name: 'document unreadable', document: unknown('AccessDenied'), expected: { outcome: 'UNVERIFIED' } },
    {
      name: 'no SSM-SessionManagerRunShell: built-in defaults',
      document: known(null),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'a custom document that does not exist',
      documentName: 'Gone-Shell',
      document: known(null),
      expected: { outcome: 'NOT_APPLICABLE' },
      last: 'document-gone',
    },
    {
      name: 'Run As off',
      document: read(PREFS_OFF),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user' },
    },
    {
      name: 'Run As on with a default',
      document: read(PREFS_ON),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
    },
    {
      name: 'Run As on without a default',
      document: read(PREFS_ON_NO_DEFAULT),
      expected: { outcome: 'NO_RUN_AS_USER' },
    },
    {
      name: 'default ssm-user',
      document: read(shellContent({ runAsEnabled: true, runAsDefaultUser: 'ssm-user' })),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUserSource: 'preferences' },
    },
    {
      name: 'default root',
      document: read(shellContent({ runAsEnabled: true, runAsDefaultUser: 'root' })),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER' },
    },
    {
      name: 'default not a safe name',
      document: read(shellContent({ runAsEnabled: true, runAsDefaultUser: '$(reboot)' })),
      expected: { outcome: 'INVALID_RUN_AS_USER' },
      last: 'unsafe-name',
    },
    {
      name: 'schemaVersion the agent rejects',
      document: read({ ...PREFS_ON, schemaVersion: '2.2' }),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'runAsEnabled from Parameter Store',
      document: read(shellContent({ runAsEnabled: '{{ssm:/p}}' })),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'a default from a parameter without a default: depends on each StartSession',
      document: read(
        shellContent(
          { runAsEnabled: true, runAsDefaultUser: '{{user}}' },
          { parameters: { user: { type: 'String' } } },
        ),
      ),
      expected: { outcome: 'UNVERIFIED' },
      last: 'parameter-unset',
    },
    {
      name: 'a default from a document parameter default',
      document: read(
        shellContent(
          { runAsEnabled: true, runAsDefaultUser: '{{user}}' },
          { parameters: { user: { type: 'String', default: 'ec2-user' } } },
        ),
      ),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user' },
    },
    {
      name: 'a Port document',
      documentName: 'Tunnel',
      document: read(portContent('80')),
      expected: { outcome: 'NOT_APPLICABLE' },
      last: 'port',
    },
    {
      name: 'a Port document to port 22 opens SSH tunnels',
      documentName: 'Tunnel',
      document: read(portContent('22')),
      expected: { outcome: 'SSH_TUNNEL' },
      last: 'ssh-tunnel',
    },
    {
      name: 'a command document elevated on Linux',
      documentName: 'Elevated',
      document: read(
        commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } }),
      ),
      expected: { outcome: 'RAN_AS_ROOT', expectedUser: 'root' },
    },
    {
      name: 'a command document elevated on macOS only',
      documentName: 'Elevated',
      document: read(
        commandContent('InteractiveCommands', {
          linux: { commands: 'top' },
          macos: { commands: 'top', runAsElevated: true },
        }),
      ),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'a command document whose runAsElevated is a string fails every session',
      documentName: 'Elevated',
      document: read(
        commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: 'true' } }),
      ),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'a command document without Run As inputs: the Region preferences decide',
      documentName: 'Commands',
      document: read(
        commandContent(
          'InteractiveCommands',
          { linux: { commands: '{{command}}' } },
          { parameters: { command: { type: 'String' } } },
        ),
      ),
      expected: { outcome: 'NOT_APPLICABLE' },
      last: 'no-run-as-inputs',
    },
    {
      name: 'a command document with its own Run As settings',
      documentName: 'Commands',
      document: read(
        commandContent(
          'InteractiveCommands',
          { linux: { commands: 'top' } },
          { inputs: { runAsEnabled: false } },
        ),
      ),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
  ])('$name', ({ documentName, document, deniedUsers, expected, last }) => {
    // Act
    const decision = decidePreferencesPosture({
      documentName: documentName ?? PREFERENCES_DOCUMENT,
      document,
      judgedVersion: '$LATEST',
      deniedUsers: deniedUsers ?? new Set(['root']),
    });

    // Assess
    assessPosture(decision, expected, last);
  });

  it('says what the other version would give when its Run As settings differ', () => {
    // Act
    const decision = decidePreferencesPosture({
      documentName: PREFERENCES_DOCUMENT,
      document: read(PREFS_ON, '3'),
      otherVersion: read(PREFS_OFF, '1'),
      judgedVersion: '$LATEST',
      deniedUsers: new Set(['root']),
    });

    // Assess
    expect(decision).toMatchObject({ outcome: 'COMPLIANT', documentVersion: '3' });
    expect(decision.otherVersion).toEqual({
      label: '$DEFAULT',
      version: '1',
      outcome: 'RAN_AS_SSM_USER',
      expectedUser: 'ssm-user',
    });
  });

  it('judges $DEFAULT when told to, and names $LATEST as the other', () => {
    // Act
    const decision = decidePreferencesPosture({
      documentName: PREFERENCES_DOCUMENT,
      document: read(PREFS_OFF, '1'),
      otherVersion: read(PREFS_ON, '3'),
      judgedVersion: '$DEFAULT',
      deniedUsers: new Set(['root']),
    });

    // Assess
    expect(decision).toMatchObject({ outcome: 'RAN_AS_SSM_USER', judgedVersion: '$DEFAULT' });
    expect(decision.otherVersion?.label).toBe('$LATEST');
  });
});
