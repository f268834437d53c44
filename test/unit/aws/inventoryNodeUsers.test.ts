import {
  InvalidInstanceId,
  InvalidTypeNameException,
  ListInventoryEntriesCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createInventoryNodeUsers, createNoNodeUsers } from '../../../src/aws/inventoryNodeUsers.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const NODE = 'i-0123456789abcdef0';
const TYPE = 'Custom:OSUsers';
const CAPTURED = '2026-01-01T00:00:00Z';
const HOUR = 3_600_000;
/** The session's event time: one hour after the capture unless told otherwise. */
const AS_OF = '2026-01-01T01:00:00.000Z';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = serviceError(SSMServiceException);

const inventory = (users: readonly Record<string, string>[], captureTime: string | null = CAPTURED) => ({
  TypeName: TYPE,
  InstanceId: NODE,
  SchemaVersion: '1.0',
  ...(captureTime === null ? {} : { CaptureTime: captureTime }),
  Entries: [...users],
});

/** Clock one hour after capture unless told otherwise; inventory may be 24 h old. */
const adapter = (options: { clock?: () => number; ttlMs?: number } = {}) =>
  createInventoryNodeUsers(client, {
    typeName: TYPE,
    maxAgeMs: 24 * HOUR,
    now: options.clock ?? (() => Date.parse(CAPTURED) + HOUR),
    ttlMs: options.ttlMs ?? 60_000,
  });

const SOURCE = `inventory ${TYPE} captured ${CAPTURED}`;

beforeEach(() => {
  ssm.reset();
});

