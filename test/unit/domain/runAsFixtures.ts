/** Small builders for Run As decision tests: each row states only what differs. */
import { type Known, known, type Principal, type Tags, unknown } from '../../../src/domain/facts.ts';
import { PREFERENCES_DOCUMENT, type SessionFacts } from '../../../src/domain/runAs.ts';
import type { SessionDocument, SessionType } from '../../../src/domain/sessionDocument.ts';

export const ACCOUNT = '111122223333';

export const shellDoc = (
  inputs: Record<string, unknown>,
  parameters: SessionDocument['parameters'] = {},
): SessionDocument => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs,
  parameters,
  properties: {},
});

export const commandDoc = (
  sessionType: Extract<SessionType, 'InteractiveCommands' | 'NonInteractiveCommands'>,
  properties: Record<string, unknown>,
  inputs: Record<string, unknown> = {},
  parameters: SessionDocument['parameters'] = {},
): SessionDocument => ({ schemaVersion: '1.0', sessionType, inputs, parameters, properties });

export const portDoc: SessionDocument = {
  schemaVersion: '1.0',
  sessionType: 'Port',
  inputs: {},
  parameters: {},
  properties: { portNumber: '22' },
};

/** Run As on, default ec2-user: the usual well-configured Region. */
export const PREFS_ON = shellDoc({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
export const PREFS_ON_NO_DEFAULT = shellDoc({ runAsEnabled: true, runAsDefaultUser: '' });
export const PREFS_OFF = shellDoc({ runAsEnabled: false, runAsDefaultUser: '' });

export const role = (name = 'Operators'): Principal => ({
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  accountId: ACCOUNT,
  name,
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/alice`,
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  sessionName: 'alice',
});

export const iamUser = (name = 'alice'): Principal => ({
  kind: 'user',
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accountId: ACCOUNT,
  name,
  path: '/',
  callerArn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
});

export const rootUser: Principal = {
  kind: 'root',
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  name: 'root',
  path: '/',
  callerArn: `arn:aws:iam::${ACCOUNT}:root`,
  accessKeyId: '',
};

export const federatedUser: Principal = {
  kind: 'federated-user',
  arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
  accountId: ACCOUNT,
  name: 'bob',
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
  accessKeyId: 'ASIAEXAMPLEEXAMPLE02',
};

export const tags = (values: Tags): Known<Tags> => known(values);
export const runAsTag = (user: string): Known<Tags> => known({ SSMSessionRunAs: user });

/**
 * A Linux node, the Region's preferences as session document (Run As on, default ec2-user), a
 * role without tags, a role session without session tags, root denied, the user present.
 */
export const facts = (patch: Partial<SessionFacts> = {}): SessionFacts => ({
  target: 'i-0123456789abcdef0',
  platform: known('Linux'),
  documentName: PREFERENCES_DOCUMENT,
  document: known(PREFS_ON),
  preferences: known(PREFS_ON),
  parameters: {},
  principal: role(),
  principalTags: tags({}),
  sessionTags: { status: 'known', tags: {} },
  deniedUsers: new Set(['root']),
  userPresence: { status: 'present', source: 'inventory' },
  ...patch,
});

/** The same facts before the node's users were looked up. */
export const notLookedUp = (input: SessionFacts): SessionFacts => {
  const { userPresence: _omitted, ...rest } = input;
  return rest;
};

/** Run As settings as a custom Standard_Stream document named in StartSession. */
export const customShell = (
  inputs: Record<string, unknown>,
  name = 'Custom-Shell',
): Partial<SessionFacts> => ({
  documentName: name,
  document: known(shellDoc(inputs)),
  preferences: unknown('not needed: the session document carries its own Run As settings'),
});

export const unreadable = <T>(reason: string): Known<T> => unknown(reason);
