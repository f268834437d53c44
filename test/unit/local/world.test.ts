import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalWorld } from '../../../src/local/world/localWorld.ts';
import { loadWorld, parseWorld, WorldError } from '../../../src/local/world/world.ts';
import { ACCOUNT, baseWorld, RUN_SHELL } from './localAwsHelpers.ts';

const minimal = { accountId: ACCOUNT };

function withRegion(region: Record<string, unknown>): Record<string, unknown> {
  return { accountId: ACCOUNT, regions: { 'us-east-1': region } };
}

function errorOf(json: unknown): WorldError {
  try {
    parseWorld(json);
  } catch (error) {
    if (error instanceof WorldError) return error;
    throw error;
  }
  throw new Error('expected parseWorld to throw');
}

describe('parseWorld', () => {
  it('fills every default of a minimal world', () => {
    // Act
    const world = parseWorld(minimal);

    // Assess
    expect(world).toEqual({
      accountId: ACCOUNT,
      partition: 'aws',
      now: '2026-01-01T00:00:00Z',
      inventoryTypeName: 'Custom:OSUsers',
      iam: { users: [], roles: [], denyTagReads: false },
      regions: {},
      accounts: [{ accountId: ACCOUNT, iam: { users: [], roles: [], denyTagReads: false }, regions: {} }],
      faults: [],
    });
  });

  it('fills defaults of users, roles, documents, nodes', () => {
    // Prepare
    const json = {
      accountId: ACCOUNT,
      now: '2026-03-01T12:00:00.000Z',
      iam: { users: [{ userName: 'alice' }], roles: [{ roleName: 'Ops', path: '/team/' }] },
      regions: {
        'us-east-1': {
          documents: [
            { name: 'SSM-SessionManagerRunShell', content: RUN_SHELL },
            {
              name: 'Custom-Shell',
              versions: [
                { version: '1', content: {} },
                { version: '2', content: { a: 1 } },
              ],
            },
          ],
          nodes: [
            { id: 'i-0123456789abcdef0', platform: 'Linux' },
            { id: 'mi-0123456789abcdef0', platform: 'MacOS', users: ['bob'], inventoryStale: true },
            {
              id: 'i-0bbbbbbbbbbbbbbb2',
              platform: 'Linux',
              inventoryCaptureTime: '2026-02-01T00:00:00+01:00',
            },
          ],
        },
      },
    };

    // Act
    const world = parseWorld(json);

    // Assess
    expect(world.now).toBe('2026-03-01T12:00:00Z');
    expect(world.iam.users).toEqual([{ userName: 'alice', path: '/', tags: {}, accessKeyIds: [] }]);
    expect(world.iam.roles).toEqual([
      { roleName: 'Ops', path: '/team/', tags: {}, maxSessionDuration: 3600 },
    ]);
    const region = world.regions['us-east-1'];
    expect(region?.documents[0]).toEqual({
      name: 'SSM-SessionManagerRunShell',
      documentType: 'Session',
      owner: 'Self',
      versions: [{ version: '1', content: RUN_SHELL }],
      defaultVersion: '1',
      latestVersion: '1',
    });
    expect(region?.documents[1]).toMatchObject({ defaultVersion: '2', latestVersion: '2' });
    expect(region?.nodes).toEqual([
      {
        id: 'i-0123456789abcdef0',
        platform: 'Linux',
        pingStatus: 'Online',
        users: null,
        // No capture time: the inventory is fresh at every event.
        inventoryCaptureTime: null,
      },
      {
        id: 'mi-0123456789abcdef0',
        platform: 'MacOS',
        pingStatus: 'Online',
        users: [{ name: 'bob', uid: 10000, gid: 10000 }],
        inventoryCaptureTime: '2026-01-30T12:00:00Z',
      },
      {
        id: 'i-0bbbbbbbbbbbbbbb2',
        platform: 'Linux',
        pingStatus: 'Online',
        users: null,
        inventoryCaptureTime: '2026-01-31T23:00:00Z',
      },
    ]);
    expect(region?.sessions).toEqual([]);
    expect(region?.cloudTrail).toEqual([]);
  });

  it.each([
    ['top-level unknown key', { ...minimal, colour: 'blue' }, 'colour', 'unknown key'],
    ['unknown key in iam', { ...minimal, iam: { groups: [] } }, 'iam.groups', 'unknown key'],
    [
      'unknown key in a user',
      { ...minimal, iam: { users: [{ userName: 'a', email: 'x' }] } },
      'iam.users[0].email',
      'unknown key',
    ],
    [
      'unknown key in a node',
      withRegion({
        nodes: [
          { id: 'i-0000000000000000a', platform: 'Linux' },
          { id: 'i-0000000000000000b', platform: 'Linux', colour: 'x' },
        ],
      }),
      'regions.us-east-1.nodes[1].colour',
      'unknown key',
    ],
    [
      'wrong platform',
      withRegion({
        nodes: [
          { id: 'i-0000000000000000a', platform: 'Linux' },
          { id: 'i-0000000000000000b', platform: 'Linux' },
          { id: 'i-0000000000000000c', platform: 'linux' },
        ],
      }),
      'regions.us-east-1.nodes[2].platform',
      'expected "Linux" | "MacOS" | "Windows"',
    ],
    ['account id not 12 digits', { accountId: '1234' }, 'accountId', 'a 12-digit account id'],
    ['account id missing', {}, 'accountId', 'expected a 12-digit account id'],
    [
      'partition unknown',
      { ...minimal, partition: 'mars' },
      'partition',
      'expected "aws" | "aws-cn" | "aws-us-gov"',
    ],
    ['now not ISO', { ...minimal, now: 'yesterday' }, 'now', 'an ISO time'],
    [
      'tag value not a string',
      { ...minimal, iam: { users: [{ userName: 'a', tags: { k: 1 } }] } },
      'iam.users[0].tags.k',
      'expected a string',
    ],
    [
      'tag keys equal ignoring case',
      {
        ...minimal,
        iam: { roles: [{ roleName: 'r', tags: { SSMSessionRunAs: 'a', ssmsessionrunas: 'b' } }] },
      },
      'iam.roles[0].tags.ssmsessionrunas',
      'duplicate tag key',
    ],
    [
      'bad IAM path',
      { ...minimal, iam: { users: [{ userName: 'a', path: 'ops' }] } },
      'iam.users[0].path',
      'IAM path',
    ],
    [
      'duplicate users',
      { ...minimal, iam: { users: [{ userName: 'a' }, { userName: 'A' }] } },
      'iam.users[1]',
      'duplicate user',
    ],
    [
      'denyTagReads not boolean',
      { ...minimal, iam: { denyTagReads: 'yes' } },
      'iam.denyTagReads',
      'true | false',
    ],
    ['bad Region name', { ...minimal, regions: { Mars: {} } }, 'regions.Mars', 'Region name'],
    [
      'document with neither content nor versions',
      withRegion({ documents: [{ name: 'Doc-1' }] }),
      'regions.us-east-1.documents[0]',
      'exactly one of',
    ],
    [
      'document content not an object',
      withRegion({ documents: [{ name: 'Doc-1', content: '{"a":1}' }] }),
      'regions.us-east-1.documents[0].content',
      'expected an object',
    ],
    [
      'default version not listed',
      withRegion({
        documents: [{ name: 'Doc-1', versions: [{ version: '1', content: {} }], defaultVersion: '2' }],
      }),
      'regions.us-east-1.documents[0].defaultVersion',
      'one of the listed versions',
    ],
    [
      'version not a number',
      withRegion({ documents: [{ name: 'Doc-1', versions: [{ version: 'v1', content: {} }] }] }),
      'regions.us-east-1.documents[0].versions[0].version',
      'version number',
    ],
    [
      'latestVersion with content',
      withRegion({ documents: [{ name: 'Doc-1', content: {}, latestVersion: '1' }] }),
      'regions.us-east-1.documents[0].latestVersion',
      'only a document with "versions"',
    ],
    [
      'document type unknown',
      withRegion({ documents: [{ name: 'Doc-1', content: {}, documentType: 'Shell' }] }),
      'regions.us-east-1.documents[0].documentType',
      'expected "Session"',
    ],
    [
      'ping status unknown',
      withRegion({ nodes: [{ id: 'i-0000000000000000a', platform: 'Linux', pingStatus: 'Up' }] }),
      'regions.us-east-1.nodes[0].pingStatus',
      '"Online" | "ConnectionLost" | "Inactive"',
    ],
    [
      'node users not a list',
      withRegion({ nodes: [{ id: 'i-0000000000000000a', platform: 'Linux', users: 'root' }] }),
      'regions.us-east-1.nodes[0].users',
      'expected an array',
    ],
    [
      'node user blank',
      withRegion({ nodes: [{ id: 'i-0000000000000000a', platform: 'Linux', users: ['a', ' '] }] }),
      'regions.us-east-1.nodes[0].users[1]',
      'non-blank',
    ],
    [
      'node id not a node',
      withRegion({ nodes: [{ id: 'ecs:cluster', platform: 'Linux' }] }),
      'regions.us-east-1.nodes[0].id',
      'managed node id',
    ],
    [
      'stale and capture time together',
      withRegion({
        nodes: [
          {
            id: 'i-0000000000000000a',
            platform: 'Linux',
            inventoryStale: true,
            inventoryCaptureTime: '2026-01-01T00:00:00Z',
          },
        ],
      }),
      'regions.us-east-1.nodes[0].inventoryStale',
      'not both',
    ],
    [
      'duplicate node ids',
      withRegion({
        nodes: [
          { id: 'i-0000000000000000a', platform: 'Linux' },
          { id: 'i-0000000000000000a', platform: 'Linux' },
        ],
      }),
      'regions.us-east-1.nodes[1]',
      'duplicate node',
    ],
    [
      'session status unknown',
      withRegion({
        sessions: [
          {
            sessionId: 's-1',
            target: 'i-0000000000000000a',
            owner: `arn:aws:iam::${ACCOUNT}:user/a`,
            status: 'Open',
            startDate: '2026-01-01T00:00:00Z',
          },
        ],
      }),
      'regions.us-east-1.sessions[0].status',
      '"Connected"',
    ],
    [
      'session owner not an ARN',
      withRegion({
        sessions: [
          {
            sessionId: 's-1',
            target: 'i-0000000000000000a',
            owner: 'alice',
            status: 'Connected',
            startDate: '2026-01-01T00:00:00Z',
          },
        ],
      }),
      'regions.us-east-1.sessions[0].owner',
      'ARN',
    ],
    [
      'cloudTrail record not an object',
      withRegion({ cloudTrail: ['TagUser'] }),
      'regions.us-east-1.cloudTrail[0]',
      'expected an object',
    ],
    [
      'cloudTrail record without eventTime',
      withRegion({ cloudTrail: [{ eventName: 'TagUser' }] }),
      'regions.us-east-1.cloudTrail[0].eventTime',
      'ISO time',
    ],
    [
      'fault with an unknown kind',
      { ...minimal, faults: [{ service: 'ssm', kind: 'explode' }] },
      'faults[0].kind',
      'expected "throttle"',
    ],
    [
      'fault with unknown key',
      { ...minimal, faults: [{ service: 'ssm', kind: 'throttle', every: 2 }] },
      'faults[0].every',
      'unknown key',
    ],
    [
      'latency fault without latencyMs',
      { ...minimal, faults: [{ service: 'iam', kind: 'latency' }] },
      'faults[0].latencyMs',
      'required',
    ],
  ])('rejects %s, naming the path', (_case, json, path, message) => {
    // Act
    const error = errorOf(json);

    // Assess
    expect(error.name).toBe('WorldError');
    expect(error.path).toBe(path);
    expect(error.message).toContain(`${path}: `);
    expect(error.message).toContain(message);
  });

  it('accepts world faults and raw CloudTrail records as given', () => {
    // Prepare
    const record = {
      eventName: 'TagUser',
      eventTime: '2026-01-01T00:00:00Z',
      requestParameters: { userName: 'a' },
    };

    // Act
    const world = parseWorld({
      ...withRegion({ cloudTrail: [record] }),
      faults: [{ service: 'ssm', kind: 'pending', times: 2, nodeId: 'i-0000000000000000a' }],
    });

    // Assess
    expect(world.regions['us-east-1']?.cloudTrail).toEqual([record]);
    expect(world.faults).toEqual([
      { service: 'ssm', kind: 'pending', times: 2, nodeId: 'i-0000000000000000a' },
    ]);
  });
});

