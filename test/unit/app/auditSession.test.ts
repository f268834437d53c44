import { describe, expect, it } from 'vitest';
import { auditSession } from '../../../src/app/auditSession.ts';
import type { SessionAuditPorts, UserLookup } from '../../../src/app/ports.ts';
import {
  type DocumentRead,
  type Known,
  known,
  type NodeAccount,
  type Principal,
  type Tags,
  type UserPresence,
  unknown,
} from '../../../src/domain/facts.ts';
import type { StartSessionCommand } from '../../../src/events/startSession.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { sessionSettings } from '../findings/builders.ts';

const ACCOUNT = '111122223333';
const NODE = 'i-0123456789abcdef0';

const alice: Principal = {
  kind: 'user',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  name: 'alice',
  path: '/',
  callerArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accessKeyId: 'AKIAEXAMPLEALICE0001',
};

const operators: Principal = {
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
  accountId: ACCOUNT,
  name: 'Operators',
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
  accessKeyId: 'ASIAEXAMPLEOPERATOR1',
  sessionName: 'alice',
  sessionCreatedAt: '2026-02-01T09:00:00Z',
};

const command = (overrides: Partial<StartSessionCommand> = {}): StartSessionCommand => ({
  eventId: '6f1d0e3a-2b4c-4d5e-8f90-a1b2c3d4e5f6',
  eventTime: '2026-02-01T10:00:00.000Z',
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  principal: alice,
  target: NODE,
  documentName: 'SSM-SessionManagerRunShell',
  documentNamed: false,
  parameters: {},
  sessionId: 'alice-0a1b2c3d4e5f6a7b8',
  errorCode: null,
  errorMessage: null,
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2',
  console: false,
  event: {},
  ...overrides,
});

const shell = (inputs: Record<string, unknown>) => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs,
});

interface World {
  /** Content of each document, or its two versions. */
  documents?: Record<string, unknown>;
  versions?: Record<string, { readonly latest: unknown; readonly default: unknown }>;
  tags?: Known<Tags>;
  users?: readonly (string | NodeAccount)[];
  platform?: 'Linux' | 'MacOS' | 'Windows';
}

/** Hand-written fakes of the ports, counting calls. */
const fakes = (world: World) => {
  const calls: string[] = [];
  const imported: AsffFinding[] = [];
  const ports: SessionAuditPorts = {
    principalTags: {
      tagsOf: async () => {
        calls.push('tags');
        return world.tags ?? known({});
      },
    },
    sessionTags: {
      sessionTagsOf: async () => {
        calls.push('sessionTags');
        return { status: 'not-a-role-session' };
      },
    },
    documents: {
      documentOf: async (name, version): Promise<Known<DocumentRead | null>> => {
        calls.push(`document:${name}:${version}`);
        const both = world.versions?.[name];
        if (both !== undefined) {
          const latest = version === '$LATEST';
          return known({
            name,
            content: latest ? both.latest : both.default,
            documentType: 'Session',
            version: latest ? '2' : '1',
          });
        }
        const content = world.documents?.[name];
        return known(content === undefined ? null : { name, content, documentType: 'Session', version: '1' });
      },
    },
    platforms: {
      platformOf: async () => {
        calls.push('platform');
        return known(world.platform ?? 'Linux');
      },
    },
    nodeUsers: {
      presenceOf: async (_node, user, lookup: UserLookup): Promise<UserPresence> => {
        calls.push(`users:${user}:${lookup.match}`);
        if (world.users === undefined) return { status: 'unknown', reason: 'no inventory' };
        const accounts = world.users.map((u) => (typeof u === 'string' ? { name: u } : u));
        const account = accounts.find((a) => a.name === user) ?? accounts.find((a) => String(a.uid) === user);
        return account === undefined
          ? { status: 'missing', source: 'inventory' }
          : { status: 'present', source: 'inventory', account };
      },
    },
    findings: {
      importFindings: async (findings) => {
        imported.push(...findings);
      },
    },
  };
  return { ports, calls, imported };
};

const settings = sessionSettings();

