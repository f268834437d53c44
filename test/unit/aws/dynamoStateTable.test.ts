/**
 * The state table adapter against a real DynamoDB (dynalite), its table created from the spec
 * template.yaml declares, through the real SDK clients.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PendingSession } from '../../../src/app/statePorts.ts';
import {
  createDynamoStateTable,
  type IdentityStatePorts,
  StateItemError,
} from '../../../src/aws/dynamoStateTable.ts';
import {
  effectiveRunAs,
  type IdentityRecord,
  pickIdentityRecord,
  type SessionCredentials,
} from '../../../src/domain/identity.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { parseStsRecord } from '../../../src/events/stsRecord.ts';
import { ACCOUNT, ISSUED, record, SESSION_ARN } from '../app/stateFakes.ts';
import { type LocalTables, startLocalTables } from './localTables.ts';

const START = Date.parse('2026-03-01T10:30:00Z');

const at = (offsetSeconds: number, from = ISSUED): string =>
  new Date(Date.parse(from) + offsetSeconds * 1000).toISOString();

/** The shared record, issued `issuedOffset` seconds after ISSUED for an hour, with a blank tag kept. */
const identity = (
  eventId: string,
  issuedOffset = 0,
  overrides: Partial<IdentityRecord> = {},
): IdentityRecord =>
  record(eventId, {
    issuedAt: at(issuedOffset),
    expiresAt: at(issuedOffset + 3600),
    tags: { SSMSessionRunAs: 'dana', Team: '' },
    ...overrides,
  });

const pending = (eventId: string, waitsFor: PendingSession['waitsFor']): PendingSession => ({
  accountId: ACCOUNT,
  region: 'us-east-1',
  eventId,
  eventTime: at(120),
  sessionId: `dana-${eventId}`,
  waitsFor,
  event: {
    'detail-type': 'AWS API Call via CloudTrail',
    detail: { eventID: eventId, nested: [1, { a: null }] },
  },
});

const byRoleSession = (creationDate = ISSUED): PendingSession['waitsFor'] => ({
  by: 'role-session',
  sessionArn: SESSION_ARN,
  creationDate,
});

/** Tables created up front, one per test (dynalite creates them in milliseconds). */
const TABLES = 48;

let local: LocalTables;
let doc: DynamoDBDocumentClient;
let clock = START;
let table = 0;
let state: IdentityStatePorts;
let tableName: string;

let counts: Record<string, number>;

beforeAll(async () => {
  // One table per test: each starts empty, all in one local DynamoDB.
  local = await startLocalTables(TABLES);
  ({ doc, counts } = local);
});

afterAll(async () => {
  await local.close();
});

beforeEach(() => {
  clock = START;
  if (table === TABLES) throw new Error(`more than ${TABLES} tests: raise TABLES`);
  tableName = local.nameOf(table++);
  state = createDynamoStateTable(doc, { tableName, now: () => clock });
  for (const key of Object.keys(counts)) delete counts[key];
});

