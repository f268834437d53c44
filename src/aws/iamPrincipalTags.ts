/**
 * PrincipalTags over IAM ListUserTags / ListRoleTags. Only users and roles carry the
 * SSMSessionRunAs tag; IAM is global, but only this account's principals are readable.
 */
import { type IAMClient, ListRoleTagsCommand, ListUserTagsCommand, type Tag } from '@aws-sdk/client-iam';
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

interface Page {
  readonly Tags?: Tag[] | undefined;
  readonly IsTruncated?: boolean | undefined;
  readonly Marker?: string | undefined;
}

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
    let marker: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const marked = marker === undefined ? {} : { Marker: marker };
        const response: Page =
          kind === 'user'
            ? await iam.send(new ListUserTagsCommand({ UserName: principal.name, ...marked }))
            : await iam.send(new ListRoleTagsCommand({ RoleName: principal.name, ...marked }));
        addTags(tags, response.Tags);
        if (response.IsTruncated !== true || !response.Marker) return known(tags);
        marker = response.Marker;
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
