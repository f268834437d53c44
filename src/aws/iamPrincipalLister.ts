/**
 * PrincipalLister over IAM ListUsers and ListRoles (every page, with the SDK's paginators): the
 * account's users and roles with the ARN and path IAM gives them. ListUsers and ListRoles leave
 * tags out (IAM returns a subset of each principal's attributes), so tags are read apart, through
 * the PrincipalTags port.
 */
import { type IAMClient, paginateListRoles, paginateListUsers } from '@aws-sdk/client-iam';
import type { PrincipalLister } from '../app/historyPorts.ts';
import { known, type Principal, unknown } from '../domain/facts.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface IamPrincipalListerOptions {
  /** The account whose principals these are (the caller's: IAM lists only its own). */
  readonly accountId: string;
}

interface Listed {
  readonly Arn?: string | undefined;
  readonly Path?: string | undefined;
}

const principalOf = (kind: 'user' | 'role', name: string | undefined, listed: Listed, accountId: string) =>
  name === undefined || listed.Arn === undefined
    ? []
    : [
        {
          kind,
          arn: listed.Arn,
          accountId,
          name,
          path: listed.Path ?? '/',
          callerArn: listed.Arn,
          accessKeyId: '',
        } satisfies Principal,
      ];

export const createIamPrincipalLister = (
  iam: IAMClient,
  options: IamPrincipalListerOptions,
): PrincipalLister => ({
  listPrincipals: async () => {
    const principals: Principal[] = [];
    let action = 'ListUsers';
    try {
      for await (const page of paginateListUsers({ client: iam, pageSize: 1000 }, {})) {
        for (const user of page.Users ?? [])
          principals.push(...principalOf('user', user.UserName, user, options.accountId));
      }
      action = 'ListRoles';
      for await (const page of paginateListRoles({ client: iam, pageSize: 1000 }, {})) {
        for (const role of page.Roles ?? [])
          principals.push(...principalOf('role', role.RoleName, role, options.accountId));
      }
    } catch (err) {
      if (classifySdkError(err) === 'access-denied') {
        return unknown(`the auditor is not allowed iam:${action} (${sdkErrorName(err)})`);
      }
      throw toAwsCallError(`iam:${action}`, err);
    }
    return known(principals);
  },
});