describe('identity records', () => {
  it('come back by issued key exactly as kept, blank values and a __proto__ key included, in one read', async () => {
    // Prepare
    const record = identity('signin', 0, {
      tags: JSON.parse('{"__proto__":"x","SSMSessionRunAs":""}'),
      sourceIdentity: 'dana',
      transitiveTagKeys: ['SSMSessionRunAs'],
    });
    await state.identities.put(record);
    await state.identities.put(record);
    for (const key of Object.keys(counts)) delete counts[key];

    // Act
    const found = await state.identities.byAccessKey(record.accessKeyId);
    const missing = await state.identities.byAccessKey('ASIANOTISSUED0000001');

    // Assess
    expect(found).toEqual(record);
    expect(Object.keys(found?.tags ?? {})).toEqual(['__proto__', 'SSMSessionRunAs']);
    expect(missing).toBeUndefined();
    expect(counts).toEqual({ 'dynamodb:GetItem': 2 });
  });

  it('come back by role session within the credential lifetime before creationDate and one second after', async () => {
    // Prepare
    const records = [
      identity('too-old', -36 * 3600 - 1),
      identity('oldest-kept', -36 * 3600, { eventName: 'GetFederationToken', expiresAt: at(60) }),
      identity('earlier', -1200),
      identity('same-second-a', 0),
      identity('same-second-b', 0),
      identity('one-second-late', 1),
      identity('ping', 2),
      identity('other-session', 0, { sessionArn: `${SESSION_ARN}x` }),
    ];
    for (const record of records) await state.identities.put(record);

    // Act
    const candidates = await state.identities.byRoleSession(SESSION_ARN, '2026-03-01T10:00:00Z');
    const match = pickIdentityRecord(
      { sessionArn: SESSION_ARN, accessKeyId: 'ASIACONSOLEPERREQ001', creationDate: ISSUED, console: true },
      candidates,
    );

    // Assess
    expect(candidates.map((r) => r.eventId)).toEqual([
      'oldest-kept',
      'earlier',
      'same-second-a',
      'same-second-b',
      'one-second-late',
    ]);
    expect(match).toEqual({ kind: 'issue-time', record: records[3] });
  });

  it('are gone once the clock passes their expiry plus 14 days, whether or not DynamoDB deleted them', async () => {
    // Prepare
    const record = identity('signin');
    await state.identities.put(record);

    // Act
    clock = Date.parse(record.expiresAt) + 14 * 24 * 3600 * 1000 - 1000;
    const lastSecond = await state.identities.byAccessKey(record.accessKeyId);
    clock += 1000;
    const afterwards = await state.identities.byAccessKey(record.accessKeyId);
    const bySession = await state.identities.byRoleSession(SESSION_ARN, ISSUED);

    // Assess
    expect(lastSecond).toEqual(record);
    expect(afterwards).toBeUndefined();
    expect(bySession).toEqual([]);
  });

  it('refuses an item this code did not write', async () => {
    // Prepare
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'key#ASIABROKEN', sk: 'identity', record: '{"eventName":1}' },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'key#ASIANOTJSON', sk: 'identity', record: 'not json' },
      }),
    );

    // Act
    const errors = await Promise.all(
      ['ASIABROKEN', 'ASIANOTJSON'].map((key) => state.identities.byAccessKey(key).catch((e: unknown) => e)),
    );

    // Assess
    expect(errors[0]).toBeInstanceOf(StateItemError);
    expect((errors[0] as Error).message).toBe('state item key#ASIABROKEN is not an identity record');
    expect((errors[1] as Error).message).toBe('state item key#ASIANOTJSON holds no readable record');
  });
});

