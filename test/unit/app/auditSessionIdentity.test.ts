/** The session audit's use of the state table: pending sessions, re-audits, tags as of the session, the ledger. */
import { describe, expect, it } from 'vitest';
import { type AuditOptions, auditSession, reauditTime } from '../../../src/app/auditSession.ts';
import type { PendingSessions, SessionAuditPorts } from '../../../src/app/ports.ts';
import type { TagValueAt } from '../../../src/app/statePorts.ts';
import { known, type SessionTagsFact, type Tags } from '../../../src/domain/facts.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { command, rolePrincipal, sessionSettings } from '../findings/builders.ts';
import { fakeLedger, fakeTagHistory } from './stateFakes.ts';

const PREFERENCES = {
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
};

interface World {
  readonly sessionTags?: SessionTagsFact;
  readonly tags?: Tags;
  readonly history?: TagValueAt;
  /** What filing the pending session finds (a record that arrived meanwhile). */
  readonly arrives?: SessionTagsFact;
}

const fakes = (world: World) => {
  const imported: AsffFinding[] = [];
  const filed: boolean[] = [];
  const history = fakeTagHistory(world.history);
  const ledger = fakeLedger();
  const pendingSessions: PendingSessions = {
    fileUntilRecord: async (_session, reported) => {
      filed.push(reported);
      return world.arrives;
    },
  };
  const ports: SessionAuditPorts = {
    principalTags: { tagsOf: async () => known(world.tags ?? {}) },
    sessionTags: { sessionTagsOf: async () => world.sessionTags ?? { status: 'known', tags: {} } },
    documents: {
      documentOf: async (name) =>
        known({ name, content: PREFERENCES, documentType: 'Session', version: '1' }),
    },
    platforms: { platformOf: async () => known('Linux' as const) },
    nodeUsers: { presenceOf: async () => ({ status: 'unknown', reason: 'no inventory' }) },
    findings: {
      importFindings: async (findings) => {
        imported.push(...findings);
      },
    },
    tagHistory: history.history,
    ledger: ledger.ledger,
    pendingSessions,
  };
  return { ports, imported, filed, history, ledger };
};

const SETTINGS = sessionSettings();
const PENDING: SessionTagsFact = { status: 'unknown', reason: 'no STS record yet', pending: true };
const ARRIVED: SessionTagsFact = {
  status: 'known',
  tags: { SSMSessionRunAs: 'dana' },
  source: {
    eventName: 'AssumeRoleWithSAML',
    eventId: 'e-saml',
    recordedIn: 'eu-west-1',
    match: 'issue-time',
  },
};

describe('a session whose STS record has not arrived', () => {
  it('is filed as pending, remembering whether its finding was written, and says so in the finding', async () => {
    // Prepare: the role's tag names root; the session tag, not known yet, might override it.
    const { ports, imported, filed } = fakes({ sessionTags: PENDING, tags: { SSMSessionRunAs: 'root' } });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation).toMatchObject({
      outcome: 'DISALLOWED_RUN_AS_USER',
      sessionTags: 'unknown',
      sessionTagsPending: true,
    });
    expect(filed).toEqual([true]);
    expect(imported[0]?.ProductFields).toMatchObject({
      'RunAs/SessionTags': 'unknown',
      'RunAs/SessionTagsPending': 'true',
    });
    expect(imported[0]?.Description).toContain('has not arrived yet');
  });

  it('writes no finding for an unreported outcome, and files it so', async () => {
    // Prepare
    const { ports, imported, filed } = fakes({ sessionTags: PENDING });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation).toMatchObject({ outcome: 'COMPLIANT', findingId: null, sessionTagsPending: true });
    expect(filed).toEqual([false]);
    expect(imported).toEqual([]);
  });

  it('is decided with the record’s tags when it arrived while the session was filed', async () => {
    // Prepare
    const { ports, imported } = fakes({ sessionTags: PENDING, arrives: ARRIVED });

    // Act
    const evaluation = await auditSession(command(), ports, { ...SETTINGS, reportCompliantSessions: true });

    // Assess
    expect(evaluation).toMatchObject({
      expectedUser: 'dana',
      expectedUserSource: 'session-tag',
      sessionTagsPending: false,
    });
    expect(imported[0]?.ProductFields).toMatchObject({
      'RunAs/StsEventId': 'e-saml',
      'RunAs/StsRegion': 'eu-west-1',
    });
    expect(imported[0]?.ProductFields['RunAs/SessionTagsPending']).toBeUndefined();
  });
});

describe('a re-audit once the record arrived', () => {
  const reaudit = (updates: boolean): AuditOptions => ({
    auditedBy: 'identity',
    reaudit: { observedAt: reauditTime(command().eventTime), updates },
  });

  it('updates the finding written while it waited, whatever the outcome, a second later, CreatedAt kept', async () => {
    // Prepare
    const { ports, imported, ledger } = fakes({ sessionTags: ARRIVED });

    // Act
    await auditSession(command(), ports, SETTINGS, reaudit(true));

    // Assess
    expect(imported[0]).toMatchObject({
      CreatedAt: '2026-03-01T10:00:00.000Z',
      UpdatedAt: '2026-03-01T10:00:01.000Z',
      Compliance: { Status: 'PASSED' },
    });
    expect(ledger.entries).toEqual([expect.objectContaining({ auditedBy: 'identity' })]);
  });

  it('writes nothing for a compliant session that had no finding while it waited', async () => {
    // Prepare
    const { ports, imported } = fakes({ sessionTags: ARRIVED });

    // Act
    await auditSession(command(), ports, SETTINGS, reaudit(false));

    // Assess
    expect(imported).toEqual([]);
  });
});

