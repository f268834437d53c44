/**
 * PrincipalDirectory over IAM GetUser / GetRole: the principal as it exists now, with the ARN
 * (and so the path) IAM gives it. Tag and delete events name only the user or role.
 */
import { GetRoleCommand, GetUserCommand, type IAMClient, type Role, type User } from '@aws-sdk/client-iam';
import type { PrincipalDirectory } from '../app/ports.ts';
import { type Known, known, type Principal, unknown } from '../domain/facts.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface IamPrincipalDirectoryOptions {
  /** The account the auditor runs in: GetUser/GetRole only see its principals. */
  readonly accountId: string;
}

interface Found {
  readonly Arn?: string | undefined;
  readonly Path?: string | undefined;
  readonly Name?: string | undefined;
}

const userFound = (user: User | undefined): Found | undefined =>
  user === undefined ? undefined : { Arn: user.Arn, Path: user.Path, Name: user.UserName };

const roleFound = (role: Role | undefined): Found | undefined =>
  role === undefined ? undefined : { Arn: role.Arn, Path: role.Path, Name: role.RoleName };

export const createIamPrincipalDirectory = (
  iam: IAMClient,
  options: IamPrincipalDirectoryOptions,
): PrincipalDirectory => ({
  principalOf: async (kind, name): Promise<Known<Principal | null>> => {
    const action = kind === 'user' ? 'GetUser' : 'GetRole';
    let found: Found | undefined;
    try {
      found =
        kind === 'user'
          ? userFound((await iam.send(new GetUserCommand({ UserName: name }))).User)
          : roleFound((await iam.send(new GetRoleCommand({ RoleName: name }))).Role);
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.iamEntity)) {
        case 'not-found':
          return known(null);
        case 'access-denied':
          return unknown(
            `the auditor is not allowed iam:${action} on ${kind} ${name} (${sdkErrorName(err)})`,
          );
        default:
          throw toAwsCallError(`iam:${action}`, err);
      }
    }
    if (found === undefined || typeof found.Arn !== 'string') {
      return unknown(`iam:${action} returned no ARN for ${kind} ${name}`);
    }
    return known({
      kind,
      arn: found.Arn,
      accountId: options.accountId,
      // IAM names are case-insensitive: the spelling IAM keeps is the one in the ARN.
      name: found.Name ?? name,
      path: found.Path ?? '/',
      callerArn: found.Arn,
      accessKeyId: '',
    });
  },
});