describe('the STS fixtures through the table', () => {
  const EVENTS = new URL('../../../events/', import.meta.url);
  type Json = Record<string, unknown>;
  const detailOf = (name: string): Json =>
    (JSON.parse(readFileSync(new URL(name, EVENTS), 'utf8')) as { detail: Json }).detail;
  /** The credentials a fixture's own call was signed with, as a later StartSession would show them. */
  const callerOf = (name: string, console = false): SessionCredentials => {
    const identity = detailOf(name).userIdentity as Json;
    const { creationDate } = (identity.sessionContext as { attributes: { creationDate: string } }).attributes;
    return {
      sessionArn: String(identity.arn),
      accessKeyId: console ? 'ASIACONSOLEPERREQ001' : String(identity.accessKeyId),
      creationDate: new Date(creationDate).toISOString(),
      console,
    };
  };
  const find = async (session: SessionCredentials) =>
    pickIdentityRecord(session, [
      ...[await state.identities.byAccessKey(session.accessKeyId)].filter((r) => r !== undefined),
      ...(await state.identities.byRoleSession(session.sessionArn, session.creationDate ?? '')),
    ]);

  it.each([
    [
      'sts-assumerole-incoming-transitive-tags.json',
      false,
      'access-key',
      'sts-assumerole-sessiontags-transitive.json',
    ],
    [
      'sts-assumerole-incoming-transitive-tags.json',
      true,
      'issue-time',
      'sts-assumerole-sessiontags-transitive.json',
    ],
    [
      'sts-assumerole-chained-sessiontags.json',
      false,
      'access-key',
      'sts-assumerole-incoming-transitive-tags.json',
    ],
    [
      'sts-assumerole-chained-sessiontags.json',
      true,
      'issue-time',
      'sts-assumerole-incoming-transitive-tags.json',
    ],
  ])(
    'the caller of %s (console %s) is found by %s: the record of %s',
    async (caller, console, kind, issuer) => {
      // Prepare
      const files = readdirSync(EVENTS).filter((name) => name.startsWith('sts-'));
      const intakes = files.map((name) => parseStsRecord(detailOf(name)));
      for (const intake of intakes) if (intake.inScope) await state.identities.put(intake.command);

      // Act
      const match = await find(callerOf(caller, console));

      // Assess
      expect(intakes.filter((intake) => intake.inScope)).toHaveLength(6);
      expect(match.kind).toBe(kind);
      expect(match.kind === 'none' ? undefined : match.record.eventId).toBe(detailOf(issuer).eventID);
      expect(match.kind === 'none' ? undefined : effectiveRunAs(match.record.tags, {})).toEqual({
        source: 'session-tag',
        key: 'SSMSessionRunAs',
        value: 'erin',
      });
    },
  );
});