describe('tags as of the session', () => {
  it('reads the principal’s tag history at the session’s time', async () => {
    // Prepare
    const { ports, history } = fakes({});

    // Act
    await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(history.asked).toEqual([`role/${rolePrincipal.name}@${command().eventTime}`]);
  });

  it('judges by the value recorded before the session when the tag changed after it', async () => {
    // Prepare: root at the session; fixed (opsadmin) after it, which IAM now says.
    const { ports, imported } = fakes({
      tags: { SSMSessionRunAs: 'opsadmin', team: 'ops' },
      history: {
        before: { value: 'root', eventTime: '2026-03-01T09:00:00.000Z', ambiguous: false },
        changedAt: '2026-03-01T10:05:00.000Z',
      },
    });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation).toMatchObject({ outcome: 'DISALLOWED_RUN_AS_USER', expectedUser: 'root' });
    expect(imported[0]?.ProductFields['RunAs/MappingChangedAt']).toBe('2026-03-01T10:05:00.000Z');
  });

  it.each([
    ['no value recorded before the change', { changedAt: '2026-03-01T10:05:00.000Z' }],
    [
      'two values in the one second before it',
      {
        before: { value: 'alice', eventTime: '2026-03-01T09:00:00.000Z', ambiguous: true },
        changedAt: '2026-03-01T10:05:00.000Z',
      },
    ],
  ])('is unverified, the mapping having changed after the session, with %s', async (_name, history) => {
    // Prepare
    const { ports, imported } = fakes({ tags: { SSMSessionRunAs: 'opsadmin' }, history });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation.outcome).toBe('UNVERIFIED');
    expect(imported[0]?.Description).toContain('the mapping changed after the session');
  });

  it('lets a session tag decide whatever the principal’s tag history says', async () => {
    // Prepare
    const { ports } = fakes({
      sessionTags: ARRIVED,
      history: { changedAt: '2026-03-01T10:05:00.000Z' },
    });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation).toMatchObject({ outcome: 'COMPLIANT', expectedUser: 'dana' });
  });
});

describe('the ledger', () => {
  it('gets one entry per audited StartSession, by the event path unless told otherwise', async () => {
    // Prepare
    const { ports, ledger } = fakes({});

    // Act
    await auditSession(command(), ports, SETTINGS);
    await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(ledger.entries).toEqual([
      {
        accountId: '111122223333',
        region: 'us-east-1',
        eventId: command().eventId,
        eventTime: command().eventTime,
        sessionId: command().sessionId,
        auditedBy: 'event',
      },
    ]);
  });
});

describe('a pending session whose document streams its log', () => {
  const STREAMED = {
    ...PREFERENCES,
    inputs: {
      ...PREFERENCES.inputs,
      cloudWatchLogGroupName: '/aws/ssm/sessions',
      cloudWatchStreamingEnabled: true,
      cloudWatchEncryptionEnabled: false,
    },
  };
  const streamed = (world: World) => {
    const queued: { body: string; delaySeconds: number }[] = [];
    const base = fakes(world);
    const ports: SessionAuditPorts = {
      ...base.ports,
      documents: {
        documentOf: async (name) => known({ name, content: STREAMED, documentType: 'Session', version: '1' }),
      },
      verifications: {
        queue: async (body, delaySeconds) => {
          queued.push({ body, delaySeconds });
          return { kind: 'queued' };
        },
      },
    };
    return { ...base, ports, queued };
  };

  it('is not queued for its log while its tags are unknown: the request would carry a decision without them', async () => {
    // Prepare
    const { ports, queued } = streamed({ sessionTags: PENDING, tags: { SSMSessionRunAs: 'root' } });

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS);

    // Assess
    expect(evaluation).toMatchObject({ sessionTagsPending: true });
    expect(queued).toEqual([]);
  });

  it('is queued by its re-audit, with the decision its STS record settled', async () => {
    // Prepare
    const { ports, queued } = streamed({ sessionTags: ARRIVED, tags: { SSMSessionRunAs: 'root' } });
    const options: AuditOptions = {
      auditedBy: 'identity',
      reaudit: { observedAt: reauditTime(command().eventTime), updates: true },
    };

    // Act
    const evaluation = await auditSession(command(), ports, SETTINGS, options);

    // Assess
    expect(evaluation).toMatchObject({ expectedUser: 'dana', sessionTagsPending: false });
    expect(queued).toHaveLength(1);
    expect(queued[0]?.delaySeconds).toBe(60);
    expect(JSON.parse(queued[0]?.body ?? '{}')).toMatchObject({ decision: { expectedUser: 'dana' } });
  });
});
