/**
 * CloudTrail `userIdentity` → the domain Principal whose tags decide Run As: the IAM user,
 * or for an assumed role the role itself (sessionContext.sessionIssuer), never the session.
 */
import { type PrincipalArn, parsePrincipalArn, rootArn } from '../domain/arn.ts';
import type { Principal } from '../domain/facts.ts';
import { ACCOUNT_ID, type Partition } from '../domain/identifiers.ts';
import { MalformedEventError } from '../errors.ts';
import {
  asObject,
  type JsonObject,
  objectAt,
  optionalIsoTimeAt,
  optionalObjectAt,
  optionalStringAt,
  stringAt,
} from './fields.ts';

export interface PrincipalContext {
  /** Partition of the event's Region (root ARNs are built from it). */
  readonly partition: Partition;
  /** The account the event belongs to: the fallback when userIdentity names none. */
  readonly accountId: string;
}

const ACCESS_KEY_ID = /^\w{1,128}$/;

const PROBLEMS = {
  'not-an-arn': 'must be an IAM or STS ARN',
  'not-a-principal': 'is not the ARN of a principal of this kind',
  'bad-name': 'has a name IAM does not allow',
  'bad-path': 'has an invalid IAM path',
} as const;

/** `object.arn` (at `path`) as written and parsed: it must be a principal ARN of the given kind. */
const arnAt = <K extends PrincipalArn['kind']>(
  object: JsonObject,
  path: string,
  kind: K,
  shape: string,
): [text: string, arn: Extract<PrincipalArn, { kind: K }>] => {
  const value = stringAt(object, 'arn', path);
  const parsed = parsePrincipalArn(value);
  if (!parsed.ok) {
    throw new MalformedEventError(
      `${path}.arn`,
      parsed.problem === 'not-a-principal' ? `must be ${shape}` : PROBLEMS[parsed.problem],
    );
  }
  if (parsed.arn.kind !== kind) throw new MalformedEventError(`${path}.arn`, `must be ${shape}`);
  return [value, parsed.arn as Extract<PrincipalArn, { kind: K }>];
};

const accountOf = (identity: JsonObject, path: string, fallback: string): string =>
  optionalStringAt(identity, 'accountId', path, { pattern: ACCOUNT_ID, expected: 'a 12-digit account id' }) ??
  fallback;

const accessKeyOf = (identity: JsonObject, path: string): string =>
  optionalStringAt(identity, 'accessKeyId', path, { pattern: ACCESS_KEY_ID, expected: 'an access key id' }) ??
  '';

/** sessionContext.attributes.creationDate of a role or federated session, when recorded. */
const createdAtOf = (
  sessionContext: JsonObject | undefined,
  contextPath: string,
): { sessionCreatedAt?: string } => {
  const attributes =
    sessionContext === undefined ? undefined : optionalObjectAt(sessionContext, 'attributes', contextPath);
  const at =
    attributes === undefined
      ? undefined
      : optionalIsoTimeAt(attributes, 'creationDate', `${contextPath}.attributes`);
  return at === undefined ? {} : { sessionCreatedAt: at };
};

const iamUser = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  // The ARN is authoritative for name and path (userName repeats its last segment in real records).
  const [arn, user] = arnAt(identity, path, 'user', 'an IAM user ARN (…:user/[path/]name)');
  return {
    kind: 'user',
    arn,
    accountId: accountOf(identity, path, user.accountId || context.accountId),
    name: user.name,
    path: user.path,
    callerArn: arn,
    accessKeyId: accessKeyOf(identity, path),
  };
};

const assumedRole = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const [callerArn, session] = arnAt(
    identity,
    path,
    'assumed-role',
    'an assumed-role ARN (…:assumed-role/role/session)',
  );
  const contextPath = `${path}.sessionContext`;
  const sessionContext = objectAt(identity, 'sessionContext', path);
  const issuerPath = `${contextPath}.sessionIssuer`;
  const issuer = objectAt(sessionContext, 'sessionIssuer', contextPath);
  // The issuer ARN is authoritative: it carries the role's path, which the assumed-role ARN omits.
  const [roleArn, role] = arnAt(issuer, issuerPath, 'role', 'an IAM role ARN (…:role/[path/]name)');
  return {
    kind: 'role',
    arn: roleArn,
    accountId: accountOf(identity, path, role.accountId || context.accountId),
    name: role.name,
    path: role.path,
    callerArn,
    accessKeyId: accessKeyOf(identity, path),
    sessionName: session.sessionName,
    ...createdAtOf(sessionContext, contextPath),
  };
};

const root = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const accountId = accountOf(identity, path, context.accountId);
  const arn = rootArn(context.partition, accountId);
  return {
    kind: 'root',
    arn,
    accountId,
    name: 'root',
    path: '/',
    callerArn: optionalStringAt(identity, 'arn', path) ?? arn,
    accessKeyId: accessKeyOf(identity, path),
  };
};

const federatedUser = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const [arn, user] = arnAt(identity, path, 'federated-user', 'a federated-user ARN (…:federated-user/name)');
  const contextPath = `${path}.sessionContext`;
  return {
    kind: 'federated-user',
    arn,
    accountId: accountOf(identity, path, user.accountId || context.accountId),
    name: user.name,
    path: '/',
    callerArn: arn,
    accessKeyId: accessKeyOf(identity, path),
    ...createdAtOf(optionalObjectAt(identity, 'sessionContext', path), contextPath),
  };
};

/** AWSService, AWSAccount, IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown, …: no tags to read. */
const otherPrincipal = (
  identity: JsonObject,
  path: string,
  type: string,
  context: PrincipalContext,
): Principal => {
  const arn =
    optionalStringAt(identity, 'arn', path) ?? optionalStringAt(identity, 'principalId', path) ?? type;
  const name =
    optionalStringAt(identity, 'userName', path) ??
    optionalStringAt(identity, 'invokedBy', path) ??
    arn.split('/').at(-1) ??
    type;
  return {
    kind: 'other',
    arn,
    accountId: accountOf(identity, path, context.accountId),
    name,
    path: '/',
    callerArn: arn,
    accessKeyId: accessKeyOf(identity, path),
  };
};

/** Parses `detail.userIdentity` (or the given path). Throws MalformedEventError naming the field. */
export const parsePrincipal = (
  userIdentity: unknown,
  context: PrincipalContext,
  path = 'detail.userIdentity',
): Principal => {
  const identity = asObject(userIdentity, path);
  const type = stringAt(identity, 'type', path, { max: 64 });
  switch (type) {
    case 'IAMUser':
      return iamUser(identity, path, context);
    case 'AssumedRole':
      return assumedRole(identity, path, context);
    case 'Root':
      return root(identity, path, context);
    case 'FederatedUser':
      return federatedUser(identity, path, context);
    default:
      return otherPrincipal(identity, path, type, context);
  }
};
