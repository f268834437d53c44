import { describe, expect, it } from 'vitest';
import { createSessionIdentity, type Located } from '../../../src/app/sessionIdentity.ts';
import { createTtlCache } from '../../../src/aws/cache.ts';
import type { Principal } from '../../../src/domain/facts.ts';
import type { StartSessionCommand } from '../../../src/events/startSession.ts';
import { command } from '../findings/builders.ts';
import {
  ACCOUNT,
  fakeIdentityStore,
  fakeSessionAccess,
  fakeStsRecords,
  ISSUED,
  ROLE_ARN,
  record,
  SESSION_ARN,
} from './stateFakes.ts';

const dana: Principal = {
  kind: 'role',
  arn: ROLE_ARN,
  accountId: ACCOUNT,
  name: 'AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b',
  path: '/aws-reserved/sso.amazonaws.com/eu-west-1/',
  callerArn: SESSION_ARN,
  accessKeyId: 'ASIASAML000000000000',
  sessionName: 'dana',
  sessionCreatedAt: ISSUED,
};

const SAML = record('saml', { accessKeyId: 'ASIASAML000000000000' });

const session = (overrides: Partial<StartSessionCommand> = {}, principal: Partial<Principal> = {}) =>
  command({ principal: { ...dana, ...principal }, sessionId: 'dana-0a1b2c3d4e5f6a7b8', ...overrides });

interface Setup {
  readonly table?: Parameters<typeof fakeIdentityStore>[0];
  readonly noTable?: boolean;
  readonly cloudTrail?: Parameters<typeof fakeStsRecords>[0];
  readonly denied?: readonly string[];
  readonly justInTime?: readonly string[];
  readonly identityCenterRegion?: string;
  readonly cached?: boolean;
}

const setup = (s: Setup = {}) => {
  const table = fakeIdentityStore(s.table ?? []);
  const trail = fakeStsRecords(s.cloudTrail ?? {}, s.denied ?? []);
  const access = fakeSessionAccess(s.justInTime ?? []);
  const identity = createSessionIdentity(
    {
      ...(s.noTable === true ? {} : { identities: table.store }),
      stsRecordsIn: trail.inRegion,
      sessionAccess: access.access,
      ...(s.cached === true ? { cache: createTtlCache<Located>({ ttlMs: 60_000 }) } : {}),
    },
    { identityCenterRegion: s.identityCenterRegion },
  );
  return { identity, table, trail, access };
};

