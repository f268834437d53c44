/**
 * PrincipalTags over IAM ListUserTags / ListRoleTags. Only users and roles carry the
 * SSMSessionRunAs tag; IAM is global, but only this account's principals are readable.
 */
import { type IAMClient, paginateListRoleTags, paginateListUserTags, type Tag } from '@aws-sdk/client-iam';
import type { PrincipalTags } from '../app/ports.ts';
import { type Known, known, type Principal, type Tags, unknown } from '../domain/facts.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface IamPrincipalTagsOptions {
  /** The account the auditor runs in; principals of other accounts cannot be read. */
  readonly accountId: string;
  readonly ttlMs: number;
  readonly now?: () => number;
}

/** Guards against a service that keeps answering IsTruncated (50 tags fit in one page). */
const MAX_PAGES = 20;

const addTags = (into: Record<string, string>, tags: readonly Tag[] | undefined): void => {
  for (const tag of tags ?? []) {
    if (typeof tag.Key === 'string' && typeof tag.Value === 'string') into[tag.Key] = tag.Value;
  }
};

export const createIamPrincipalTags = (iam: IAMClient, options: IamPrincipalTagsOptions): PrincipalTags => {
  const cache = createTtlCache<Known<Tags>>({
    ttlMs: options.ttlMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const read = async (kind: 'user' | 'role', principal: Principal): Promise<Known<Tags>> => {
    const action = kind === 'user' ? 'ListUserTags' : 'ListRoleTags';
    const tags: Record<string, string> = {};
    const pages =
      kind === 'user'
        ? paginateListUserTags({ client: iam }, { UserName: principal.name })
        : paginateListRoleTags({ client: iam }, { RoleName: principal.name });
    try {
      let count = 0;
      for await (const page of pages) {
        addTags(tags, page.Tags);
        // IAM says whether more follow; a Marker alone never makes a page truncated.
        if (page.IsTruncated !== true || !page.Marker) return known(tags);
        if (++count === MAX_PAGES) break;
      }
      return unknown(`iam:${action} for ${principal.arn} did not finish within ${MAX_PAGES} pages`);
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.iamEntity)) {
        case 'access-denied':
          return unknown(
            `the auditor is not allowed iam:${action} on ${principal.arn} (${sdkErrorName(err)})`,
          );
        case 'not-found':
          return unknown(`${kind} ${principal.name} no longer exists (${principal.arn})`);
        default:
          throw toAwsCallError(`iam:${action}`, err);
      }
    }
  };

  return {
    tagsOf: async (principal) => {
      if (principal.kind !== 'user' && principal.kind !== 'role') return known({});
      if (principal.accountId !== options.accountId) {
        return unknown(
          `principal is in account ${principal.accountId}; its tags cannot be read from account ${options.accountId}`,
        );
      }
      if (principal.name.trim() === '')
        return unknown(`the ${principal.kind} name of ${principal.arn} is blank`);
      const kind = principal.kind;
      return cache.get(principal.arn, () => read(kind, principal));
    },
  };
};
