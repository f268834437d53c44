import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListRolesCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  paginateListUserTags,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, baseWorld, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const manyTags = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`Key${i}`, `value-${i}`]));

describe('local IAM (awsQuery) through the real SDK', () => {
  it('pages ListUserTags with MaxItems / Marker / IsTruncated (3 pages)', async () => {
    // Prepare
    const world = parseWorld({ accountId: ACCOUNT, iam: { users: [{ userName: 'alice', tags: manyTags }] } });

    await withLocal(world, async (local) => {
      const iam = new IAMClient(clientConfig(local));

      // Act
      const pages = [];
      for await (const page of paginateListUserTags({ client: iam, pageSize: 2 }, { UserName: 'alice' }))
        pages.push(page);

      // Assess
      expect(pages.map((p) => p.Tags?.map((t) => t.Key))).toEqual([
        ['Key0', 'Key1'],
        ['Key2', 'Key3'],
        ['Key4'],
      ]);
      expect(pages.map((p) => p.IsTruncated)).toEqual([true, true, false]);
      expect(pages[2]?.Marker).toBeUndefined();
      expect(local.calls.snapshot()).toEqual({ 'iam:ListUserTags': 3 });
    });
  });

  it('ListRoleTags returns the role tags (escaped as XML)', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      iam: { roles: [{ roleName: 'Ops', tags: { SSMSessionRunAs: 'a<b>&"c\'' } }] },
    });

    await withLocal(world, async (local) => {
      // Act
      const out = await new IAMClient(clientConfig(local)).send(new ListRoleTagsCommand({ RoleName: 'Ops' }));

      // Assess
      expect(out.Tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'a<b>&"c\'' }]);
      expect(out.IsTruncated).toBe(false);
    });
  });

  it('answers NoSuchEntity 404 for an absent user', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const error = await rejection(
        new IAMClient(clientConfig(local)).send(new ListUserTagsCommand({ UserName: 'ghost' })),
      );

      // Assess
      expect(error.name).toBe('NoSuchEntityException');
      expect((error as Error & { Code?: string }).Code).toBe('NoSuchEntity');
      expect(error.$metadata?.httpStatusCode).toBe(404);
      expect(error.message).toBe('The user with name ghost cannot be found.');
    });
  });

  it('answers AccessDenied 403 to tag reads when the world denies them', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      iam: { denyTagReads: true, roles: [{ roleName: 'Ops' }] },
    });

    await withLocal(world, async (local) => {
      // Act
      const error = await rejection(
        new IAMClient(clientConfig(local)).send(new ListRoleTagsCommand({ RoleName: 'Ops' })),
      );

      // Assess
      expect(error.name).toBe('AccessDenied');
      expect(error.$metadata?.httpStatusCode).toBe(403);
      expect(error.message).toContain('iam:ListRoleTags');
    });
  });

  it('GetUser and GetRole return ARNs with paths and tags', async () => {
    await withLocal(baseWorld(), async (local) => {
      const iam = new IAMClient(clientConfig(local));

      // Act
      const user = await iam.send(new GetUserCommand({ UserName: 'ALICE' }));
      const role = await iam.send(new GetRoleCommand({ RoleName: 'Operators' }));

      // Assess
      expect(user.User).toMatchObject({
        UserName: 'alice',
        Path: '/',
        Arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        Tags: [
          { Key: 'SSMSessionRunAs', Value: 'alice' },
          { Key: 'Team', Value: 'ops' },
        ],
      });
      expect(user.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
      expect(user.User?.CreateDate).toEqual(new Date('2026-03-01T00:00:00Z'));
      expect(role.Role).toMatchObject({
        RoleName: 'Operators',
        Path: '/ops/',
        Arn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
      });
      expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''))).toMatchObject({
        Version: '2012-10-17',
      });
    });
  });

  it('ListUsers and ListRoles filter by PathPrefix and page', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      iam: {
        users: [{ userName: 'c' }, { userName: 'a' }, { userName: 'b', path: '/eng/' }],
        roles: [{ roleName: 'R1', path: '/eng/' }, { roleName: 'R2' }],
      },
    });

    await withLocal(world, async (local) => {
      const iam = new IAMClient(clientConfig(local));

      // Act
      const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
      const second = await iam.send(new ListUsersCommand({ MaxItems: 2, Marker: first.Marker }));
      const engRoles = await iam.send(new ListRolesCommand({ PathPrefix: '/eng/' }));

      // Assess
      expect(first.Users?.map((u) => u.UserName)).toEqual(['a', 'b']);
      expect(first.IsTruncated).toBe(true);
      expect(second.Users?.map((u) => u.UserName)).toEqual(['c']);
      expect(engRoles.Roles?.map((r) => r.RoleName)).toEqual(['R1']);
    });
  });

  it.each([
    [
      'a marker from another listing',
      { UserName: 'alice', Marker: Buffer.from('{"o":1,"s":"roles:/"}').toString('base64') },
      'InvalidInputException',
    ],
    ['a garbage marker', { UserName: 'alice', Marker: 'not-a-marker' }, 'InvalidInputException'],
    ['MaxItems out of range', { UserName: 'alice', MaxItems: 5000 }, 'ValidationError'],
    ['an invalid user name', { UserName: 'al ice' }, 'ValidationError'],
  ])('rejects %s', async (_case, input, name) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const error = await rejection(new IAMClient(clientConfig(local)).send(new ListUserTagsCommand(input)));

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });
});
