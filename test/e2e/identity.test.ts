/**
 * Identity as AWS sees it, end to end: STS records through the identity function into the local
 * DynamoDB state table, sessions audited from it, through the real handlers and the real SDK.
 */
import path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import type { ReplayResult } from '../../src/local/tools/replay.ts';
import { tableSpecsOf } from '../../src/local/tools/tableSpec.ts';
import { loadTemplate } from '../../src/local/tools/template.ts';
import type { StoredFinding, World } from '../../src/local/world/world.ts';
import { demoWorld, onlyRun, REPORT_ALL, ROOT, readEvents, replayAll, withDetail } from './replayHelpers.ts';

const ACCOUNT = '111122223333';
const SAML_EU = 'sts-assumerolewithsaml-identity-center-eu-west-1.json';
const CONSOLE_SESSION = 'startsession-compliant-sso-console-session-tag.json';
const ERIN_DEVELOPERS = 'sts-assumerole-sessiontags-transitive.json';
const RELEASERS = 'sts-assumerole-incoming-transitive-tags.json';
const DEPLOYERS = 'sts-assumerole-chained-sessiontags.json';
const SESSION_TEMPLATE = 'startsession-compliant-session-tag.json';
const OPERATORS_SESSION = 'startsession-compliant-role-path-tag.json';
const TAG_ROOT = 'iam-tagrole-runas-root.json';
const TAG_FIXED = 'iam-tagrole-runas-fixed.json';
/** A node whose users are unknown: sessions there are compliant, unverified, whoever they map to. */
const UNKNOWN_USERS_NODE = 'i-0a1b2c3d4e5f60002';

let local: LocalAws | undefined;

afterEach(async () => {
  await local?.close();
  local = undefined;
});

/** A local endpoint with the template's tables, kept across replays (the table is the point). */
const endpointFor = async (world: World): Promise<LocalAws> => {
  const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  local = await startLocalAws(world, { dynamo: { tables: tableSpecsOf(template) } });
  return local;
};

const eventOf = async (name: string): Promise<Record<string, unknown>> => {
  const [first] = await readEvents([name]);
  if (first === undefined) throw new Error(`no event ${name}`);
  return first.event as Record<string, unknown>;
};

interface SessionOf {
  readonly sessionArn: string;
  readonly roleArn: string;
  readonly accessKeyId: string;
  readonly creationDate: string;
  readonly eventTime: string;
  readonly sessionId: string;
  readonly console?: boolean;
}

/** A StartSession signed with the credentials of a role session, on the node with unknown users. */
const sessionOf = async (s: SessionOf): Promise<unknown> =>
  withDetail(await eventOf(SESSION_TEMPLATE), (detail, envelope) => {
    const [, , , , , resource = ''] = s.roleArn.split(':');
    envelope.time = s.eventTime;
    detail.eventTime = s.eventTime;
    detail.eventID = `e2e-${s.sessionId}`;
    detail.userIdentity = {
      type: 'AssumedRole',
      principalId: `AROAE2EEXAMPLE:${s.sessionArn.split('/').at(-1)}`,
      arn: s.sessionArn,
      accountId: ACCOUNT,
      accessKeyId: s.accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: s.roleArn,
          accountId: ACCOUNT,
          userName: resource.split('/').at(-1),
        },
        attributes: { creationDate: s.creationDate, mfaAuthenticated: 'false' },
      },
    };
    detail.requestParameters = { target: UNKNOWN_USERS_NODE };
    detail.responseElements = { sessionId: s.sessionId, tokenValue: 'Value hidden due to security reasons.' };
    if (s.console === true) {
      detail.sessionCredentialFromConsole = 'true';
      detail.userAgent = 'aws-internal/3 aws-sdk-java/1.12.780';
    }
  });

const sessionFinding = (result: ReplayResult, sessionId: string): StoredFinding | undefined =>
  result.findings.find((f) => f.Id === `${ACCOUNT}/us-east-1/ssm-runas/session/${sessionId}`);

/** The demo world without its CloudTrail records: session tags can then only come from the table. */
const worldWithoutCloudTrail = async (): Promise<World> => {
  const world = await demoWorld();
  return {
    ...world,
    regions: Object.fromEntries(
      Object.entries(world.regions).map(([name, region]) => [name, { ...region, cloudTrail: [] }]),
    ),
  };
};

