/**
 * IAM over the awsQuery protocol: form-encoded requests (`Action=ListUserTags&…`), XML responses.
 * IAM is global: the Region of the signature is ignored.
 */
import { IAM_NAME } from '../../domain/identifiers.ts';
import type { PrincipalState } from '../world/worldState.ts';
import { callerArn } from './credentials.ts';
import { ownAccountTrust } from './stsDirectory.ts';
import { AwsApiError, type CallContext, paginate } from './wire.ts';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** What an operation returns; rendered as the `<Action>Result>` element. */
export type XmlValue =
  | string
  | number
  | boolean
  | undefined
  | readonly XmlValue[]
  | { readonly [key: string]: XmlValue };

type IamOperation = (params: URLSearchParams, ctx: CallContext) => { readonly [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) =>
    c === '<'
      ? '&lt;'
      : c === '>'
        ? '&gt;'
        : c === '&'
          ? '&amp;'
          : c === "'"
            ? '&apos;'
            : c === '"'
              ? '&quot;'
              : '&#13;',
  );
}

/** Objects become elements, arrays become `<member>` lists (awsQuery's list encoding). */
function renderXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => `<member>${renderXml(item)}</member>`).join('');
  return Object.entries(value as { readonly [key: string]: XmlValue })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${renderXml(v)}</${k}>`)
    .join('');
}

/** `xmlns` is the service's API namespace (IAM's unless given). */
export function renderQueryResponse(
  action: string,
  result: { readonly [key: string]: XmlValue },
  requestId: string,
  xmlns = XMLNS,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}">` +
    `<${action}Result>${renderXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function renderQueryError(error: AwsApiError, requestId: string, xmlns = XMLNS): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

function requiredName(params: URLSearchParams, key: 'UserName' | 'RoleName'): string {
  const value = params.get(key);
  if (value === null || value === '') {
    throw new AwsApiError(
      'ValidationError',
      `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (!IAM_NAME.test(value)) {
    throw new AwsApiError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  }
  return value;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

function maxItems(params: URLSearchParams): number {
  const raw = params.get('MaxItems');
  if (raw === null) return 100;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new AwsApiError(
      'ValidationError',
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  return value;
}

function page<T>(
  params: URLSearchParams,
  items: readonly T[],
  scope: string,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const marker = params.get('Marker') ?? undefined;
  const result = paginate(
    items,
    marker,
    maxItems(params),
    scope,
    () => new AwsApiError('InvalidInput', 'Invalid Marker.'),
  );
  return result.nextToken === undefined
    ? { items: result.items, IsTruncated: false }
    : { items: result.items, IsTruncated: true, Marker: result.nextToken };
}

function findPrincipal(ctx: CallContext, kind: 'user' | 'role', name: string): PrincipalState {
  const principal = kind === 'user' ? ctx.world.user(name) : ctx.world.role(name);
  if (principal === undefined)
    throw new AwsApiError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`, 404);
  return principal;
}

function listTags(kind: 'user' | 'role'): IamOperation {
  return (params, ctx) => {
    const name = requiredName(params, kind === 'user' ? 'UserName' : 'RoleName');
    if (ctx.world.denyTagReads) {
      const action = kind === 'user' ? 'ListUserTags' : 'ListRoleTags';
      throw new AwsApiError(
        'AccessDenied',
        `User: ${ctx.caller === undefined ? `arn:${ctx.world.partition}:sts::${ctx.world.accountId}:assumed-role/auditor/local` : callerArn(ctx.caller)} is not authorized to perform: iam:${action} on resource: ${kind} ${name} because no identity-based policy allows the iam:${action} action`,
        403,
      );
    }
    const principal = findPrincipal(ctx, kind, name);
    const { items, ...rest } = page(params, principal.tags, `${kind}-tags:${principal.name}`);
    return { Tags: items, ...rest };
  };
}

function userElement(
  ctx: CallContext,
  user: PrincipalState,
  withTags: boolean,
): { readonly [key: string]: XmlValue } {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: ctx.world.principalArn(user),
    CreateDate: user.createDate,
    Tags: withTags && user.tags.length > 0 ? user.tags : undefined,
  };
}

function roleElement(
  ctx: CallContext,
  role: PrincipalState,
  withTags: boolean,
): { readonly [key: string]: XmlValue } {
  const trust = role.trustPolicy ?? ownAccountTrust(ctx.world.partition, ctx.world.accountId);
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: ctx.world.principalArn(role),
    CreateDate: role.createDate,
    // IAM returns the trust policy URL-encoded.
    AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
    MaxSessionDuration: role.maxSessionDuration ?? 3600,
    Tags: withTags && role.tags.length > 0 ? role.tags : undefined,
  };
}

function pathPrefix(params: URLSearchParams): string {
  const prefix = params.get('PathPrefix') ?? '/';
  if (!prefix.startsWith('/')) throw new AwsApiError('ValidationError', 'PathPrefix must begin with /');
  return prefix;
}

const byName = (a: PrincipalState, b: PrincipalState): number => a.name.localeCompare(b.name);

const operations: Readonly<Record<string, IamOperation>> = {
  ListUserTags: listTags('user'),
  ListRoleTags: listTags('role'),
  GetUser: (params, ctx) => {
    if (params.get('UserName') === null) {
      throw new AwsApiError(
        'ValidationError',
        'Must specify userName when calling with non-User credentials',
      );
    }
    return { User: userElement(ctx, findPrincipal(ctx, 'user', requiredName(params, 'UserName')), true) };
  },
  GetRole: (params, ctx) => ({
    Role: roleElement(ctx, findPrincipal(ctx, 'role', requiredName(params, 'RoleName')), true),
  }),
  ListUsers: (params, ctx) => {
    const prefix = pathPrefix(params);
    const users = [...ctx.world.users.values()].filter((u) => u.path.startsWith(prefix)).sort(byName);
    const { items, ...rest } = page(params, users, `users:${prefix}`);
    return { Users: items.map((u) => userElement(ctx, u, false)), ...rest };
  },
  ListRoles: (params, ctx) => {
    const prefix = pathPrefix(params);
    const roles = [...ctx.world.roles.values()].filter((r) => r.path.startsWith(prefix)).sort(byName);
    const { items, ...rest } = page(params, roles, `roles:${prefix}`);
    return { Roles: items.map((r) => roleElement(ctx, r, false)), ...rest };
  },
};

export function iamOperation(action: string): IamOperation | undefined {
  return Object.hasOwn(operations, action) ? operations[action] : undefined;
}
