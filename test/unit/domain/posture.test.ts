import { describe, expect, it } from 'vitest';
import { type Known, known, type Principal, type Tags, unknown } from '../../../src/domain/facts.ts';
import type { Outcome } from '../../../src/domain/outcome.ts';
import {
  type Decision,
  decidePreferencesPosture,
  decidePrincipalPosture,
  PREFERENCES_DOCUMENT,
} from '../../../src/domain/runAs.ts';
import type { SessionDocument } from '../../../src/domain/sessionDocument.ts';
import {
  commandDoc,
  federatedUser,
  iamUser,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portDoc,
  role,
  runAsTag,
  shellDoc,
} from './runAsFixtures.ts';

type Expected = Partial<Decision> & { readonly outcome: Outcome };

const assessPosture = (decision: Decision, expected: Expected, path?: RegExp): void => {
  expect(decision).toMatchObject(expected);
  // No session exists: nothing ran, nothing is looked up on a node.
  expect(decision.sessionUser).toBe('');
  expect(decision.userToCheck).toBeUndefined();
  expect(decision.userVerified).toBe(false);
  if (path !== undefined) expect(decision.path.join(' ')).toMatch(path);
};

describe('decidePrincipalPosture', () => {
  interface Row {
    readonly name: string;
    readonly preferences?: Known<SessionDocument | null>;
    readonly principal?: Principal;
    readonly principalTags: Known<Tags>;
    readonly deniedUsers?: ReadonlySet<string>;
    readonly expected: Expected;
    readonly path?: RegExp;
  }

  it.each<Row>([
    {
      name: 'Region preferences unreadable',
      preferences: unknown('AccessDeniedException'),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'UNVERIFIED' },
      path: /could not be read \(AccessDeniedException\)/,
    },
    {
      name: 'no preferences document: built-in defaults, Run As off',
      preferences: known(null),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user', settingsDocument: '' },
    },
    {
      name: 'Run As off',
      preferences: known(PREFS_OFF),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'RAN_AS_SSM_USER', settingsDocument: PREFERENCES_DOCUMENT },
    },
    {
      name: 'tagged role',
      principalTags: runAsTag('alice'),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'alice',
        expectedUserSource: 'principal-tag',
        sessionTags: 'none',
      },
      path: /an SSMSessionRunAs session tag would override the role's tag/,
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
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user', expectedUserSource: 'principal-tag' },
    },
    {
      name: 'untagged, with a default',
      principalTags: known({}),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
    },
    {
      name: 'untagged, no default',
      preferences: known(PREFS_ON_NO_DEFAULT),
      principalTags: known({}),
      expected: { outcome: 'NO_RUN_AS_USER', expectedUser: '' },
    },
    {
      name: 'unsafe tag value',
      principalTags: runAsTag('alice;id'),
      expected: { outcome: 'INVALID_RUN_AS_USER', expectedUser: 'alice;id' },
    },
    {
      name: 'tag names root',
      principalTags: runAsTag('root'),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', expectedUser: 'root' },
    },
    {
      name: 'tag names a denied user that is not root',
      principalTags: runAsTag('admin'),
      deniedUsers: new Set(['admin']),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', expectedUser: 'admin' },
    },
    {
      name: 'tags unreadable (another account)',
      principalTags: unknown('principal in account 444455556666'),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'tags unreadable but Run As off: not needed',
      preferences: known(PREFS_OFF),
      principalTags: unknown('principal in account 444455556666'),
      expected: { outcome: 'RAN_AS_SSM_USER' },
    },
    {
      name: 'runAsEnabled rejected by the agent',
      preferences: known(shellDoc({ runAsEnabled: 'yes' })),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'default from Parameter Store, principal untagged',
      preferences: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
      principalTags: known({}),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'default from Parameter Store, principal tagged: not needed',
      preferences: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
      principalTags: runAsTag('alice'),
      expected: { outcome: 'COMPLIANT', expectedUser: 'alice' },
    },
    {
      name: 'Identity Center role: cannot be tagged, default applies',
      principal: role('AWSReservedSSO_Admin_0123456789abcdef'),
      principalTags: unknown('AccessDenied'),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ec2-user', expectedUserSource: 'preferences' },
      path: /IAM Identity Center role, which cannot be tagged/,
    },
    {
      name: 'federated user: no IAM tags',
      principal: federatedUser,
      principalTags: unknown('n/a'),
      preferences: known(PREFS_ON_NO_DEFAULT),
      expected: { outcome: 'NO_RUN_AS_USER' },
    },
  ])('$name', (row) => {
    // Act
    const decision = decidePrincipalPosture({
      preferences: row.preferences ?? known(PREFS_ON),
      principal: row.principal ?? role(),
      principalTags: row.principalTags,
      deniedUsers: row.deniedUsers ?? new Set(['root']),
    });

    // Assess
    assessPosture(decision, row.expected, row.path);
  });
});