describe('session tags as AWS sees them', () => {
  it('answers for IAM users and root without a look-up', async () => {
    // Prepare
    const { identity, table, trail } = setup();

    // Act
    const fact = await identity.sessionTagsOf(session({}, { kind: 'user' }));

    // Assess
    expect(fact).toEqual({ status: 'not-a-role-session' });
    expect([...table.calls, ...trail.calls]).toEqual([]);
  });

  it('finds the record of the issued key in the table: one read, no LookupEvents', async () => {
    // Prepare
    const { identity, table, trail } = setup({ table: [SAML] });

    // Act
    const fact = await identity.sessionTagsOf(session());

    // Assess
    expect(fact).toEqual({
      status: 'known',
      tags: { SSMSessionRunAs: 'dana' },
      source: {
        eventName: 'AssumeRoleWithSAML',
        eventId: 'saml',
        recordedIn: 'eu-west-1',
        match: 'access-key',
      },
    });
    expect(table.calls).toEqual(['byAccessKey ASIASAML000000000000']);
    expect(trail.calls).toEqual([]);
  });

  it('finds a console session by role session and creationDate: its key is never the one issued', async () => {
    // Prepare
    const { identity, table } = setup({ table: [SAML] });

    // Act
    const fact = await identity.sessionTagsOf(
      session({ console: true }, { accessKeyId: 'ASIACONSOLEKEY000001' }),
    );

    // Assess
    expect(fact).toMatchObject({ status: 'known', source: { match: 'issue-time' } });
    expect(table.calls).toEqual([`byRoleSession ${SESSION_ARN}`]);
  });

  it('recognises just-in-time node access from DescribeSessions and looks no further', async () => {
    // Prepare
    const { identity, trail, table } = setup({ justInTime: ['dana-0a1b2c3d4e5f6a7b8'] });

    // Act
    const fact = await identity.sessionTagsOf(session());

    // Assess
    expect(fact).toMatchObject({ status: 'unknown', justInTime: true });
    expect(trail.calls).toEqual([]);
    expect(table.calls.filter((c) => c.startsWith('addPending'))).toEqual([]);
  });

  it('looks up the issued key in the session’s Region, us-east-1, the role path’s Region and the configured one', async () => {
    // Prepare: recorded in the configured Region only.
    const { identity, trail, table } = setup({
      cloudTrail: { 'ap-southeast-2': [SAML] },
      identityCenterRegion: 'ap-southeast-2',
    });

    // Act
    const fact = await identity.sessionTagsOf(session({ region: 'eu-central-1' }));

    // Assess
    expect(fact).toMatchObject({ status: 'known', source: { match: 'access-key' } });
    expect(trail.calls).toEqual([
      'eu-central-1 byAccessKey ASIASAML000000000000',
      'us-east-1 byAccessKey ASIASAML000000000000',
      'eu-west-1 byAccessKey ASIASAML000000000000',
      'ap-southeast-2 byAccessKey ASIASAML000000000000',
    ]);
    // Kept for the next session signed with these credentials.
    expect(table.calls).toContain('put saml');
  });

  it('then searches the role’s records issued at the console session’s creationDate', async () => {
    // Prepare
    const { identity, trail } = setup({ cloudTrail: { 'eu-west-1': [SAML] } });

    // Act
    const fact = await identity.sessionTagsOf(
      session({ console: true }, { accessKeyId: 'ASIACONSOLEKEY000001' }),
    );

    // Assess
    expect(fact).toMatchObject({ status: 'known', tags: { SSMSessionRunAs: 'dana' } });
    expect(trail.calls).toEqual([
      `us-east-1 issuedAt ${ROLE_ARN} ${ISSUED}`,
      `eu-west-1 issuedAt ${ROLE_ARN} ${ISSUED}`,
    ]);
  });

  it('proves a session has no session tags with an untagged record', async () => {
    // Prepare
    const { identity } = setup({ cloudTrail: { 'us-east-1': [{ ...SAML, tags: {} }] } });

    // Act
    const fact = await identity.sessionTagsOf(session());

    // Assess
    expect(fact).toMatchObject({ status: 'known', tags: {} });
  });

  it('says the tags are pending when nothing holds the record, naming the Regions and what was denied', async () => {
    // Prepare
    const { identity } = setup({ denied: ['us-east-1'] });

    // Act
    const fact = await identity.sessionTagsOf(session());

    // Assess
    expect(fact).toEqual({
      status: 'unknown',
      pending: true,
      reason: 'no STS record of these credentials in CloudTrail of us-east-1, eu-west-1 (us-east-1: denied)',
    });
  });

  it('cannot wait for a record without a state table', async () => {
    // Prepare
    const { identity } = setup({ noTable: true });

    // Act
    const fact = await identity.sessionTagsOf(session());
    const filed = await identity.fileUntilRecord(session(), true);

    // Assess
    expect(fact).toMatchObject({ status: 'unknown' });
    expect(fact).not.toHaveProperty('pending');
    expect(filed).toBeUndefined();
  });

  it('answers at once for credentials CloudTrail recorded no key nor creation date of', async () => {
    // Prepare
    const { identity, trail } = setup();
    const { sessionCreatedAt: _, ...undated } = dana;

    // Act
    const fact = await identity.sessionTagsOf(command({ principal: { ...undated, accessKeyId: '' } }));

    // Assess
    expect(fact).toMatchObject({ status: 'unknown' });
    expect(trail.calls).toEqual([]);
  });

  it('shares one search among sessions of the same credentials, but never keeps a miss', async () => {
    // Prepare
    const { identity, table, trail } = setup({ table: [SAML], cached: true });

    // Act
    await Promise.all([identity.sessionTagsOf(session()), identity.sessionTagsOf(session())]);
    await identity.sessionTagsOf(session());
    const other = { accessKeyId: 'ASIAOTHER00000000000', callerArn: `${SESSION_ARN}-eve` };
    await identity.sessionTagsOf(session({}, other));
    await identity.sessionTagsOf(session({}, other));

    // Assess
    expect(table.calls.filter((c) => c.startsWith('byAccessKey ASIASAML'))).toHaveLength(1);
    expect(trail.calls.filter((c) => c.includes('ASIAOTHER')).length).toBe(4);
  });
});

describe('a session filed until its record arrives', () => {
  it('waits by role session and creation date, remembering whether a finding was written', async () => {
    // Prepare
    const { identity, table } = setup();

    // Act
    const arrived = await identity.fileUntilRecord(session(), true);

    // Assess
    expect(arrived).toBeUndefined();
    expect([...table.pending.values()].map(({ session: s }) => s)).toEqual([
      expect.objectContaining({
        eventId: session().eventId,
        region: 'us-east-1',
        sessionId: 'dana-0a1b2c3d4e5f6a7b8',
        waitsFor: { by: 'role-session', sessionArn: SESSION_ARN, creationDate: ISSUED },
        reported: true,
      }),
    ]);
  });

  it('waits by access key when CloudTrail recorded no creation date', async () => {
    // Prepare
    const { identity, table } = setup();
    const { sessionCreatedAt: _, ...undated } = dana;

    // Act
    await identity.fileUntilRecord(command({ principal: undated }), false);

    // Assess
    expect([...table.pending.values()][0]?.session.waitsFor).toEqual({
      by: 'access-key',
      accessKeyId: 'ASIASAML000000000000',
    });
  });

  it('takes the session back and uses the record when it arrived while the session was filed', async () => {
    // Prepare
    const { identity, table } = setup();
    table.onAdd(() => table.records.push(SAML));

    // Act
    const arrived = await identity.fileUntilRecord(session(), false);

    // Assess
    expect(arrived).toMatchObject({ status: 'known', tags: { SSMSessionRunAs: 'dana' } });
    expect(table.calls).toContain(`withdrawPending ${session().eventId}`);
    expect(table.pending.size).toBe(0);
  });
});