describe('session tags from the STS record, wherever STS recorded it', () => {
  it('an IAM Identity Center sign-in recorded in eu-west-1, then a console session in us-east-1', async () => {
    // Prepare: CloudTrail holds nothing; the record reaches the identity function (forwarded).
    const world = await worldWithoutCloudTrail();
    const events = await readEvents([SAML_EU, CONSOLE_SESSION]);

    // Act
    const result = await replayAll(events, { world, local: await endpointFor(world) });

    // Assess
    expect(onlyRun(result, SAML_EU).result).toMatchObject({
      check: 'identity',
      recordedIn: 'eu-west-1',
      runAsSessionTag: 'henry',
      reaudited: [],
    });
    expect(onlyRun(result, CONSOLE_SESSION).result).toMatchObject({
      outcome: 'COMPLIANT',
      expectedUser: 'henry',
      expectedUserSource: 'session-tag',
      sessionTags: 'applied',
      sessionTagsPending: false,
    });
    expect(result.calls['cloudtrail:LookupEvents'] ?? 0).toBe(0);
    expect(sessionFinding(result, 'henry@example.com-0f1e2d3c4b5a69788')?.ProductFields).toMatchObject({
      'RunAs/SessionTags': 'applied',
      'RunAs/StsRegion': 'eu-west-1',
      'RunAs/StsEventId': 'c3f7a9e1-5b2d-4c8e-a6f0-9d1b3e5c7a24',
    });
  });

  it('a role chain: the transitive tag of the first session decides the third', async () => {
    // Prepare
    const world = await worldWithoutCloudTrail();
    const session = await sessionOf({
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployers/erin-deploy`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/Deployers`,
      accessKeyId: 'ASIAP4WKD2MX7TQZ5LNE',
      creationDate: '2026-03-01T11:49:05Z',
      eventTime: '2026-03-01T11:55:00Z',
      sessionId: 'erin-deploy-0c1d2e3f4a5b6c7d8',
    });
    const events = [...(await readEvents([RELEASERS, DEPLOYERS])), { name: 'deploy.json', event: session }];

    // Act
    const result = await replayAll(events, { world, local: await endpointFor(world) });

    // Assess
    expect(onlyRun(result, 'deploy.json').result).toMatchObject({
      expectedUser: 'erin',
      expectedUserSource: 'session-tag',
      sessionTags: 'applied',
    });
    expect(result.calls['cloudtrail:LookupEvents'] ?? 0).toBe(0);
  });

  it('a console-style session, whose key is not the one issued, is found by role session and creationDate', async () => {
    // Prepare
    const world = await worldWithoutCloudTrail();
    const console = await sessionOf({
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/erin`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/Developers`,
      accessKeyId: 'ASIACONSOLEKEY000001',
      creationDate: '2026-03-01T11:45:10Z',
      eventTime: '2026-03-01T11:58:00Z',
      sessionId: 'erin-console-0d1e2f3a4b5c6d7e8',
      console: true,
    });
    const events = [...(await readEvents([ERIN_DEVELOPERS])), { name: 'console.json', event: console }];

    // Act
    const result = await replayAll(events, { world, local: await endpointFor(world) });

    // Assess
    expect(onlyRun(result, 'console.json').result).toMatchObject({
      expectedUser: 'erin',
      expectedUserSource: 'session-tag',
    });
    expect(sessionFinding(result, 'erin-console-0d1e2f3a4b5c6d7e8')?.Description).toContain(
      'found by the role session and its creation time',
    );
  });

  it('a blank Run As session tag over a tagged role: the role’s tag is overridden, the default applies', async () => {
    // Prepare: Operators is tagged opsadmin; the session passes SSMSessionRunAs="".
    const world = await worldWithoutCloudTrail();
    const blank = withDetail(await eventOf(ERIN_DEVELOPERS), (detail, envelope) => {
      envelope.time = '2026-03-01T11:46:00Z';
      detail.eventTime = '2026-03-01T11:46:00Z';
      detail.eventID = 'e2e-blank-tag';
      const request = detail.requestParameters as Record<string, unknown>;
      request.roleArn = `arn:aws:iam::${ACCOUNT}:role/ops/Operators`;
      request.roleSessionName = 'blank';
      request.tags = [{ key: 'SSMSessionRunAs', value: '' }];
      const response = detail.responseElements as Record<string, Record<string, unknown>>;
      response.credentials = { accessKeyId: 'ASIABLANKTAG00000001', expiration: 'Mar 1, 2026, 12:46:00 PM' };
      response.assumedRoleUser = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/blank` };
    });
    const session = await sessionOf({
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/blank`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
      accessKeyId: 'ASIABLANKTAG00000001',
      creationDate: '2026-03-01T11:46:00Z',
      eventTime: '2026-03-01T11:50:00Z',
      sessionId: 'blank-0e1f2a3b4c5d6e7f8',
    });

    // Act
    const result = await replayAll(
      [
        { name: 'blank-sts.json', event: blank },
        { name: 'blank.json', event: session },
      ],
      { world, local: await endpointFor(world) },
    );

    // Assess
    expect(onlyRun(result, 'blank.json').result).toMatchObject({
      expectedUser: 'ec2-user',
      expectedUserSource: 'preferences',
      sessionTags: 'applied',
    });
    expect(sessionFinding(result, 'blank-0e1f2a3b4c5d6e7f8')?.Description).toContain(
      'session tag with a blank value: it overrides the principal',
    );
  });
});

