/**
 * The ARN grammar: `arn:<partition>:<service>:<region>:<account>:<resource>`, and the ARNs of the
 * things Run As is about (IAM principals, STS sessions, SSM documents). Every parser and every
 * builder of these ARNs lives here.
 */
import {
  isAccountId,
  isDocumentName,
  isIamName,
  isIamPath,
  isPartition,
  type Partition,
} from './identifiers.ts';

export interface Arn {
  readonly partition: Partition;
  readonly service: string;
  /** Empty for global services (IAM, STS). */
  readonly region: string;
  /** Empty for AWS-owned resources (e.g. a shared document ARN without account). */
  readonly accountId: string;
  readonly resource: string;
}

const ARN = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d*):([\x21-\x7e]+)$/;

/** Parses any ARN of a supported partition; undefined when the text is not one. */
export const parseArn = (text: string): Arn | undefined => {
  const match = ARN.exec(text);
  if (match === null) return undefined;
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  if (!isPartition(partition) || (accountId !== '' && !isAccountId(accountId))) return undefined;
  return { partition, service, region, accountId, resource };
};

// ----- principals ------------------------------------------------------------------------------

/** An IAM user or role ARN. */
export interface IamPrincipalArn<K extends 'user' | 'role' = 'user' | 'role'> {
  readonly kind: K;
  readonly partition: Partition;
  readonly accountId: string;
  /** IAM path: "/" or "/a/b/". */
  readonly path: string;
  readonly name: string;
}

export type PrincipalArn =
  | IamPrincipalArn<'user'>
  | IamPrincipalArn<'role'>
  | { readonly kind: 'root'; readonly partition: Partition; readonly accountId: string }
  | {
      readonly kind: 'assumed-role';
      readonly partition: Partition;
      readonly accountId: string;
      readonly roleName: string;
      readonly sessionName: string;
    }
  | {
      readonly kind: 'federated-user';
      readonly partition: Partition;
      readonly accountId: string;
      readonly name: string;
    };

/** What parsePrincipalArn found wrong, for an error message. */
export type PrincipalArnProblem = 'not-an-arn' | 'not-a-principal' | 'bad-name' | 'bad-path';

export type PrincipalArnResult =
  | { readonly ok: true; readonly arn: PrincipalArn }
  | { readonly ok: false; readonly problem: PrincipalArnProblem };

const fail = (problem: PrincipalArnProblem): PrincipalArnResult => ({ ok: false, problem });

/** `user/ops/alice` → path `/ops/`, name `alice`. */
const pathAndName = (segments: readonly string[]): { path: string; name: string } => ({
  path: segments.length <= 2 ? '/' : `/${segments.slice(1, -1).join('/')}/`,
  name: segments.at(-1) ?? '',
});

/**
 * IAM user and role ARNs (`iam::<account>:user/<path/>name`), the root user (`iam::<account>:root`),
 * assumed-role sessions (`sts::<account>:assumed-role/<role>/<session>`) and federated users
 * (`sts::<account>:federated-user/<name>`).
 */
export const parsePrincipalArn = (text: string): PrincipalArnResult => {
  const arn = parseArn(text);
  if (arn === undefined || arn.region !== '' || arn.accountId === '') return fail('not-an-arn');
  const { partition, accountId } = arn;
  const segments = arn.resource.split('/');
  const [type] = segments;
  if (arn.service === 'iam' && arn.resource === 'root')
    return { ok: true, arn: { kind: 'root', partition, accountId } };
  if (arn.service === 'iam' && (type === 'user' || type === 'role') && segments.length >= 2) {
    const { path, name } = pathAndName(segments);
    if (!isIamName(name)) return fail('bad-name');
    if (!isIamPath(path)) return fail('bad-path');
    return {
      ok: true,
      arn:
        type === 'user'
          ? { kind: 'user', partition, accountId, path, name }
          : { kind: 'role', partition, accountId, path, name },
    };
  }
  if (arn.service === 'sts' && type === 'assumed-role' && segments.length === 3) {
    const [, roleName = '', sessionName = ''] = segments;
    if (!isIamName(roleName) || !isIamName(sessionName)) return fail('bad-name');
    return { ok: true, arn: { kind: 'assumed-role', partition, accountId, roleName, sessionName } };
  }
  if (arn.service === 'sts' && type === 'federated-user' && segments.length === 2) {
    const name = segments[1] ?? '';
    if (!isIamName(name)) return fail('bad-name');
    return { ok: true, arn: { kind: 'federated-user', partition, accountId, name } };
  }
  return fail('not-a-principal');
};

export const iamPrincipalArn = (
  partition: Partition,
  accountId: string,
  kind: 'user' | 'role',
  path: string,
  name: string,
): string => `arn:${partition}:iam::${accountId}:${kind}${path}${name}`;

export const rootArn = (partition: Partition, accountId: string): string =>
  `arn:${partition}:iam::${accountId}:root`;

/** Every session of a role has an ARN starting with this (the role's path is not in it). */
export const assumedRolePrefix = (partition: Partition, accountId: string, roleName: string): string =>
  `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/`;

// ----- SSM ---------------------------------------------------------------------------------------

export interface DocumentArn {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

/** `arn:<p>:ssm:<region>:<account>:document/<name>` (account empty for AWS-owned documents). */
export const parseDocumentArn = (text: string): DocumentArn | undefined => {
  const arn = parseArn(text);
  if (arn === undefined || arn.service !== 'ssm' || !arn.resource.startsWith('document/')) return undefined;
  const name = arn.resource.slice('document/'.length);
  if (!isDocumentName(name)) return undefined;
  return { partition: arn.partition, region: arn.region, accountId: arn.accountId, name };
};

/** A document name, or the name inside a document ARN; anything else is returned as it is. */
export const documentNameOf = (nameOrArn: string): string => parseDocumentArn(nameOrArn)?.name ?? nameOrArn;

/** A document named by its name or its ARN. */
export const isDocumentReference = (value: string): boolean =>
  isDocumentName(value) || parseDocumentArn(value) !== undefined;

export const documentArn = (partition: Partition, region: string, accountId: string, name: string): string =>
  `arn:${partition}:ssm:${region}:${accountId}:document/${name}`;

export const sessionArn = (
  partition: Partition,
  region: string,
  accountId: string,
  sessionId: string,
): string => `arn:${partition}:ssm:${region}:${accountId}:session/${sessionId}`;

export const ec2InstanceArn = (partition: Partition, region: string, accountId: string, id: string): string =>
  `arn:${partition}:ec2:${region}:${accountId}:instance/${id}`;

export const managedInstanceArn = (
  partition: Partition,
  region: string,
  accountId: string,
  id: string,
): string => `arn:${partition}:ssm:${region}:${accountId}:managed-instance/${id}`;