describe('loadWorld', () => {
  it('reads and validates a file', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'world-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ accountId: ACCOUNT, now: '2026-02-02T00:00:00Z' }));
    await writeFile(bad, '{ not json');

    // Act
    const world = await loadWorld(good);
    const error = await loadWorld(bad).catch((e: unknown) => e);
    const missing = await loadWorld(join(dir, 'absent.json')).catch((e: unknown) => e);

    // Assess
    expect(world.now).toBe('2026-02-02T00:00:00Z');
    expect(error).toBeInstanceOf(WorldError);
    expect((error as Error).message).toContain('not valid JSON');
    expect(missing).toBeInstanceOf(WorldError);
    expect((missing as Error).message).toContain('cannot read');
  });
});

function iamRecord(
  eventName: string,
  requestParameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    eventTime: '2026-03-01T00:01:00Z',
    requestParameters,
    responseElements: null,
    ...extra,
  };
}

function ssmRecord(
  eventName: string,
  requestParameters: Record<string, unknown>,
  responseElements: unknown,
  region = 'us-east-1',
) {
  return {
    eventSource: 'ssm.amazonaws.com',
    eventName,
    awsRegion: region,
    eventTime: '2026-03-01T00:01:00Z',
    requestParameters,
    responseElements,
  };
}