describe('pending sessions', () => {
  it('are filed once and claimed by one caller, by the record of their role session, with the event unchanged', async () => {
    // Prepare
    const session = pending('evt-1', byRoleSession(ISSUED));
    const added = [await state.identities.addPending(session), await state.identities.addPending(session)];
    const record = identity('signin', 1);

    // Act
    const [first, second] = await Promise.all([
      state.identities.claimPending(record),
      state.identities.claimPending(record),
    ]);
    const again = await state.identities.claimPending(record);

    // Assess
    expect(added).toEqual(['added', 'already-pending']);
    expect([...first, ...second]).toEqual([session]);
    expect(again).toEqual([]);
  });

  it('stay claimed for 45 seconds, then a retry can claim them again, until they are settled', async () => {
    // Prepare
    const session = pending('evt-lease', byRoleSession(ISSUED));
    const record = identity('signin');
    await state.identities.addPending(session);

    // Act
    const claimed = await state.identities.claimPending(record);
    clock += 44_000;
    const whileLeased = [
      await state.identities.claimPending(record),
      await state.identities.withdrawPending(session),
    ];
    clock += 1_000;
    const retried = await state.identities.claimPending(record);
    await state.identities.settlePending(session);
    clock += 60_000;
    const afterSettling = [
      await state.identities.claimPending(record),
      await state.identities.withdrawPending(session),
    ];

    // Assess
    expect(claimed).toEqual([session]);
    expect(whileLeased).toEqual([[], 'taken']);
    expect(retried).toEqual([session]);
    expect(afterSettling).toEqual([[], 'taken']);
  });

  it('are withdrawn by the audit that filed them when no claim holds them', async () => {
    // Prepare
    const session = pending('evt-withdraw', byRoleSession(ISSUED));
    await state.identities.addPending(session);

    // Act
    const withdrawn = await state.identities.withdrawPending(session);
    const claimed = await state.identities.claimPending(identity('signin'));

    // Assess
    expect(withdrawn).toBe('withdrawn');
    expect(claimed).toEqual([]);
  });

  it('are taken by a record issued up to a second before their creationDate and before its expiry only', async () => {
    // Prepare
    const sessions = {
      before: pending('before', byRoleSession(at(-2))),
      slack: pending('slack', byRoleSession(at(-1))),
      console: pending('console', byRoleSession(at(1800))),
      atExpiry: pending('at-expiry', byRoleSession(at(3600))),
      otherRole: pending('other', {
        by: 'role-session',
        sessionArn: `${SESSION_ARN}x`,
        creationDate: ISSUED,
      }),
    };
    for (const session of Object.values(sessions)) await state.identities.addPending(session);

    // Act
    const taken = await state.identities.claimPending(identity('signin', 0));

    // Assess
    expect(taken.map((s) => s.eventId).sort()).toEqual(['console', 'slack']);
  });

  it('without a creationDate wait for the record of their access key', async () => {
    // Prepare
    const record = identity('cli');
    const session = pending('evt-key', { by: 'access-key', accessKeyId: record.accessKeyId });
    await state.identities.addPending(session);
    await state.identities.addPending(
      pending('evt-other-key', { by: 'access-key', accessKeyId: 'ASIAOTHER00000000001' }),
    );

    // Act
    const taken = await state.identities.claimPending(record);

    // Assess
    expect(taken).toEqual([session]);
  });

  // The audit files the session, then looks the record up again; the identity function puts the
  // record, then takes what waits for it. Whatever the interleaving, one of them re-audits.
  it.each<[string, readonly ('file' | 'recheck' | 'arrive')[], 'audit' | 'identity']>([
    ['the record arrives before the session is filed', ['arrive', 'file', 'recheck'], 'audit'],
    ['the record arrives between filing and the recheck', ['file', 'arrive', 'recheck'], 'identity'],
    ['the record arrives after the recheck', ['file', 'recheck', 'arrive'], 'identity'],
  ])('hand over exactly once when %s', async (_case, steps, reaudits) => {
    // Prepare
    const record = identity('signin');
    const session = pending('evt-race', byRoleSession(ISSUED));
    const outcome: { taken: PendingSession[]; audit: 'withdrawn' | 'taken' | 'waiting' } = {
      taken: [],
      audit: 'waiting',
    };
    const run = {
      file: async () => void (await state.identities.addPending(session)),
      recheck: async () => {
        const found = await state.identities.byRoleSession(SESSION_ARN, ISSUED);
        if (found.length > 0) outcome.audit = await state.identities.withdrawPending(session);
      },
      arrive: async () => {
        await state.identities.put(record);
        outcome.taken = await state.identities.claimPending(record);
      },
    };

    // Act
    for (const step of steps) await run[step]();

    // Assess
    expect({ audit: outcome.audit === 'withdrawn', identity: outcome.taken.length === 1 }).toEqual({
      audit: reaudits === 'audit',
      identity: reaudits === 'identity',
    });
  });

  it('expire a day after they were filed', async () => {
    // Prepare
    await state.identities.addPending(pending('evt-old', byRoleSession(ISSUED)));

    // Act
    clock += 24 * 3600 * 1000;
    const taken = await state.identities.claimPending(identity('signin'));

    // Assess
    expect(taken).toEqual([]);
  });
});