describe('decidePreferencesPosture', () => {
  interface Row {
    readonly name: string;
    readonly documentName?: string;
    readonly document: Known<SessionDocument | null>;
    readonly deniedUsers?: ReadonlySet<string>;
    readonly expected: Expected;
    readonly path?: RegExp;
  }

  it.each<Row>([
    {
      name: 'document unreadable',
      document: unknown('AccessDeniedException'),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'no SSM-SessionManagerRunShell: built-in defaults',
      document: known(null),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user', expectedUserSource: 'none' },
      path: /built-in defaults/,
    },
    {
      name: 'a custom document that does not exist',
      documentName: 'Custom-Shell',
      document: known(null),
      expected: { outcome: 'NOT_APPLICABLE' },
    },
    {
      name: 'Run As off',
      document: known(PREFS_OFF),
      expected: {
        outcome: 'RAN_AS_SSM_USER',
        expectedUserSource: 'none',
        settingsDocument: PREFERENCES_DOCUMENT,
      },
    },
    {
      name: 'Run As on with a default',
      document: known(PREFS_ON),
      expected: {
        outcome: 'COMPLIANT',
        expectedUser: 'ec2-user',
        expectedUserSource: 'preferences',
        remediation: '',
      },
    },
    {
      name: 'Run As on without a default',
      document: known(PREFS_ON_NO_DEFAULT),
      expected: { outcome: 'NO_RUN_AS_USER', expectedUser: '', expectedUserSource: 'none' },
    },
    {
      name: 'default ssm-user',
      document: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: 'ssm-user' })),
      expected: { outcome: 'RAN_AS_SSM_USER', expectedUser: 'ssm-user', expectedUserSource: 'preferences' },
    },
    {
      name: 'default root',
      document: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: 'root' })),
      expected: { outcome: 'DISALLOWED_RUN_AS_USER', expectedUser: 'root' },
    },
    {
      name: 'default not a safe name',
      document: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: 'ec2-user; id' })),
      expected: {
        outcome: 'INVALID_RUN_AS_USER',
        expectedUser: 'ec2-user; id',
        expectedUserSource: 'preferences',
      },
    },
    {
      name: 'default from Parameter Store',
      document: known(shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ssm:/runas/default}}' })),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'runAsEnabled from Parameter Store',
      document: known(shellDoc({ runAsEnabled: '{{ssm:/runas/enabled}}', runAsDefaultUser: 'ec2-user' })),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'runAsEnabled rejected by the agent',
      document: known(shellDoc({ runAsEnabled: 'enabled', runAsDefaultUser: 'ec2-user' })),
      expected: { outcome: 'INVALID_PREFERENCES' },
    },
    {
      name: 'default from a document parameter default',
      documentName: 'Custom-Shell',
      document: known(
        shellDoc({ runAsEnabled: true, runAsDefaultUser: '{{ user }}' }, { user: { default: 'ops' } }),
      ),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ops', settingsDocument: 'Custom-Shell' },
    },
    {
      name: 'a Port document',
      documentName: 'AWS-StartPortForwardingSession',
      document: known(portDoc),
      expected: { outcome: 'NOT_APPLICABLE' },
    },
    {
      name: 'a command document elevated on Linux',
      documentName: 'Ops-Root',
      document: known(commandDoc('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } })),
      expected: { outcome: 'RAN_AS_ROOT', expectedUser: 'root', settingsDocument: 'Ops-Root' },
    },
    {
      name: 'a command document elevated on macOS only',
      documentName: 'Ops-Root',
      document: known(
        commandDoc('NonInteractiveCommands', {
          linux: { commands: 'id', runAsElevated: false },
          macos: { commands: 'id', runAsElevated: 'true' },
        }),
      ),
      expected: { outcome: 'RAN_AS_ROOT' },
    },
    {
      name: 'a command document with runAsElevated from Parameter Store',
      documentName: 'Ops-Maybe',
      document: known(commandDoc('InteractiveCommands', { linux: { runAsElevated: '{{ssm:/x}}' } })),
      expected: { outcome: 'UNVERIFIED' },
    },
    {
      name: 'a command document without Run As inputs: the Region preferences decide',
      documentName: 'Ops-Commands',
      document: known(commandDoc('InteractiveCommands', { linux: { commands: 'top' } })),
      expected: { outcome: 'NOT_APPLICABLE' },
      path: /Region's preferences \(SSM-SessionManagerRunShell\) decide its sessions/,
    },
    {
      name: 'a command document with its own Run As settings',
      documentName: 'Ops-Commands',
      document: known(
        commandDoc(
          'InteractiveCommands',
          { linux: { commands: 'top' } },
          { runAsEnabled: true, runAsDefaultUser: 'ops' },
        ),
      ),
      expected: { outcome: 'COMPLIANT', expectedUser: 'ops' },
    },
  ])('$name', (row) => {
    // Act
    const decision = decidePreferencesPosture({
      documentName: row.documentName ?? PREFERENCES_DOCUMENT,
      document: row.document,
      deniedUsers: row.deniedUsers ?? new Set(['root']),
    });

    // Assess
    assessPosture(decision, row.expected, row.path);
  });

  it('never reads principal tags: a principal posture and a preferences posture can differ', () => {
    // Act
    const document = decidePreferencesPosture({
      documentName: PREFERENCES_DOCUMENT,
      document: known(PREFS_ON_NO_DEFAULT),
      deniedUsers: new Set(['root']),
    });
    const principal = decidePrincipalPosture({
      preferences: known(PREFS_ON_NO_DEFAULT),
      principal: role(),
      principalTags: runAsTag('alice'),
      deniedUsers: new Set(['root']),
    });

    // Assess
    expect(document.outcome).toBe('NO_RUN_AS_USER');
    expect(principal.outcome).toBe('COMPLIANT');
  });
});
