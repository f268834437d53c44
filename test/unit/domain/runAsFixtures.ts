/** Small builders for Run As decision tests: each row states only what differs. */
import type { Decision, Verdict } from '../../../src/domain/decision.ts';
import {
  type DocumentRead,
  type Known,
  known,
  type NodeAccount,
  type Principal,
  type Tags,
  type UserPresence,
  unknown,
} from '../../../src/domain/facts.ts';
import { decideSession, type SessionFacts } from '../../../src/domain/runAs.ts';
import { PREFERENCES_DOCUMENT, type SessionType } from '../../../src/domain/sessionManager.ts';

export const ACCOUNT = '111122223333';

type Content = Record<string, unknown>;

export const shellContent = (inputs: unknown, extra: Content = {}): Content => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs,
  ...extra,
});

export const commandContent = (
  sessionType: Extract<SessionType, 'InteractiveCommands' | 'NonInteractiveCommands'>,
  properties: unknown,
  extra: Content = {},
): Content => ({ schemaVersion: '1.0', sessionType, properties, ...extra });

export const portContent = (portNumber: unknown, parameters: Content = {}): Content => ({
  schemaVersion: '1.0',
  sessionType: 'Port',
  parameters,
  properties: { portNumber },
});

/** A GetDocument answer. */
export const read = (content: unknown, version = '1', name = PREFERENCES_DOCUMENT): Known<DocumentRead> =>
  known({ name, version, documentType: 'Session', content });

/** Run As on, default ec2-user: the usual well-configured Region. */
export const PREFS_ON = shellContent({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' });
export const PREFS_ON_NO_DEFAULT = shellContent({ runAsEnabled: true, runAsDefaultUser: '' });
export const PREFS_OFF = shellContent({ runAsEnabled: false, runAsDefaultUser: '' });

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
export const sessionTag = (user: string): SessionFacts['sessionTags'] => ({
  status: 'known',
  tags: { SSMSessionRunAs: user },
});

/** A node whose inventory lists these accounts (uid and gid default to 1001 and up); others are missing. */
export const nodeWith =
  (...accounts: readonly (string | NodeAccount)[]): ((user: string) => UserPresence) =>
  (value) => {
    const listed = accounts.map((account, index) =>
      typeof account === 'string' ? { name: account, uid: 1001 + index, gid: 1001 + index } : account,
    );
    const account =
      listed.find((candidate) => candidate.name === value) ??
      listed.find((candidate) => String(candidate.uid) === value);
    return account === undefined
      ? { status: 'missing', source: 'inventory' }
      : { status: 'present', source: 'inventory', account };
  };

/** Node users that cannot be known (USER_DIRECTORY=none, no inventory). */
export const unknownUsers = (): UserPresence => ({ status: 'unknown', reason: 'no inventory' });

/**
 * A Linux node, the Region's preferences as session document (Run As on, default ec2-user), a
 * role without tags, a role session without session tags, root denied, the node listing the usual
 * accounts.
 */
/** A patch of facts; a fact given as undefined is left out (not gathered yet). */
export type FactsPatch = { readonly [K in keyof SessionFacts]?: SessionFacts[K] | undefined };

export const facts = (patch: FactsPatch = {}): SessionFacts => {
  const all: Record<string, unknown> = { ...defaults(), ...patch };
  for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
  return all as unknown as SessionFacts;
};

const defaults = (): SessionFacts => ({
  target: 'i-0123456789abcdef0',
  judgedVersion: '$LATEST',
  platform: known('Linux'),
  documentName: PREFERENCES_DOCUMENT,
  document: read(PREFS_ON),
  otherVersion: read(PREFS_ON),
  preferences: read(PREFS_ON),
  parameters: {},
  principal: role(),
  principalTags: tags({}),
  sessionTags: { status: 'known', tags: {} },
  deniedUsers: new Set(['root']),
  nodeUsers: nodeWith('ec2-user', 'alice', 'bob', 'ssm-user', 'opsadmin'),
});

/** A session document named in StartSession. */
export const named = (content: unknown, name = 'Custom-Shell'): Partial<SessionFacts> => ({
  documentName: name,
  document: read(content, '1', name),
  otherVersion: read(content, '1', name),
});

/** The Region's preferences as the session document (no document named). */
export const prefs = (content: unknown): Partial<SessionFacts> => ({
  document: read(content),
  otherVersion: read(content),
  preferences: read(content),
});

export const verdict = (input: SessionFacts): Verdict => decideSession(input);

/** The decision, failing the test when the facts were not enough. */
export const decided = (input: SessionFacts): Decision => {
  const result = decideSession(input);
  if (!result.decided) throw new Error(`the decision still needs ${JSON.stringify(result.needs)}`);
  return result.decision;
};

export const unreadable = <T>(reason: string): Known<T> => unknown(reason);

/** The step names of a decision, in order. */
export const stepNames = (decision: Decision): string[] => decision.steps.map((step) => step.step);