describe('auditSession', () => {
  it('writes a HIGH finding for a session that ran as ssm-user because Run As is off', async () => {
    // Prepare
    const { ports, imported } = fakes({
      documents: { 'SSM-SessionManagerRunShell': shell({ runAsEnabled: false }) },
    });
    // Act
    const evaluation = await auditSession(command(), ports, settings);
    // Assess
    expect(evaluation).toMatchObject({
      outcome: 'RAN_AS_SSM_USER',
      sessionUser: 'ssm-user',
      severity: 'HIGH',
    });
    expect(imported).toHaveLength(1);
    expect(imported[0]?.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/session/alice-0a1b2c3d4e5f6a7b8`);
    expect(evaluation.findingId).toBe(imported[0]?.Id);
  });

  it('checks the mapped user on the node and flags a missing one', async () => {
    const { ports, imported, calls } = fakes({
      documents: {
        'SSM-SessionManagerRunShell': shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
      },
      tags: known({ SSMSessionRunAs: 'bob' }),
      users: ['ec2-user'],
    });
    const evaluation = await auditSession(command(), ports, settings);
    expect(evaluation).toMatchObject({
      outcome: 'MISSING_RUN_AS_USER',
      expectedUser: 'bob',
      expectedUserSource: 'principal-tag',
      sessionUser: '',
      userVerified: true,
    });
    expect(calls).toContain('users:bob:exact');
    expect(imported[0]?.ProductFields['RunAs/Outcome']).toBe('MISSING_RUN_AS_USER');
  });

  it('does not write compliant sessions unless configured', async () => {
    const world = {
      documents: {
        'SSM-SessionManagerRunShell': shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
      },
      users: ['ec2-user'],
    };
    const quiet = fakes(world);
    const loud = fakes(world);
    const a = await auditSession(command(), quiet.ports, settings);
    const b = await auditSession(command(), loud.ports, { ...settings, reportCompliantSessions: true });
    expect(a).toMatchObject({ outcome: 'COMPLIANT', userVerified: true, findingId: null });
    expect(quiet.imported).toHaveLength(0);
    expect(b.outcome).toBe('COMPLIANT');
    expect(loud.imported[0]?.Compliance.Status).toBe('PASSED');
  });

  it('a failed StartSession is NOT_APPLICABLE and reads nothing from AWS', async () => {
    const { ports, calls, imported } = fakes({});
    const evaluation = await auditSession(
      command({ errorCode: 'TargetNotConnected', sessionId: null }),
      ports,
      settings,
    );
    expect(evaluation.outcome).toBe('NOT_APPLICABLE');
    expect(calls).toEqual([]);
    expect(imported).toEqual([]);
  });

  it('writes NOT_APPLICABLE findings when configured (ecs target)', async () => {
    const { ports, imported, calls } = fakes({});
    const evaluation = await auditSession(
      command({ target: 'ecs:cluster_0123456789abcdef_0123456789abcdef-1234' }),
      ports,
      { ...settings, reportNotApplicable: true },
    );
    expect(evaluation.outcome).toBe('NOT_APPLICABLE');
    expect(calls).toEqual([]);
    expect(imported).toHaveLength(1);
  });

  it('reads the Region preferences for a command document without Run As inputs', async () => {
    const { ports, calls } = fakes({
      documents: {
        'Ops-Tail': {
          schemaVersion: '1.0',
          sessionType: 'InteractiveCommands',
          properties: { linux: { commands: 'tail -f /var/log/messages' } },
        },
        'SSM-SessionManagerRunShell': shell({ runAsEnabled: false }),
      },
    });
    const evaluation = await auditSession(
      command({ documentName: 'Ops-Tail', documentNamed: true }),
      ports,
      settings,
    );
    expect(calls).toContain('document:SSM-SessionManagerRunShell:$LATEST');
    expect(evaluation.outcome).toBe('RAN_AS_SSM_USER');
  });

  it('does not read the preferences for a custom shell document', async () => {
    const { ports, calls } = fakes({
      documents: { 'Ops-Shell': shell({ runAsEnabled: true, runAsDefaultUser: 'ops' }) },
      users: ['ops'],
    });
    const evaluation = await auditSession(
      command({ documentName: 'Ops-Shell', documentNamed: true }),
      ports,
      settings,
    );
    expect(calls.some((call) => call.startsWith('document:SSM-SessionManagerRunShell'))).toBe(false);
    expect(evaluation).toMatchObject({
      outcome: 'COMPLIANT',
      expectedUser: 'ops',
      expectedUserSource: 'preferences',
    });
  });

  it('unreadable tags make the session UNVERIFIED when Run As is on', async () => {
    const { ports, imported } = fakes({
      documents: {
        'SSM-SessionManagerRunShell': shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
      },
      tags: unknown('iam:ListUserTags was denied'),
    });
    const evaluation = await auditSession(command(), ports, settings);
    expect(evaluation.outcome).toBe('UNVERIFIED');
    expect(imported[0]?.Compliance.Status).toBe('NOT_AVAILABLE');
    expect(imported[0]?.Description).toContain('iam:ListUserTags was denied');
  });

  it.each([
    ['an IAM user', alice, true, 0],
    ['a role session where Run As is off', operators, false, 0],
    ['a role session where Run As is on', operators, true, 1],
  ])(
    'looks up session tags (CloudTrail) only when they can decide: %s',
    async (_case, principal, runAsEnabled, lookups) => {
      // Prepare
      const { ports, calls } = fakes({
        documents: { 'SSM-SessionManagerRunShell': shell({ runAsEnabled, runAsDefaultUser: 'ec2-user' }) },
        users: ['ec2-user'],
      });

      // Act
      await auditSession(command({ principal }), ports, settings);

      // Assess
      expect(calls.filter((call) => call === 'sessionTags')).toHaveLength(lookups);
    },
  );

  it.each([
    ['$LATEST', 'RAN_AS_SSM_USER', '2'],
    ['$DEFAULT', 'COMPLIANT', '1'],
  ] as const)(
    'judges the version SESSION_DOCUMENT_VERSION names (%s) and says what the other gives',
    async (judged, outcome, version) => {
      // Prepare
      const { ports, imported } = fakes({
        versions: {
          'SSM-SessionManagerRunShell': {
            latest: shell({ runAsEnabled: false }),
            default: shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
          },
        },
        users: ['ec2-user'],
      });

      // Act
      const evaluation = await auditSession(command(), ports, {
        ...settings,
        sessionDocumentVersion: judged,
        reportCompliantSessions: true,
      });

      // Assess
      expect(evaluation).toMatchObject({ outcome, documentVersion: version });
      expect(imported[0]?.ProductFields['RunAs/JudgedVersion']).toBe(judged);
      expect(imported[0]?.ProductFields['RunAs/OtherVersionOutcome']).toBe(
        outcome === 'COMPLIANT' ? 'RAN_AS_SSM_USER' : 'COMPLIANT',
      );
    },
  );

  it('looks a uid up on the node and judges the account that owns it', async () => {
    // Prepare
    const { ports, calls } = fakes({
      documents: { 'SSM-SessionManagerRunShell': shell({ runAsEnabled: true }) },
      tags: known({ SSMSessionRunAs: '1001' }),
      users: [{ name: 'ssm-user', uid: 1001, gid: 1001 }],
    });

    // Act
    const evaluation = await auditSession(command(), ports, settings);

    // Assess
    expect(calls).toContain('users:1001:exact');
    expect(evaluation).toMatchObject({
      outcome: 'RAN_AS_SSM_USER',
      expectedUser: '1001',
      sessionUser: 'ssm-user',
      userVerified: true,
    });
  });

  it('asks a macOS node to match names ignoring case', async () => {
    // Prepare
    const { ports, calls } = fakes({
      documents: {
        'SSM-SessionManagerRunShell': shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }),
      },
      platform: 'MacOS',
      users: ['ec2-user'],
    });

    // Act
    await auditSession(command(), ports, settings);

    // Assess
    expect(calls).toContain('users:ec2-user:ignore-case');
  });

  it('reads no tags when Run As is off: they cannot change the outcome', async () => {
    // Prepare
    const { ports, calls } = fakes({
      documents: { 'SSM-SessionManagerRunShell': shell({ runAsEnabled: false }) },
    });

    // Act
    await auditSession(command(), ports, settings);

    // Assess
    expect(calls).not.toContain('tags');
    expect(calls.filter((call) => call.startsWith('users:'))).toEqual([]);
  });
});
