/**
 * Who a request to the local endpoint comes from, and so which account serves it, as AWS decides:
 * by the access key id that signed it. Keys the endpoint knows (a world user's `accessKeyIds`,
 * credentials its STS issued, keys a test registered) are authenticated strictly: a temporary key
 * needs its session token and stops working when it expires. Any other key acts as the audit
 * functions' own role session in the default account (the audit account of an organization, the
 * one account otherwise), so the SDK's placeholder credentials of every existing tool keep working.
 */
import type { LocalWorld } from '../world/localWorld.ts';
import {
  type CredentialProblem,
  type CredentialRegistry,
  type Principal,
  signingAccessKeyId,
} from './credentials.ts';
import type { Protocol } from './routing.ts';
import { AwsApiError } from './wire.ts';

/**
 * The role whose session unknown keys act as: the audit functions' execution role in the default
 * account, under the path template.yaml gives every function's role, which the member role's trust
 * names (`ssm-runas-auditor/*` by default).
 */
export const LOCAL_FUNCTION_ROLE_PATH = '/ssm-runas-auditor/';
export const LOCAL_FUNCTION_ROLE_NAME = 'ssm-runas-auditor-local-function';
export const LOCAL_FUNCTION_SESSION_NAME = 'ssm-runas-auditor-local';

/** The audit functions' role session in `world`'s default account. */
export function localFunctionPrincipal(world: LocalWorld): Principal & { readonly type: 'assumed-role' } {
  return {
    type: 'assumed-role',
    partition: world.partition,
    accountId: world.accountId,
    session: {
      roleArn: `arn:${world.partition}:iam::${world.accountId}:role${LOCAL_FUNCTION_ROLE_PATH}${LOCAL_FUNCTION_ROLE_NAME}`,
      roleName: LOCAL_FUNCTION_ROLE_NAME,
      roleId: 'AROALOCALFUNCTION0001',
      sessionName: LOCAL_FUNCTION_SESSION_NAME,
      tags: [],
      transitiveTagKeys: [],
      issuedAt: 0,
      expiresAt: Number.POSITIVE_INFINITY,
      // Lambda's own session is not a role chain; what it assumes next is.
      chained: false,
    },
  };
}

/** Registers the world users' long-term keys (their `accessKeyIds`) in `registry`. */
export function registerWorldKeys(registry: CredentialRegistry, world: LocalWorld): void {
  for (const account of world.accounts()) {
    for (const [accessKeyId, userName] of account.accessKeyIds) {
      const user = account.user(userName);
      if (user === undefined) continue;
      registry.register(accessKeyId, {
        type: 'user',
        partition: world.partition,
        accountId: account.accountId,
        userName: user.name,
        path: user.path,
        userId: user.id,
      });
    }
  }
}

/** How each wire protocol answers a key it does not accept (STS and IAM: query; the others: JSON). */
function credentialError(problem: CredentialProblem, protocol: Protocol): AwsApiError {
  if (protocol === 'query') return new AwsApiError(problem.code, problem.message, 403);
  const code = problem.code === 'ExpiredToken' ? 'ExpiredTokenException' : 'UnrecognizedClientException';
  return new AwsApiError(code, problem.message, protocol === 'json' ? 400 : 403);
}

export interface Caller {
  readonly principal: Principal;
  /** The account that serves the request: the principal's. */
  readonly world: LocalWorld;
}

/** The caller of a signed request, or the error the service answers an invalid or expired key with. */
export function callerOf(
  registry: CredentialRegistry,
  world: LocalWorld,
  headers: { readonly authorization?: string | undefined; readonly 'x-amz-security-token'?: unknown },
  now: number,
  protocol: Protocol,
): Caller {
  const accessKeyId = signingAccessKeyId(headers.authorization);
  const token = headers['x-amz-security-token'];
  if (accessKeyId === undefined || registry.principalOf(accessKeyId) === undefined) {
    return { principal: localFunctionPrincipal(world), world };
  }
  const result = registry.authenticate(accessKeyId, typeof token === 'string' ? token : undefined, now);
  if ('problem' in result) throw credentialError(result.problem, protocol);
  const account = world.account(result.principal.accountId);
  if (account === undefined) {
    throw credentialError(
      { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
      protocol,
    );
  }
  return { principal: result.principal, world: account };
}