describe('createInventoryNodeUsers', () => {
  it('lists the node inventory of the configured type', async () => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }]));

    // Act
    await adapter().presenceOf(NODE, 'ec2-user', { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(ssm).toReceiveNthCommandWith(ListInventoryEntriesCommand, 1, {
      InstanceId: NODE,
      TypeName: TYPE,
    });
  });

  it.each([
    { label: 'listed under Name', entries: [{ Name: 'alice' }], user: 'alice', status: 'present' },
    {
      label: 'listed under UserName',
      entries: [{ UserName: 'alice', Uid: '1001' }],
      user: 'alice',
      status: 'present',
    },
    { label: 'not listed', entries: [{ Name: 'ec2-user' }], user: 'alice', status: 'missing' },
    { label: 'listed in another case', entries: [{ Name: 'Alice' }], user: 'alice', status: 'missing' },
  ])('reports $status for a user $label in a fresh inventory', async ({ entries, user, status }) => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(inventory(entries));

    // Act
    const presence = await adapter().presenceOf(NODE, user, { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(presence).toMatchObject({ status, source: SOURCE });
  });

  it.each([
    {
      label: 'a name',
      user: 'ec2-user',
      match: 'exact',
      account: { name: 'ec2-user', uid: 1000, gid: 1000 },
    },
    {
      label: 'a uid, as `id` resolves it',
      user: '1001',
      match: 'exact',
      account: { name: 'ssm-user', uid: 1001, gid: 1001 },
    },
    {
      label: 'a name that is digits, before a uid',
      user: '1000',
      match: 'exact',
      account: { name: '1000', uid: 4000, gid: 4000 },
    },
    {
      label: 'a name in another case on macOS',
      user: 'EC2-User',
      match: 'ignore-case',
      account: { name: 'ec2-user', uid: 1000, gid: 1000 },
    },
  ] as const)('finds $label with its uid and primary gid', async ({ user, match, account }) => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(
      inventory([
        { Name: 'ec2-user', Uid: '1000', Gid: '1000' },
        { Name: 'ssm-user', Uid: '1001', Gid: '1001' },
        { Name: '1000', Uid: '4000', Gid: '4000' },
      ]),
    );

    // Act
    const presence = await adapter().presenceOf(NODE, user, { asOf: AS_OF, match });

    // Assess
    expect(presence).toEqual({ status: 'present', source: SOURCE, account });
  });

  it('reads an inventory written before uid and gid were recorded', async () => {
    // Prepare
    ssm
      .on(ListInventoryEntriesCommand)
      .resolves(inventory([{ Name: 'ec2-user' }, { Name: 'x', Uid: 'abc' }]));

    // Act
    const named = await adapter().presenceOf(NODE, 'ec2-user', { asOf: AS_OF, match: 'exact' });
    const byUid = await adapter().presenceOf(NODE, '1000', { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(named).toEqual({ status: 'present', source: SOURCE, account: { name: 'ec2-user' } });
    expect(byUid).toEqual({ status: 'missing', source: SOURCE });
  });

  it('follows NextToken across 3 pages', async () => {
    // Prepare
    ssm
      .on(ListInventoryEntriesCommand)
      .resolvesOnce({ ...inventory([{ Name: 'a' }]), NextToken: 't1' })
      .resolvesOnce({ ...inventory([{ Name: 'b' }]), NextToken: 't2' })
      .resolvesOnce(inventory([{ Name: 'alice' }]));

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(presence).toMatchObject({ status: 'present', source: SOURCE });
    expect(ssm.commandCalls(ListInventoryEntriesCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't1',
      't2',
    ]);
  });

  it('never says missing from an inventory captured more than the maximum age from the session', async () => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }]));
    const users = adapter();
    const muchLater = new Date(Date.parse(CAPTURED) + 24 * HOUR + 1).toISOString();

    // Act
    const missing = await users.presenceOf(NODE, 'alice', { asOf: muchLater, match: 'exact' });
    const listed = await users.presenceOf(NODE, 'ec2-user', { asOf: muchLater, match: 'exact' });

    // Assess
    expect(missing).toEqual({
      status: 'unknown',
      reason: `inventory ${TYPE} captured ${CAPTURED} is more than 24 h from ${muchLater}`,
    });
    expect(listed).toMatchObject({ status: 'present', source: SOURCE });
  });

  it('judges freshness against each session time, before or after the capture, even from the cache', async () => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }]));
    const users = createInventoryNodeUsers(client, {
      typeName: TYPE,
      maxAgeMs: HOUR,
      now: () => Date.parse(CAPTURED),
      ttlMs: 10 * HOUR,
    });

    // Act
    const justBefore = await users.presenceOf(NODE, 'alice', {
      asOf: '2025-12-31T23:30:00Z',
      match: 'exact',
    });
    const justAfter = await users.presenceOf(NODE, 'alice', { asOf: '2026-01-01T00:30:00Z', match: 'exact' });
    const twoHoursLater = await users.presenceOf(NODE, 'alice', {
      asOf: '2026-01-01T02:00:00Z',
      match: 'exact',
    });
    const dayBefore = await users.presenceOf(NODE, 'alice', { asOf: '2025-12-31T00:00:00Z', match: 'exact' });

    // Assess
    expect([justBefore.status, justAfter.status, twoHoursLater.status, dayBefore.status]).toEqual([
      'missing',
      'missing',
      'unknown',
      'unknown',
    ]);
    expect(ssm).toReceiveCommandTimes(ListInventoryEntriesCommand, 1);
  });

  it.each([
    {
      label: 'no entries',
      setup: () => ssm.on(ListInventoryEntriesCommand).resolves(inventory([])),
      reason: `inventory ${TYPE} lists no users for node ${NODE}`,
    },
    {
      label: 'entries without a user name',
      setup: () => ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Uid: '0' }])),
      reason: `inventory ${TYPE} lists no users for node ${NODE}`,
    },
    {
      label: 'no capture time',
      setup: () => ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }], null)),
      reason: `inventory ${TYPE} of node ${NODE} has no capture time`,
    },
    {
      label: 'an unreadable capture time',
      setup: () =>
        ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }], 'last tuesday')),
      reason: `inventory ${TYPE} of node ${NODE} has an unreadable capture time "last tuesday"`,
    },
    {
      label: 'AccessDeniedException',
      setup: () => ssm.on(ListInventoryEntriesCommand).rejects(ssmError('AccessDeniedException', 400)),
      reason: 'the auditor is not allowed ssm:ListInventoryEntries (AccessDeniedException)',
    },
    {
      label: 'InvalidInstanceId',
      setup: () =>
        ssm
          .on(ListInventoryEntriesCommand)
          .rejects(new InvalidInstanceId({ $metadata: { httpStatusCode: 400 }, message: 'unknown node' })),
      reason: `node ${NODE} has no SSM inventory`,
    },
    {
      label: 'an undefined inventory type',
      setup: () =>
        ssm
          .on(ListInventoryEntriesCommand)
          .rejects(
            new InvalidTypeNameException({ $metadata: { httpStatusCode: 400 }, message: 'no such type' }),
          ),
      reason: `inventory type ${TYPE} is not defined in this account and Region`,
    },
  ])('reports unknown for $label', async ({ setup, reason }) => {
    // Prepare
    setup();

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason });
  });

  it.each([
    { label: 'ThrottlingException', err: ssmError('ThrottlingException', 400) },
    { label: 'InternalServerError', err: ssmError('InternalServerError', 500) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).rejects(err);

    // Act
    const result = adapter().presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' })).rejects.toMatchObject({
      operation: 'ssm:ListInventoryEntries',
      cause: err,
    });
  });

  describe('cache (per node)', () => {
    it('serves every user of a node from one listing until the TTL expires', async () => {
      // Prepare
      let clock = Date.parse(CAPTURED);
      ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'alice' }, { Name: 'bob' }]));
      const users = adapter({ clock: () => clock, ttlMs: 1_000 });

      // Act
      const results = await Promise.all([
        users.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' }),
        users.presenceOf(NODE, 'bob', { asOf: AS_OF, match: 'exact' }),
        users.presenceOf(NODE, 'carol', { asOf: AS_OF, match: 'exact' }),
      ]);
      const beforeExpiry = ssm.commandCalls(ListInventoryEntriesCommand).length;
      clock += 1_000;
      await users.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

      // Assess
      expect(results.map((r) => r.status)).toEqual(['present', 'present', 'missing']);
      expect(beforeExpiry).toBe(1);
      expect(ssm).toReceiveCommandTimes(ListInventoryEntriesCommand, 2);
    });

    it('does not cache a failed listing, and never caches with ttl 0', async () => {
      // Prepare
      ssm
        .on(ListInventoryEntriesCommand)
        .rejectsOnce(ssmError('ThrottlingException', 400))
        .resolves(inventory([{ Name: 'alice' }]));
      const cached = adapter();
      const uncached = adapter({ ttlMs: 0 });

      // Act
      await expect(cached.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' })).rejects.toBeInstanceOf(
        AwsCallError,
      );
      const retried = await cached.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });
      await uncached.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });
      await uncached.presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

      // Assess
      expect(retried.status).toBe('present');
      expect(ssm).toReceiveCommandTimes(ListInventoryEntriesCommand, 4);
    });
  });
});

describe('createNoNodeUsers', () => {
  it('never knows whether a user exists', async () => {
    // Act
    const presence = await createNoNodeUsers().presenceOf(NODE, 'alice', { asOf: AS_OF, match: 'exact' });

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason: 'USER_DIRECTORY is none' });
  });
});