describe('a session audited before its STS record arrived', () => {
  const erinSession = () =>
    sessionOf({
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/erin`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/Developers`,
      accessKeyId: 'ASIAN7C2QW5XJ4MKD3RB',
      creationDate: '2026-03-01T11:45:10Z',
      eventTime: '2026-03-01T11:50:00Z',
      sessionId: 'erin-0f1a2b3c4d5e6f7a8',
    });

  it('is written as pending (tags not known yet), then audited again with a later UpdatedAt, CreatedAt kept', async () => {
    // Prepare: the record is nowhere in CloudTrail yet; it arrives after the session.
    const world = await worldWithoutCloudTrail();
    const endpoint = await endpointFor(world);
    const session = { name: 'erin.json', event: await erinSession() };
    const options = { world, local: endpoint, envVars: REPORT_ALL };

    // Act
    const before = await replayAll([session], options);
    const after = await replayAll(await readEvents([ERIN_DEVELOPERS]), options);

    // Assess: first by the role's own tag, saying the session tags are not known yet.
    const pending = sessionFinding(before, 'erin-0f1a2b3c4d5e6f7a8');
    expect(onlyRun(before, 'erin.json').result).toMatchObject({
      expectedUser: 'dev',
      expectedUserSource: 'principal-tag',
      sessionTags: 'unknown',
      sessionTagsPending: true,
    });
    expect(pending?.ProductFields).toMatchObject({
      'RunAs/SessionTags': 'unknown',
      'RunAs/SessionTagsPending': 'true',
    });
    expect(pending?.Description).toContain('has not arrived yet');
    expect(pending?.UpdatedAt).toBe('2026-03-01T11:50:00.000Z');
    // Then: the identity function audited it again, by its session tag.
    expect(onlyRun(after, ERIN_DEVELOPERS).result).toMatchObject({
      check: 'identity',
      reaudited: [{ sessionId: 'erin-0f1a2b3c4d5e6f7a8', expectedUser: 'erin', sessionTags: 'applied' }],
    });
    const updated = sessionFinding(after, 'erin-0f1a2b3c4d5e6f7a8');
    expect(updated).toMatchObject({
      CreatedAt: '2026-03-01T11:50:00.000Z',
      UpdatedAt: '2026-03-01T11:50:01.000Z',
    });
    expect(updated?.ProductFields).toMatchObject({
      'RunAs/ExpectedUser': 'erin',
      'RunAs/ExpectedUserSource': 'session-tag',
      'RunAs/SessionTags': 'applied',
    });
    expect(updated?.ProductFields?.['RunAs/SessionTagsPending']).toBeUndefined();
  });

  it('is audited again once only, however often the record is delivered', async () => {
    // Prepare
    const world = await worldWithoutCloudTrail();
    const endpoint = await endpointFor(world);
    const options = { world, local: endpoint, envVars: REPORT_ALL };
    await replayAll([{ name: 'erin.json', event: await erinSession() }], options);

    // Act: the record, delivered twice.
    const result = await replayAll(await readEvents([ERIN_DEVELOPERS]), { ...options, duplicates: 1 });

    // Assess
    const runs = result.evaluations[0]?.runs ?? [];
    expect(runs[0]?.deliveries).toBe(2);
    const reaudited = (runs[0]?.result as { reaudited?: unknown[] } | undefined)?.reaudited ?? [];
    expect(reaudited.length).toBeLessThanOrEqual(1);
    expect(sessionFinding(result, 'erin-0f1a2b3c4d5e6f7a8')?.UpdatedAt).toBe('2026-03-01T11:50:01.000Z');
  });
});

