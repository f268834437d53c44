/** Shared principal builders: the IAM users and roles tests audit, in the fixtures' account. */
import type { Principal } from '../../src/domain/facts.ts';

export const ACCOUNT = '111122223333';

/** An IAM user signing its own calls (callerArn is the user's ARN). */
export const iamUserPrincipal = (
  name = 'alice',
  path = '/',
  overrides: Omit<Partial<Principal>, 'kind'> = {},
): Principal & { kind: 'user' } => ({
  arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
  accountId: ACCOUNT,
  name,
  path,
  callerArn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
  accessKeyId: '',
  ...overrides,
  kind: 'user',
});

/**
 * An IAM role: as a change event names it (callerArn the role's ARN), or, with `session`, as a
 * StartSession by an assumed-role session of it (callerArn the assumed-role ARN).
 */
export const iamRolePrincipal = (
  name = 'Operators',
  path = '/',
  session?: { readonly name: string; readonly accessKeyId: string; readonly createdAt?: string },
): Principal & { kind: 'role' } => ({
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`,
  accountId: ACCOUNT,
  name,
  path,
  callerArn:
    session === undefined
      ? `arn:aws:iam::${ACCOUNT}:role${path}${name}`
      : `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session.name}`,
  accessKeyId: session?.accessKeyId ?? '',
  ...(session === undefined ? {} : { sessionName: session.name }),
  ...(session?.createdAt === undefined ? {} : { sessionCreatedAt: session.createdAt }),
});
