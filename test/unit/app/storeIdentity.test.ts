import { describe, expect, it } from 'vitest';
import type { SessionAuditPorts } from '../../../src/app/ports.ts';
import type { PendingSession } from '../../../src/app/statePorts.ts';
import { storeIdentity } from '../../../src/app/storeIdentity.ts';
import { known } from '../../../src/domain/facts.ts';
import type { PrincipalChangeCommand } from '../../../src/events/principalChange.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { startSessionEvent } from '../events/startSessionEvents.ts';
import { sessionSettings } from '../findings/builders.ts';
import { ACCOUNT, fakeIdentityStore, fakeLedger, fakeTagHistory, record, SESSION_ARN } from './stateFakes.ts';

const SETTINGS = sessionSettings();
const SHELL = {
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
};

/** A session audited while the record was missing (its StartSession event, as delivered). */
const waiting = (eventId: string, reported: boolean): PendingSession => ({
  accountId: ACCOUNT,
  region: 'us-east-1',
  eventId,
  eventTime: '2026-03-01T10:00:00.000Z',
  sessionId: `dana-${eventId}`,
  waitsFor: { by: 'role-session', sessionArn: SESSION_ARN, creationDate: '2026-03-01T10:00:00.000Z' },
  event: startSessionEvent({ eventID: eventId, responseElements: { sessionId: `dana-${eventId}` } }),
  reported,
});

const setup = () => {
  const table = fakeIdentityStore();
  const imported: AsffFinding[] = [];
  const placements: string[] = [];
  const ledger = fakeLedger();
  const history = fakeTagHistory();
  const sessionPorts = (accountId: string, region: string): SessionAuditPorts => {
    placements.push(`${accountId}/${region}`);
    return {
      principalTags: { tagsOf: async () => known({}) },
      sessionTags: { sessionTagsOf: async () => ({ status: 'not-a-role-session' }) },
      documents: {
        documentOf: async (name) => known({ name, content: SHELL, documentType: 'Session', version: '1' }),
      },
      platforms: { platformOf: async () => known('Linux' as const) },
      nodeUsers: { presenceOf: async () => ({ status: 'unknown', reason: 'no inventory' }) },
      findings: {
        importFindings: async (findings) => {
          imported.push(...findings);
        },
      },
      ledger: ledger.ledger,
    };
  };
  const ports = { identities: table.store, tagHistory: history.history, sessionPortsFor: sessionPorts };
  return { ports, table, imported, placements, ledger, history };
};

describe('an STS record arriving', () => {
  it('is kept, then the sessions that waited for it are claimed, audited again and settled, in that order', async () => {
    // Prepare
    const { ports, table, imported, placements, ledger } = setup();
    await table.store.addPending(waiting('e-1', true));
    await table.store.addPending(waiting('e-2', false));
    table.calls.length = 0;

    // Act
    const evaluation = await storeIdentity({ kind: 'sts-record', record: record('saml') }, ports, SETTINGS);

    // Assess
    expect(table.calls).toEqual(['put saml', 'claimPending saml', 'settlePending e-1', 'settlePending e-2']);
    expect(evaluation).toMatchObject({
      check: 'identity',
      eventId: 'saml',
      recordedIn: 'eu-west-1',
      sessionArn: SESSION_ARN,
      tagKeys: ['SSMSessionRunAs'],
      runAsSessionTag: 'dana',
    });
    expect(evaluation.check === 'identity' && evaluation.reaudited.map((e) => e.eventId)).toEqual([
      'e-1',
      'e-2',
    ]);
    // Only the session whose finding was written while it waited is written again (compliant now).
    expect(imported.map((f) => f.UpdatedAt)).toEqual(['2026-03-01T10:00:01.000Z']);
    expect(placements).toEqual([`${ACCOUNT}/us-east-1`, `${ACCOUNT}/us-east-1`]);
    expect(ledger.entries.map((e) => e.auditedBy)).toEqual(['identity', 'identity']);
    expect(table.pending.size).toBe(0);
  });

  it('leaves a claimed session waiting when this record still does not give its tags', async () => {
    // Prepare: a role session whose tags stay unknown after the re-audit.
    const { ports, table } = setup();
    const role = waiting('e-3', true);
    await table.store.addPending({
      ...role,
      event: startSessionEvent({
        eventID: 'e-3',
        responseElements: { sessionId: 'dana-e-3' },
        userIdentity: {
          type: 'AssumedRole',
          arn: SESSION_ARN,
          accountId: ACCOUNT,
          accessKeyId: 'ASIAOTHERKEY00000001',
          sessionContext: {
            sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/Ops`, accountId: ACCOUNT },
            attributes: { creationDate: '2026-03-01T10:00:00Z' },
          },
        },
      }),
    });
    const stillPending = {
      ...ports,
      sessionPortsFor: (accountId: string, region: string) => ({
        ...ports.sessionPortsFor(accountId, region),
        sessionTags: {
          sessionTagsOf: async () => ({ status: 'unknown' as const, reason: 'no', pending: true as const }),
        },
      }),
    };

    // Act
    const evaluation = await storeIdentity(
      { kind: 'sts-record', record: record('saml') },
      stillPending,
      SETTINGS,
    );

    // Assess
    expect(evaluation.check === 'identity' && evaluation.reaudited.map((e) => e.sessionTagsPending)).toEqual([
      true,
    ]);
    expect(table.calls).not.toContain('settlePending e-3');
  });

  it('leaves a claimed session unsettled when its audit fails, for the record’s retry', async () => {
    // Prepare
    const { ports, table } = setup();
    await table.store.addPending(waiting('e-1', true));
    const failing = {
      ...ports,
      sessionPortsFor: () => {
        throw new Error('throttled');
      },
    };

    // Act
    const run = storeIdentity({ kind: 'sts-record', record: record('saml') }, failing, SETTINGS);

    // Assess
    await expect(run).rejects.toThrow('throttled');
    expect(table.calls).not.toContain('settlePending e-1');
  });
});

describe('an SSMSessionRunAs change', () => {
  const change = (runAsValue: string | null): PrincipalChangeCommand & { runAsValue: string | null } => ({
    eventId: 'e-tag',
    eventTime: '2026-03-01T13:00:00.000Z',
    eventName: 'TagRole',
    accountId: ACCOUNT,
    partition: 'aws',
    principal: {
      kind: 'role',
      arn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
      accountId: ACCOUNT,
      name: 'Operators',
      path: '/',
      callerArn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
      accessKeyId: '',
    },
    pathKnown: false,
    runAsTagInvolved: true,
    runAsValue,
    deleted: false,
    changedBy: `arn:aws:iam::${ACCOUNT}:user/admin`,
  });

  it.each([
    ['a value set', 'root'],
    ['the tag removed', null],
  ])('is kept with its event time: %s', async (_name, value) => {
    // Prepare
    const { ports, history } = setup();

    // Act
    const evaluation = await storeIdentity({ kind: 'tag-change', change: change(value) }, ports, SETTINGS);

    // Assess
    expect(history.recorded).toEqual([
      {
        principal: { accountId: ACCOUNT, kind: 'role', name: 'Operators' },
        eventTime: '2026-03-01T13:00:00.000Z',
        eventId: 'e-tag',
        value,
      },
    ]);
    expect(evaluation).toMatchObject({ check: 'tag-history', value, recorded: 'recorded' });
  });
});
