import {
  InvalidInstanceId,
  ListInventoryEntriesCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createInventoryNodeUsers, createNoNodeUsers } from '../../../src/aws/inventoryNodeUsers.ts';
import { AwsCallError } from '../../../src/errors.ts';

const NODE = 'i-0123456789abcdef0';
const TYPE = 'Custom:OSUsers';
const CAPTURED = '2026-01-01T00:00:00Z';
const HOUR = 3_600_000;
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ssmError = (name: string, status: number) =>
  new SSMServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} happened`,
  });

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
    await adapter().presenceOf(NODE, 'ec2-user');

    // Assess
    expect(ssm.commandCalls(ListInventoryEntriesCommand)[0]?.args[0].input).toEqual({
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
    const presence = await adapter().presenceOf(NODE, user);

    // Assess
    expect(presence).toEqual({ status, source: SOURCE });
  });

  it('follows NextToken across 3 pages', async () => {
    // Prepare
    ssm
      .on(ListInventoryEntriesCommand)
      .resolvesOnce({ ...inventory([{ Name: 'a' }]), NextToken: 't1' })
      .resolvesOnce({ ...inventory([{ Name: 'b' }]), NextToken: 't2' })
      .resolvesOnce(inventory([{ Name: 'alice' }]));

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice');

    // Assess
    expect(presence).toEqual({ status: 'present', source: SOURCE });
    expect(ssm.commandCalls(ListInventoryEntriesCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      't1',
      't2',
    ]);
  });

  it('never says missing from an inventory older than the maximum age', async () => {
    // Prepare
    ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }]));
    const users = adapter({ clock: () => Date.parse(CAPTURED) + 24 * HOUR + 1 });

    // Act
    const missing = await users.presenceOf(NODE, 'alice');
    const listed = await users.presenceOf(NODE, 'ec2-user');

    // Assess
    expect(missing).toEqual({
      status: 'unknown',
      reason: `inventory ${TYPE} captured ${CAPTURED} is older than 24 h`,
    });
    expect(listed).toEqual({ status: 'present', source: SOURCE });
  });

  it('judges freshness at each look-up, even from the cache', async () => {
    // Prepare
    let clock = Date.parse(CAPTURED);
    ssm.on(ListInventoryEntriesCommand).resolves(inventory([{ Name: 'ec2-user' }]));
    const users = createInventoryNodeUsers(client, {
      typeName: TYPE,
      maxAgeMs: HOUR,
      now: () => clock,
      ttlMs: 10 * HOUR,
    });

    // Act
    const fresh = await users.presenceOf(NODE, 'alice');
    clock += 2 * HOUR;
    const stale = await users.presenceOf(NODE, 'alice');

    // Assess
    expect(fresh.status).toBe('missing');
    expect(stale.status).toBe('unknown');
    expect(ssm.commandCalls(ListInventoryEntriesCommand)).toHaveLength(1);
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
      setup: () => ssm.on(ListInventoryEntriesCommand).rejects(ssmError('InvalidTypeNameException', 400)),
      reason: `inventory type ${TYPE} is not defined in this account and Region`,
    },
  ])('reports unknown for $label', async ({ setup, reason }) => {
    // Prepare
    setup();

    // Act
    const presence = await adapter().presenceOf(NODE, 'alice');

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
    const result = adapter().presenceOf(NODE, 'alice');

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().presenceOf(NODE, 'alice')).rejects.toMatchObject({
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
        users.presenceOf(NODE, 'alice'),
        users.presenceOf(NODE, 'bob'),
        users.presenceOf(NODE, 'carol'),
      ]);
      const beforeExpiry = ssm.commandCalls(ListInventoryEntriesCommand).length;
      clock += 1_000;
      await users.presenceOf(NODE, 'alice');

      // Assess
      expect(results.map((r) => r.status)).toEqual(['present', 'present', 'missing']);
      expect(beforeExpiry).toBe(1);
      expect(ssm.commandCalls(ListInventoryEntriesCommand)).toHaveLength(2);
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
      await expect(cached.presenceOf(NODE, 'alice')).rejects.toBeInstanceOf(AwsCallError);
      const retried = await cached.presenceOf(NODE, 'alice');
      await uncached.presenceOf(NODE, 'alice');
      await uncached.presenceOf(NODE, 'alice');

      // Assess
      expect(retried.status).toBe('present');
      expect(ssm.commandCalls(ListInventoryEntriesCommand)).toHaveLength(4);
    });
  });
});

describe('createNoNodeUsers', () => {
  it('never knows whether a user exists', async () => {
    // Act
    const presence = await createNoNodeUsers().presenceOf(NODE, 'alice');

    // Assess
    expect(presence).toEqual({ status: 'unknown', reason: 'USER_DIRECTORY is none' });
  });
});