function versionedWorld(): LocalWorld {
  return new LocalWorld(
    parseWorld({
      accountId: ACCOUNT,
      regions: {
        'us-east-1': {
          documents: [
            {
              name: 'Custom-Shell',
              versions: [
                { version: '1', content: { v: 1 } },
                { version: '2', content: { v: 2 } },
                { version: '3', content: { v: 3 } },
              ],
              defaultVersion: '1',
              latestVersion: '1',
            },
          ],
        },
      },
    }),
  );
}

describe('LocalWorld', () => {
  it('reads findings of a Region it never saw as none, without creating the Region', () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const findings = world.findings('ap-south-1');

    // Assess
    expect(findings).toEqual([]);
    expect(world.regionNames().sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('hands out distinct, UUID-shaped command ids', () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const ids = [world.nextCommandId(), world.nextCommandId()];

    // Assess
    expect(ids).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
  });
});

describe('LocalWorld.applyChange', () => {
  it('TagUser adds tags and replaces a key spelled in another case', () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const changed = world.applyChange(
      iamRecord('TagUser', {
        userName: 'alice',
        tags: [
          { key: 'ssmsessionrunas', value: 'alice2' },
          { key: 'New', value: 'x' },
        ],
      }),
    );

    // Assess
    expect(changed).toBe(true);
    expect(world.user('alice')?.tags).toEqual([
      { Key: 'ssmsessionrunas', Value: 'alice2' },
      { Key: 'Team', Value: 'ops' },
      { Key: 'New', Value: 'x' },
    ]);
  });

  it('TagRole tags a role (name matched case-insensitively)', () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const changed = world.applyChange(
      iamRecord('TagRole', { roleName: 'operators', tags: [{ key: 'SSMSessionRunAs', value: 'ops' }] }),
    );

    // Assess
    expect(changed).toBe(true);
    expect(world.role('Operators')?.tags).toEqual([{ Key: 'SSMSessionRunAs', Value: 'ops' }]);
  });

  it.each([
    [
      'UntagUser',
      { userName: 'alice', tagKeys: ['ssmsessionRUNAS'] },
      'user',
      [{ Key: 'Team', Value: 'ops' }],
    ],
    ['UntagRole', { roleName: 'Operators', tagKeys: ['SSMSessionRunAs'] }, 'role', []],
  ] as const)('%s removes tags by case-insensitive key', (eventName, params, kind, expected) => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const changed = world.applyChange(iamRecord(eventName, params));

    // Assess
    expect(changed).toBe(true);
    const principal = kind === 'user' ? world.user('alice') : world.role('Operators');
    expect(principal?.tags).toEqual(expected);
  });

  it('CreateUser and CreateRole add principals with path and tags', () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const user = world.applyChange(
      iamRecord('CreateUser', {
        userName: 'bob',
        path: '/eng/',
        tags: [{ key: 'SSMSessionRunAs', value: 'bob' }],
      }),
    );
    const role = world.applyChange(
      iamRecord('CreateRole', { roleName: 'Deployers', assumeRolePolicyDocument: '{}' }),
    );

    // Assess
    expect(user).toBe(true);
    expect(role).toBe(true);
    expect(world.user('bob')).toMatchObject({
      name: 'bob',
      path: '/eng/',
      tags: [{ Key: 'SSMSessionRunAs', Value: 'bob' }],
    });
    expect(world.principalArn(world.user('bob') ?? expect.fail('bob'))).toBe(
      `arn:aws:iam::${ACCOUNT}:user/eng/bob`,
    );
    expect(world.role('Deployers')).toMatchObject({ path: '/', tags: [] });
  });

  it.each([
    ['DeleteUser', { userName: 'alice' }],
    ['DeleteRole', { roleName: 'Operators' }],
  ])('%s removes the principal', (eventName, params) => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const changed = world.applyChange(iamRecord(eventName, params));

    // Assess
    expect(changed).toBe(true);
    expect(eventName === 'DeleteUser' ? world.user('alice') : world.role('Operators')).toBeUndefined();
  });

  it('UpdateDocument moves latestVersion to what responseElements names', () => {
    // Prepare
    const world = versionedWorld();

    // Act
    const changed = world.applyChange(
      ssmRecord(
        'UpdateDocument',
        { name: 'Custom-Shell', content: 'HIDDEN_DUE_TO_SECURITY_REASONS', documentVersion: '$LATEST' },
        {
          documentDescription: {
            name: 'Custom-Shell',
            documentVersion: '2',
            latestVersion: '2',
            defaultVersion: '1',
          },
        },
      ),
    );

    // Assess
    expect(changed).toBe(true);
    expect(world.document('us-east-1', 'Custom-Shell')).toMatchObject({
      latestVersion: '2',
      defaultVersion: '1',
    });
  });

  it('UpdateDocumentDefaultVersion cannot move the default to a version not created yet', () => {
    // Prepare
    const world = versionedWorld();

    // Act
    const changed = world.applyChange(
      ssmRecord('UpdateDocumentDefaultVersion', { name: 'Custom-Shell', documentVersion: '3' }, null),
    );

    // Assess
    expect(changed).toBe(false);
    expect(world.document('us-east-1', 'Custom-Shell')?.defaultVersion).toBe('1');
  });

  it('UpdateDocumentDefaultVersion moves defaultVersion to requestParameters.documentVersion', () => {
    // Prepare: UpdateDocument created version 3 first.
    const world = versionedWorld();
    world.applyChange(
      ssmRecord(
        'UpdateDocument',
        { name: 'Custom-Shell', documentVersion: '$LATEST' },
        { documentDescription: { latestVersion: '3', defaultVersion: '1' } },
      ),
    );

    // Act
    const changed = world.applyChange(
      ssmRecord(
        'UpdateDocumentDefaultVersion',
        { name: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/Custom-Shell`, documentVersion: '3' },
        null,
      ),
    );

    // Assess
    expect(changed).toBe(true);
    expect(world.document('us-east-1', 'Custom-Shell')?.defaultVersion).toBe('3');
  });

  it('DeleteDocument removes the document and CreateDocument brings it back from the world versions', () => {
    // Prepare
    const world = versionedWorld();

    // Act
    const deleted = world.applyChange(ssmRecord('DeleteDocument', { name: 'Custom-Shell' }, null));
    const goneAfterDelete = world.document('us-east-1', 'Custom-Shell');
    const created = world.applyChange(
      ssmRecord(
        'CreateDocument',
        { name: 'Custom-Shell', content: 'HIDDEN_DUE_TO_SECURITY_REASONS', documentType: 'Session' },
        {
          documentDescription: {
            name: 'Custom-Shell',
            documentVersion: '1',
            latestVersion: '1',
            defaultVersion: '1',
          },
        },
      ),
    );

    // Assess
    expect(deleted).toBe(true);
    expect(goneAfterDelete).toBeUndefined();
    expect(created).toBe(true);
    expect(world.document('us-east-1', 'Custom-Shell')).toMatchObject({
      latestVersion: '1',
      defaultVersion: '1',
      deleted: false,
    });
  });

  it('DeleteDocument with a documentVersion removes only that version', () => {
    // Prepare
    const world = versionedWorld();
    world.applyChange(
      ssmRecord('UpdateDocument', { name: 'Custom-Shell' }, { documentDescription: { latestVersion: '3' } }),
    );

    // Act
    const changed = world.applyChange(
      ssmRecord('DeleteDocument', { name: 'Custom-Shell', documentVersion: '3' }, null),
    );

    // Assess
    expect(changed).toBe(true);
    const doc = world.document('us-east-1', 'Custom-Shell');
    expect([...(doc?.versions.keys() ?? [])]).toEqual(['1', '2']);
    expect(doc?.latestVersion).toBe('2');
  });

  it.each([
    ['an unknown event', iamRecord('AttachUserPolicy', { userName: 'alice', policyArn: 'x' })],
    [
      'a failed call',
      iamRecord(
        'TagUser',
        { userName: 'alice', tags: [{ key: 'A', value: 'b' }] },
        { errorCode: 'AccessDenied' },
      ),
    ],
    [
      'a tag on an absent user',
      iamRecord('TagUser', { userName: 'nobody', tags: [{ key: 'A', value: 'b' }] }),
    ],
    ['malformed tags', iamRecord('TagUser', { userName: 'alice', tags: { A: 'b' } })],
    [
      'an IAM event name from another source',
      {
        ...iamRecord('TagUser', { userName: 'alice', tags: [{ key: 'A', value: 'b' }] }),
        eventSource: 'evil.amazonaws.com',
      },
    ],
    ['a document the world does not know', ssmRecord('DeleteDocument', { name: 'Unknown-Doc' }, null)],
    [
      'a document in another Region',
      ssmRecord('DeleteDocument', { name: 'Custom-Shell' }, null, 'eu-west-1'),
    ],
    [
      'a version the world does not have',
      ssmRecord('UpdateDocument', { name: 'Custom-Shell' }, { documentDescription: { latestVersion: '9' } }),
    ],
    [
      'deleting the default version',
      ssmRecord('DeleteDocument', { name: 'Custom-Shell', documentVersion: '1' }, null),
    ],
    ['not an object', 'TagUser'],
  ])('ignores %s', (_case, record) => {
    // Prepare
    const world = versionedWorld();
    const base = new LocalWorld(baseWorld());

    // Act
    const changed = world.applyChange(record) || base.applyChange(record);

    // Assess
    expect(changed).toBe(false);
    expect(base.user('alice')?.tags).toEqual([
      { Key: 'SSMSessionRunAs', Value: 'alice' },
      { Key: 'Team', Value: 'ops' },
    ]);
    expect(world.document('us-east-1', 'Custom-Shell')).toMatchObject({
      latestVersion: '1',
      defaultVersion: '1',
    });
  });
});

describe('world node users and inventory time', () => {
  const nodeWith = (node: Record<string, unknown>) =>
    parseWorld(withRegion({ nodes: [{ id: 'i-0123456789abcdef0', platform: 'Linux', ...node }] })).regions[
      'us-east-1'
    ]?.nodes[0];

  it('reads a user as a name or as { name, uid, gid }', () => {
    // Act
    const node = nodeWith({ users: ['root', 'ec2-user', { name: 'ops', uid: 1500, gid: 0 }] });

    // Assess
    expect(node?.users).toEqual([
      { name: 'root', uid: 0, gid: 0 },
      { name: 'ec2-user', uid: 10001, gid: 10001 },
      { name: 'ops', uid: 1500, gid: 0 },
    ]);
  });

  it.each([
    [{ users: [{ name: 'ops', uid: -1, gid: 1 }] }, 'regions.us-east-1.nodes[0].users[0].uid'],
    [{ users: [{ name: 'ops', uid: 1, gid: 1.5 }] }, 'regions.us-east-1.nodes[0].users[0].gid'],
    [{ users: [{ name: 'ops', uid: 1, gid: 1, shell: 'sh' }] }, 'regions.us-east-1.nodes[0].users[0].shell'],
    [{ users: ['ops', { name: 'ops', uid: 1, gid: 1 }] }, 'regions.us-east-1.nodes[0].users[1]'],
  ])('rejects %j naming %s', (node, path) => {
    // Act + Assess
    expect(() => nodeWith(node)).toThrow(WorldError);
    try {
      nodeWith(node);
    } catch (error) {
      expect((error as WorldError).path).toBe(path);
    }
  });

  it('rejects a node id the auditor would not call a managed node', () => {
    // Act + Assess
    expect(() => parseWorld(withRegion({ nodes: [{ id: 'i-1', platform: 'Linux' }] }))).toThrow(
      /managed node id/,
    );
  });

  it('dates an inventory without a capture time at the event being replayed', () => {
    // Prepare
    const world = new LocalWorld(
      parseWorld(withRegion({ nodes: [{ id: 'i-0123456789abcdef0', platform: 'Linux', users: ['a'] }] })),
    );
    const node = world.region('us-east-1').nodes.get('i-0123456789abcdef0');
    if (node === undefined) throw new Error('node');

    // Act
    const before = world.inventoryTimeOf(node);
    world.applyChange({ eventName: 'StartSession', eventTime: '2026-09-01T10:00:00.123Z' });
    const during = world.inventoryTimeOf(node);

    // Assess
    expect(before).toBe(world.now);
    expect(during).toBe('2026-09-01T10:00:00Z');
  });

  it('refuses a default version above the latest one', () => {
    // Act + Assess
    expect(() =>
      parseWorld(
        withRegion({
          documents: [
            {
              name: 'Doc-1',
              versions: [
                { version: '1', content: {} },
                { version: '2', content: {} },
              ],
              defaultVersion: '2',
              latestVersion: '1',
            },
          ],
        }),
      ),
    ).toThrow(/defaultVersion: expected a version at most latestVersion/);
  });
});