describe('tags as of the session: a retag between the session and its audit', () => {
  /** Operators' session at 13:02, between the two retags, delivered at 13:06, after both. */
  const lateSession = async () =>
    withDetail(await eventOf(OPERATORS_SESSION), (detail, envelope) => {
      detail.eventTime = '2026-03-01T13:02:00Z';
      envelope.time = '2026-03-01T13:06:00Z';
    });

  it('is judged by the value recorded before the session', async () => {
    // Prepare: root at 13:00, fixed at 13:05; the session at 13:02 ran as root (refused).
    const world = await demoWorld();
    const events = [
      ...(await readEvents([TAG_ROOT, TAG_FIXED])),
      { name: 'late.json', event: await lateSession() },
    ];

    // Act
    const result = await replayAll(events, { world, local: await endpointFor(world) });

    // Assess
    expect(onlyRun(result, 'late.json').result).toMatchObject({
      outcome: 'DISALLOWED_RUN_AS_USER',
      expectedUser: 'root',
      expectedUserSource: 'principal-tag',
    });
    const finding = result.findings.find((f) => f.Id.endsWith('/session/alice-06dae17831da5d880'));
    expect(finding?.ProductFields?.['RunAs/MappingChangedAt']).toBe('2026-03-01T13:05:00.000Z');
    expect(finding?.Description).toContain('it is judged by the value recorded at');
  });

  it('says the mapping changed after the session when its value then is not recorded', async () => {
    // Prepare: only the fix at 13:05 was seen; IAM now says opsadmin.
    const world = await demoWorld();
    const events = [...(await readEvents([TAG_FIXED])), { name: 'late.json', event: await lateSession() }];

    // Act
    const result = await replayAll(events, { world, local: await endpointFor(world) });

    // Assess
    expect(onlyRun(result, 'late.json').result).toMatchObject({ outcome: 'UNVERIFIED', expectedUser: '' });
    const finding = result.findings.find((f) => f.Id.endsWith('/session/alice-06dae17831da5d880'));
    expect(finding?.ProductFields?.['RunAs/MappingChangedAt']).toBe('2026-03-01T13:05:00.000Z');
    expect(finding?.Description).toContain('the mapping changed after the session');
  });
});

describe('just-in-time node access', () => {
  it('is recognised from DescribeSessions: its tags cannot be known, and it waits for no STS record', async () => {
    // Prepare: the session's credentials came from ssm:GetAccessToken.
    const base = await worldWithoutCloudTrail();
    const us = base.regions['us-east-1'];
    if (us === undefined) throw new Error('the demo world has us-east-1');
    const world: World = {
      ...base,
      regions: {
        ...base.regions,
        'us-east-1': {
          ...us,
          sessions: [
            ...us.sessions,
            {
              sessionId: 'erin-jit-0a1b2c3d4e5f6a7b8',
              target: UNKNOWN_USERS_NODE,
              owner: `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/erin`,
              status: 'Connected',
              startDate: '2026-03-01T11:58:00Z',
              accessType: 'JustInTime',
            },
          ],
        },
      },
    };
    const session = await sessionOf({
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developers/erin`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/Developers`,
      accessKeyId: 'ASIAJITTOKEN00000001',
      creationDate: '2026-03-01T11:57:00Z',
      eventTime: '2026-03-01T11:58:00Z',
      sessionId: 'erin-jit-0a1b2c3d4e5f6a7b8',
    });

    // Act
    const result = await replayAll([{ name: 'jit.json', event: session }], {
      world,
      local: await endpointFor(world),
      envVars: REPORT_ALL,
    });

    // Assess
    expect(onlyRun(result, 'jit.json').result).toMatchObject({
      expectedUser: 'dev',
      expectedUserSource: 'principal-tag',
      sessionTags: 'unknown',
      sessionTagsPending: false,
    });
    expect(result.calls['cloudtrail:LookupEvents'] ?? 0).toBe(0);
    const finding = sessionFinding(result, 'erin-jit-0a1b2c3d4e5f6a7b8');
    expect(finding?.ProductFields?.['RunAs/AccessType']).toBe('JustInTime');
    expect(finding?.Description).toContain('just-in-time node access credentials');
  });
});

describe('the ledger', () => {
  it('holds one entry per audited StartSession, written by the path that audited it', async () => {
    // Prepare
    const world = await demoWorld();
    const endpoint = await endpointFor(world);
    const events = await readEvents([OPERATORS_SESSION]);

    // Act
    await replayAll(events, { world, local: endpoint });
    await replayAll(events, { world, local: endpoint });

    // Assess: one conditional write each time, the second finding the entry there.
    expect(endpoint.calls.count('dynamodb:PutItem')).toBeGreaterThanOrEqual(2);
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: endpoint.dynamo?.endpoint ?? '',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    const { detail } = (await eventOf(OPERATORS_SESSION)) as unknown as { detail: { eventID: string } };
    const item = await client.send(
      new GetItemCommand({
        TableName: 'StateTable',
        Key: { pk: { S: `ledger#${ACCOUNT}#us-east-1#${detail.eventID}` }, sk: { S: 'ledger' } },
      }),
    );
    client.destroy();
    expect(item.Item?.auditedBy).toEqual({ S: 'event' });
    expect(item.Item?.sessionId).toEqual({ S: 'alice-06dae17831da5d880' });
  });
});