describe('tag history', () => {
  const role = { accountId: ACCOUNT, kind: 'role', name: 'Operators' } as const;
  const change = (eventTime: string, value: string | null, eventId = `evt-${eventTime}`) => ({
    principal: role,
    eventTime,
    eventId,
    value,
  });

  it('answers with the first change at or after a time and the newest before it, or nothing without a later change', async () => {
    // Prepare
    await state.tagHistory.record(change('2026-03-01T09:00:00Z', 'root'));
    await state.tagHistory.record(change('2026-03-01T11:00:00Z', 'operator'));
    await state.tagHistory.record(change('2026-03-01T12:00:00Z', null));

    // Act
    const lower = { ...role, name: 'OPERATORS' };
    const [first, between, sameSecond, last] = await Promise.all([
      state.tagHistory.valueAt(role, '2026-03-01T08:00:00Z'),
      state.tagHistory.valueAt(lower, '2026-03-01T10:00:00Z'),
      state.tagHistory.valueAt(role, '2026-03-01T11:00:00Z'),
      state.tagHistory.valueAt(role, '2026-03-01T13:00:00Z'),
    ]);

    // Assess
    expect(first).toEqual({ changedAt: '2026-03-01T09:00:00.000Z' });
    expect(between).toEqual({
      before: { value: 'root', eventTime: '2026-03-01T09:00:00.000Z', ambiguous: false },
      changedAt: '2026-03-01T11:00:00.000Z',
    });
    expect(sameSecond.before?.value).toBe('root');
    expect(last).toEqual({});
  });

  it('keeps one entry per event time: a redelivery or the same value is a duplicate, another value ambiguous', async () => {
    // Prepare
    const time = '2026-03-01T09:00:00Z';

    // Act
    const results = [
      await state.tagHistory.record(change(time, 'root', 'evt-a')),
      await state.tagHistory.record(change(time, 'root', 'evt-a')),
      await state.tagHistory.record(change(time, 'root', 'evt-b')),
      await state.tagHistory.record(change(time, 'operator', 'evt-c')),
      await state.tagHistory.record(change(time, 'root', 'evt-a')),
    ];
    await state.tagHistory.record(change('2026-03-01T11:00:00Z', 'operator'));
    const value = await state.tagHistory.valueAt(role, '2026-03-01T10:00:00Z');

    // Assess
    expect(results).toEqual(['recorded', 'duplicate', 'duplicate', 'ambiguous', 'ambiguous']);
    expect(value.before).toEqual({ value: 'root', eventTime: '2026-03-01T09:00:00.000Z', ambiguous: true });
  });

  it('forgets changes 90 days after them', async () => {
    // Prepare
    await state.tagHistory.record(change('2026-03-01T09:00:00Z', 'root'));
    await state.tagHistory.record(change('2026-05-30T08:00:00Z', 'operator'));

    // Act
    clock = Date.parse('2026-05-30T09:00:01Z');
    const value = await state.tagHistory.valueAt(role, '2026-03-01T10:00:00Z');

    // Assess
    expect(value).toEqual({ changedAt: '2026-05-30T08:00:00.000Z' });
  });
});

describe('failures', () => {
  it('are AwsCallErrors naming the operation when DynamoDB cannot be reached', async () => {
    // Prepare
    const unreachable = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
        maxAttempts: 1,
      }),
    );
    const broken = createDynamoStateTable(unreachable, { tableName: 'StateTable' });

    // Act
    const errors = await Promise.all([
      broken.identities.byAccessKey('ASIAKEY0000000000001').catch((e: unknown) => e),
      broken.identities.byRoleSession(SESSION_ARN, ISSUED).catch((e: unknown) => e),
      broken.identities.addPending(pending('e', byRoleSession())).catch((e: unknown) => e),
    ]);

    // Assess
    expect(errors.map((e) => (e as AwsCallError).operation)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
    ]);
    expect(errors.every((e) => e instanceof AwsCallError && e.retryable)).toBe(true);
    unreachable.destroy();
  });

  it('is an AwsCallError for a table that does not exist (a deployment fault, kept by retries)', async () => {
    // Prepare
    const missing = createDynamoStateTable(doc, { tableName: 'NoSuchTable' });

    // Act
    const error = await missing.identities.put(identity('evt-missing')).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toMatch(/^dynamodb:PutItem failed: ResourceNotFoundException/);
  });
});

describe('throttling', () => {
  it('is an AwsCallError once the SDK has retried, with the attempts named', async () => {
    // Prepare
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(client);
    mock.on(GetCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
    );
    const throttled = createDynamoStateTable(client, { tableName: 'StateTable' });

    // Act
    const error = await throttled.identities.byAccessKey('ASIAKEY0000000000001').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toBe(
      'dynamodb:GetItem failed: ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded (after 3 attempts)',
    );
    mock.restore();
  });
});
