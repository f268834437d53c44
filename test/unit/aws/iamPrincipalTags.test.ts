import {
  IAMClient,
  IAMServiceException,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIamPrincipalTags } from '../../../src/aws/iamPrincipalTags.ts';
import type { Principal, PrincipalKind } from '../../../src/domain/facts.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { iamRolePrincipal, iamUserPrincipal } from '../principals.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1' });

const alice = iamUserPrincipal('alice', '/', { accessKeyId: 'AKIAEXAMPLEALICE0001' });

const operators = iamRolePrincipal('Operators', '/ops/', {
  name: 'bob',
  accessKeyId: 'ASIAEXAMPLEBOB000001',
  createdAt: '2026-01-01T00:00:00Z',
});

const iamError = serviceError(IAMServiceException);

const adapter = (ttlMs = 60_000, now?: () => number) =>
  createIamPrincipalTags(client, { accountId: ACCOUNT, ttlMs, ...(now === undefined ? {} : { now }) });

beforeEach(() => {
  iam.reset();
});

describe('createIamPrincipalTags', () => {
  it('reads an IAM user tags with ListUserTags by user name', async () => {
    // Prepare
    iam
      .on(ListUserTagsCommand)
      .resolves({ Tags: [{ Key: 'SSMSessionRunAs', Value: 'alice' }], IsTruncated: false });

    // Act
    const tags = await adapter().tagsOf(alice);

    // Assess
    expect(tags).toEqual({ known: true, value: { SSMSessionRunAs: 'alice' } });
    expect(iam).toReceiveNthCommandWith(ListUserTagsCommand, 1, { UserName: 'alice' });
    expect(iam).not.toReceiveCommand(ListRoleTagsCommand);
  });

  it('reads a role tags with ListRoleTags by role name, without the path', async () => {
    // Prepare
    iam
      .on(ListRoleTagsCommand)
      .resolves({ Tags: [{ Key: 'ssmsessionrunas', Value: 'ops' }], IsTruncated: false });

    // Act
    const tags = await adapter().tagsOf(operators);

    // Assess
    expect(tags).toEqual({ known: true, value: { ssmsessionrunas: 'ops' } });
    expect(iam).toReceiveNthCommandWith(ListRoleTagsCommand, 1, { RoleName: 'Operators' });
  });

  it('follows Marker across 3 pages and merges the tags', async () => {
    // Prepare
    const sent = servePages(iam.on(ListRoleTagsCommand), [
      { Tags: [{ Key: 'a', Value: '1' }], IsTruncated: true, Marker: 'm1' },
      { Tags: [{ Key: 'b', Value: '2' }], IsTruncated: true, Marker: 'm2' },
      { Tags: [{ Key: 'SSMSessionRunAs', Value: 'ops' }], IsTruncated: false },
    ]);

    // Act
    const tags = await adapter().tagsOf(operators);

    // Assess
    expect(tags).toEqual({ known: true, value: { a: '1', b: '2', SSMSessionRunAs: 'ops' } });
    expect(sent).toEqual([
      { RoleName: 'Operators' },
      { RoleName: 'Operators', Marker: 'm1' },
      { RoleName: 'Operators', Marker: 'm2' },
    ]);
  });

  it.each<PrincipalKind>(['root', 'federated-user', 'other'])(
    'answers no tags for a %s principal without calling IAM',
    async (kind) => {
      // Prepare
      const principal: Principal = { ...alice, kind, name: 'x', arn: `arn:aws:iam::${ACCOUNT}:root` };

      // Act
      const tags = await adapter().tagsOf(principal);

      // Assess
      expect(tags).toEqual({ known: true, value: {} });
      expect(iam).not.toReceiveAnyCommand();
    },
  );

  it('does not read a principal of another account', async () => {
    // Prepare
    const foreign: Principal = {
      ...operators,
      accountId: '444455556666',
      arn: 'arn:aws:iam::444455556666:role/X',
    };

    // Act
    const tags = await adapter().tagsOf(foreign);

    // Assess
    expect(tags).toEqual({
      known: false,
      reason: `principal is in account 444455556666; its tags cannot be read from account ${ACCOUNT}`,
    });
    expect(iam).not.toReceiveAnyCommand();
  });

  it.each([
    {
      label: 'AccessDenied on ListUserTags',
      principal: alice,
      err: iamError('AccessDenied', 403),
      reason: `the auditor is not allowed iam:ListUserTags on arn:aws:iam::${ACCOUNT}:user/alice (AccessDenied)`,
    },
    {
      label: 'AccessDenied on ListRoleTags',
      principal: operators,
      err: iamError('AccessDenied', 403),
      reason: `the auditor is not allowed iam:ListRoleTags on arn:aws:iam::${ACCOUNT}:role/ops/Operators (AccessDenied)`,
    },
    {
      label: 'a deleted user',
      principal: alice,
      err: new NoSuchEntityException({
        $metadata: { httpStatusCode: 404 },
        message: 'The user with name alice cannot be found.',
      }),
      reason: `user alice no longer exists (arn:aws:iam::${ACCOUNT}:user/alice)`,
    },
    {
      label: 'a deleted role',
      principal: operators,
      err: new NoSuchEntityException({
        $metadata: { httpStatusCode: 404 },
        message: 'The role cannot be found.',
      }),
      reason: `role Operators no longer exists (arn:aws:iam::${ACCOUNT}:role/ops/Operators)`,
    },
  ])('turns $label into unknown with a reason', async ({ principal, err, reason }) => {
    // Prepare
    iam.on(ListUserTagsCommand).rejects(err);
    iam.on(ListRoleTagsCommand).rejects(err);

    // Act
    const tags = await adapter().tagsOf(principal);

    // Assess
    expect(tags).toEqual({ known: false, reason });
  });

  it.each([
    { label: 'Throttling', err: iamError('Throttling', 400) },
    { label: 'ServiceFailure (500)', err: iamError('ServiceFailure', 500) },
    { label: 'an unexpected ValidationError', err: iamError('ValidationError', 400) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    iam.on(ListRoleTagsCommand).rejects(err);

    // Act
    const result = adapter().tagsOf(operators);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().tagsOf(operators)).rejects.toMatchObject({
      operation: 'iam:ListRoleTags',
      cause: err,
    });
  });

  describe('cache (by principal ARN)', () => {
    it('serves a second look-up of the same principal from the cache until the TTL expires', async () => {
      // Prepare
      let clock = 0;
      iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
      const tags = adapter(1_000, () => clock);

      // Act
      await tags.tagsOf(alice);
      await tags.tagsOf(alice);
      const cachedCalls = iam.commandCalls(ListUserTagsCommand).length;
      clock = 1_000;
      await tags.tagsOf(alice);

      // Assess
      expect(cachedCalls).toBe(1);
      expect(iam).toReceiveCommandTimes(ListUserTagsCommand, 2);
    });

    it('makes one IAM call for concurrent look-ups of the same principal', async () => {
      // Prepare
      iam.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: 'k', Value: 'v' }], IsTruncated: false });
      const tags = adapter();

      // Act
      const results = await Promise.all([
        tags.tagsOf(operators),
        tags.tagsOf(operators),
        tags.tagsOf(operators),
      ]);

      // Assess
      expect(results.every((r) => r.known && r.value.k === 'v')).toBe(true);
      expect(iam).toReceiveCommandTimes(ListRoleTagsCommand, 1);
    });

    it('does not cache a throttled look-up', async () => {
      // Prepare
      iam
        .on(ListRoleTagsCommand)
        .rejectsOnce(iamError('Throttling', 400))
        .resolves({ Tags: [{ Key: 'k', Value: 'v' }], IsTruncated: false });
      const tags = adapter();

      // Act
      await expect(tags.tagsOf(operators)).rejects.toBeInstanceOf(AwsCallError);
      const second = await tags.tagsOf(operators);

      // Assess
      expect(second).toEqual({ known: true, value: { k: 'v' } });
      expect(iam).toReceiveCommandTimes(ListRoleTagsCommand, 2);
    });

    it('calls IAM every time with ttl 0', async () => {
      // Prepare
      iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
      const tags = adapter(0);

      // Act
      await Promise.all([tags.tagsOf(alice), tags.tagsOf(alice)]);
      await tags.tagsOf(alice);

      // Assess
      expect(iam).toReceiveCommandTimes(ListUserTagsCommand, 3);
    });
  });
});
