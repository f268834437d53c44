/**
 * CloudTrail `userIdentity` → the domain Principal whose tags decide Run As: the IAM user,
 * or for an assumed role the role itself (sessionContext.sessionIssuer), never the session.
 */
import type { Principal } from '../domain/facts.ts';
import { MalformedEventError } from '../errors.ts';
import {
  ACCOUNT_ID,
  asObject,
  type JsonObject,
  objectAt,
  optionalIsoTimeAt,
  optionalObjectAt,
  optionalStringAt,
  stringAt,
} from './fields.ts';
import type { Partition } from './partition.ts';

export interface PrincipalContext {
  /** Partition of the event's Region (root ARNs are built from it). */
  readonly partition: Partition;
  /** The account the event belongs to: the fallback when userIdentity names none. */
  readonly accountId: string;
}

const IAM_ARN = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):([\x21-\x7e]+)$/;
/** IAM user, role and role-session names (the characters IAM and STS allow). */
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
/** One IAM path segment: printable ASCII without '/' (IAM allows U+0021–U+007E in paths). */
const PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const MAX_PATH = 512;
const ACCESS_KEY_ID = /^\w{1,128}$/;

interface ParsedArn {
  readonly accountId: string;
  /** Resource part split on '/': `user/ops/alice` → ['user', 'ops', 'alice']. */
  readonly segments: readonly string[];
}

const parseArn = (value: string, path: string, service: 'iam' | 'sts'): ParsedArn => {
  const match = IAM_ARN.exec(value);
  if (match === null || match[2] !== service) {
    throw new MalformedEventError(path, `must be an ${service.toUpperCase()} ARN`);
  }
  return { accountId: match[3] ?? '', segments: (match[4] ?? '').split('/') };
};

/** `user/ops/alice` or `role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_X_1` → name and IAM path. */
const nameAndPath = (
  arn: ParsedArn,
  kind: 'user' | 'role',
  path: string,
): { name: string; iamPath: string } => {
  const { segments } = arn;
  const name = segments.at(-1) ?? '';
  const middle = segments.slice(1, -1);
  if (segments[0] !== kind || segments.length < 2 || !IAM_NAME.test(name)) {
    throw new MalformedEventError(path, `must be an IAM ${kind} ARN (…:${kind}/[path/]name)`);
  }
  if (!middle.every((segment) => PATH_SEGMENT.test(segment))) {
    throw new MalformedEventError(path, 'has an invalid IAM path');
  }
  const iamPath = middle.length === 0 ? '/' : `/${middle.join('/')}/`;
  if (iamPath.length > MAX_PATH)
    throw new MalformedEventError(path, `has an IAM path longer than ${MAX_PATH}`);
  return { name, iamPath };
};

const accountOf = (identity: JsonObject, path: string, fallback: string): string =>
  optionalStringAt(identity, 'accountId', path, { pattern: ACCOUNT_ID, expected: 'a 12-digit account id' }) ??
  fallback;

const accessKeyOf = (identity: JsonObject, path: string): string =>
  optionalStringAt(identity, 'accessKeyId', path, { pattern: ACCESS_KEY_ID, expected: 'an access key id' }) ??
  '';

const arnAt = (identity: JsonObject, path: string): string => stringAt(identity, 'arn', path);

const iamUser = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const arn = arnAt(identity, path);
  const parsed = parseArn(arn, `${path}.arn`, 'iam');
  // The ARN is authoritative for name and path (userName repeats its last segment in real records).
  const { name, iamPath } = nameAndPath(parsed, 'user', `${path}.arn`);
  return {
    kind: 'user',
    arn,
    accountId: accountOf(identity, path, parsed.accountId || context.accountId),
    name,
    path: iamPath,
    callerArn: arn,
    accessKeyId: accessKeyOf(identity, path),
  };
};

const assumedRole = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const callerArn = arnAt(identity, path);
  const caller = parseArn(callerArn, `${path}.arn`, 'sts');
  const sessionName = caller.segments.at(-1) ?? '';
  if (caller.segments[0] !== 'assumed-role' || caller.segments.length !== 3 || !IAM_NAME.test(sessionName)) {
    throw new MalformedEventError(`${path}.arn`, 'must be an assumed-role ARN (…:assumed-role/role/session)');
  }
  const contextPath = `${path}.sessionContext`;
  const sessionContext = objectAt(identity, 'sessionContext', path);
  const issuerPath = `${contextPath}.sessionIssuer`;
  const issuer = objectAt(sessionContext, 'sessionIssuer', contextPath);
  const roleArn = stringAt(issuer, 'arn', issuerPath);
  const role = parseArn(roleArn, `${issuerPath}.arn`, 'iam');
  // The issuer ARN is authoritative: it carries the role's path, which the assumed-role ARN omits.
  const { name, iamPath } = nameAndPath(role, 'role', `${issuerPath}.arn`);
  const attributes = optionalObjectAt(sessionContext, 'attributes', contextPath);
  const sessionCreatedAt =
    attributes === undefined
      ? undefined
      : optionalIsoTimeAt(attributes, 'creationDate', `${contextPath}.attributes`);
  return {
    kind: 'role',
    arn: roleArn,
    accountId: accountOf(identity, path, role.accountId || context.accountId),
    name,
    path: iamPath,
    callerArn,
    accessKeyId: accessKeyOf(identity, path),
    sessionName,
    ...(sessionCreatedAt === undefined ? {} : { sessionCreatedAt }),
  };
};

const root = (identity: JsonObject, path: string, context: PrincipalContext): Principal => {
  const accountId = accountOf(identity, path, context.accountId);
  const arn = `arn:${context.partition}:iam::${accountId}:root`;
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
  const arn = arnAt(identity, path);
  const parsed = parseArn(arn, `${path}.arn`, 'sts');
  const name = parsed.segments.at(-1) ?? '';
  if (parsed.segments[0] !== 'federated-user' || parsed.segments.length !== 2 || !IAM_NAME.test(name)) {
    throw new MalformedEventError(`${path}.arn`, 'must be a federated-user ARN (…:federated-user/name)');
  }
  return {
    kind: 'federated-user',
    arn,
    accountId: accountOf(identity, path, parsed.accountId || context.accountId),
    name,
    path: '/',
    callerArn: arn,
    accessKeyId: accessKeyOf(identity, path),
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
