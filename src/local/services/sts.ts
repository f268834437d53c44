/**
 * STS over the awsQuery protocol (form-encoded `Action=AssumeRole&…`, XML answers): AssumeRole
 * with the target role's trust policy enforced, and GetCallerIdentity. Callers are known by their
 * access key id (see CredentialRegistry); each AssumeRole issues new credentials that map back to
 * the role session, so later calls signed with them act as that session, in the role's account.
 */
import {
  type CredentialRegistry,
  callerArn,
  callerUserId,
  type Principal,
  principalArn,
  type RoleSession,
  signingAccessKeyId,
} from './credentials.ts';
import type { XmlValue } from './iam.ts';
import type { StsDirectory, StsRole } from './stsDirectory.ts';
import {
  durationSeconds,
  queryRequired,
  queryText,
  sessionTags,
  transitiveTagKeys,
  validation,
} from './stsInput.ts';
import { evaluateTrust } from './stsTrust.ts';
import { AwsApiError } from './wire.ts';

export interface StsCallContext {
  readonly directory: StsDirectory;
  readonly credentials: CredentialRegistry;
  /** Who signed the request (see authenticateCaller). */
  readonly caller: Principal;
  readonly requestId: string;
}

export type StsOperation = (
  params: URLSearchParams,
  ctx: StsCallContext,
) => { readonly [key: string]: XmlValue };

/** The caller of a signed request, or the error STS answers an unknown or expired key with. */
export function authenticateCaller(
  credentials: CredentialRegistry,
  headers: {
    readonly authorization?: string | undefined;
    readonly 'x-amz-security-token'?: string | undefined;
  },
  now: number,
): Principal {
  const accessKeyId = signingAccessKeyId(headers.authorization);
  if (accessKeyId === undefined) {
    throw new AwsApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  const result = credentials.authenticate(accessKeyId, headers['x-amz-security-token'], now);
  if ('problem' in result) throw new AwsApiError(result.problem.code, result.problem.message, 403);
  return result.principal;
}

/** Parameters STS accepts that the local endpoint does not implement: refused, never ignored. */
const UNSUPPORTED = [
  'Policy',
  'PolicyArns',
  'SerialNumber',
  'TokenCode',
  'SourceIdentity',
  'ProvidedContexts',
];

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/;

function accessDenied(caller: Principal, action: string, resource: string): AwsApiError {
  return new AwsApiError(
    'AccessDenied',
    `User: ${callerArn(caller)} is not authorized to perform: ${action} on resource: ${resource}`,
    403,
  );
}

const assumeRole: StsOperation = (params, ctx) => {
  for (const name of UNSUPPORTED) {
    if ([...params.keys()].some((key) => key === name || key.startsWith(`${name}.`))) {
      throw validation(`The local endpoint does not implement the AssumeRole parameter ${name}.`);
    }
  }
  const roleArn = queryRequired(queryText(params, 'RoleArn', { min: 20, max: 2048 }), 'roleArn');
  const sessionName = queryRequired(
    queryText(params, 'RoleSessionName', { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/ }),
    'roleSessionName',
  );
  const externalId = queryText(params, 'ExternalId', { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/ });
  const duration = durationSeconds(params);
  const passed = sessionTags(params);
  const transitive = transitiveTagKeys(params);
  const passedKeys = new Set(passed.map((t) => t.Key.toLowerCase()));
  if (transitive.some((key) => !passedKeys.has(key.toLowerCase()))) {
    throw new AwsApiError(
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.',
    );
  }

  const { caller, directory } = ctx;
  const session = caller.type === 'assumed-role' ? caller.session : undefined;
  const incomingKeys = new Set(session?.transitiveTagKeys.map((k) => k.toLowerCase()) ?? []);
  const incoming = session?.tags.filter((t) => incomingKeys.has(t.Key.toLowerCase())) ?? [];
  if (passed.some((t) => incomingKeys.has(t.Key.toLowerCase()))) {
    throw new AwsApiError(
      'InvalidParameterValue',
      "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
  }

  // A missing role is refused exactly like a role that does not trust the caller.
  const match = ROLE_ARN.exec(roleArn);
  const [, partition, accountId = '', , roleName = ''] = match ?? [];
  const role =
    match === null || partition !== directory.partition ? undefined : directory.role(accountId, roleName);
  const orgId = directory.organizationId(caller.accountId);
  const context: Record<string, string | readonly string[]> = {
    'aws:PrincipalArn': principalArn(caller),
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType':
      caller.type === 'assumed-role' ? 'AssumedRole' : caller.type === 'user' ? 'User' : 'Account',
    'aws:userid': callerUserId(caller),
    'sts:RoleSessionName': sessionName,
    ...(orgId === undefined ? {} : { 'aws:PrincipalOrgID': orgId }),
    ...(caller.type === 'user' ? { 'aws:username': caller.userName } : {}),
    ...(externalId === undefined ? {} : { 'sts:ExternalId': externalId }),
    ...Object.fromEntries((session?.tags ?? []).map((t) => [`aws:PrincipalTag/${t.Key}`, t.Value])),
    ...Object.fromEntries(passed.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
    ...(passed.length === 0 ? {} : { 'aws:TagKeys': passed.map((t) => t.Key) }),
    ...(transitive.length === 0 ? {} : { 'sts:TransitiveTagKeys': transitive }),
  };
  const allows = (trusting: StsRole, action: string) =>
    evaluateTrust(trusting.trustPolicy, {
      action,
      principalArn: principalArn(caller),
      callerArn: callerArn(caller),
      accountId: caller.accountId,
      partition: directory.partition,
      context,
    }) === 'allow';
  if (role === undefined || role.arn !== roleArn || !allows(role, 'sts:AssumeRole')) {
    throw accessDenied(caller, 'sts:AssumeRole', roleArn);
  }
  // Passing tags, or carrying transitive ones into the next session, needs sts:TagSession too.
  const tagging = passed.length > 0 || transitive.length > 0 || incoming.length > 0;
  if (tagging && !allows(role, 'sts:TagSession')) throw accessDenied(caller, 'sts:TagSession', roleArn);

  if (duration > role.maxSessionDuration) {
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (session !== undefined && duration > 3600) {
    throw validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  const now = directory.now();
  const newSession: RoleSession = {
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    sessionName,
    tags: [...incoming, ...passed],
    transitiveTagKeys: [...incoming.map((t) => t.Key), ...transitive],
    issuedAt: now,
    expiresAt: now + duration * 1000,
    chained: session !== undefined,
  };
  const issued = ctx.credentials.issue({
    type: 'assumed-role',
    partition: directory.partition,
    accountId,
    session: newSession,
  });
  return {
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:${directory.partition}:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}`,
    },
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: new Date(issued.expiration).toISOString(),
    },
  };
};

const operations: Readonly<Record<string, StsOperation>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: (_params, { caller }) => ({
    UserId: callerUserId(caller),
    Account: caller.accountId,
    Arn: callerArn(caller),
  }),
};

export function stsOperation(action: string): StsOperation | undefined {
  return Object.hasOwn(operations, action) ? operations[action] : undefined;
}

/** STS's XML namespace, for renderQueryResponse / renderQueryError. */
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
