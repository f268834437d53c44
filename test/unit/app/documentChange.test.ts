import { describe, expect, it } from 'vitest';
import { documentChange } from '../../../src/app/documentChange.ts';
import type { ChangeSettings } from '../../../src/app/postureResult.ts';
import { known, type Principal, unknown } from '../../../src/domain/facts.ts';
import { decidePreferencesPosture, decidePrincipalPosture } from '../../../src/domain/posture.ts';
import type { DocumentChangeCommand } from '../../../src/events/documentChange.ts';
import { findingId } from '../../../src/findings/findingId.ts';
import { buildPreferencesFinding } from '../../../src/findings/preferencesFinding.ts';
import { buildPrincipalFinding } from '../../../src/findings/principalFinding.ts';
import {
  ACCOUNT,
  addPrincipal,
  document,
  type FakeDocument,
  type FakeRegion,
  type FakeWorld,
  fakePorts,
  held,
  newRegion,
  newWorld,
  openSession,
  RUN_AS_OFF,
  RUN_AS_ON,
  role,
  seed,
  shell,
  user,
} from './changeFakes.ts';

const T1 = '2026-03-01T14:00:00.000Z';
const T2 = '2026-03-01T14:05:00.000Z';
const PREFS = 'SSM-SessionManagerRunShell';
const PREFS_ID = findingId(ACCOUNT, 'us-east-1', 'preferences', PREFS);
const OPERATORS = role('Operators', '/ops/');
const ALICE = user('alice');

const settings: ChangeSettings = {
  deniedRunAsUsers: new Set(['root']),
  auditedRegions: ['us-east-1'],
  terminateStaleSessions: false,
  sessionDocumentVersion: '$LATEST',
};

const command = (overrides: Partial<DocumentChangeCommand> = {}): DocumentChangeCommand => ({
  eventId: 'd0000000-0000-4000-8000-000000000001',
  eventTime: T1,
  eventName: 'UpdateDocumentDefaultVersion',
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  documentName: PREFS,
  documentType: 'unknown',
  deleted: false,
  changedBy: `arn:aws:iam::${ACCOUNT}:user/admin`,
  ...overrides,
});

/** Preferences with Run As on as version 1 and off as version 2; sessions run latestVersion. */
const versioned = (latestVersion: string, defaultVersion = latestVersion): FakeDocument => ({
  type: 'Session',
  versions: { '1': RUN_AS_ON, '2': RUN_AS_OFF },
  defaultVersion,
  latestVersion,
});

const world = (documents: Record<string, FakeDocument>): { w: FakeWorld; region: FakeRegion } => {
  const region = newRegion(documents);
  const w = newWorld({ 'us-east-1': region });
  addPrincipal(w, OPERATORS, { SSMSessionRunAs: 'opsadmin' });
  addPrincipal(w, ALICE, { SSMSessionRunAs: 'alice' });
  return { w, region };
};

/** A principal finding written earlier under Run As on. */
const seedPrincipal = (region: FakeRegion, principal: Principal, tags: Record<string, string>): string => {
  const finding = buildPrincipalFinding({
    partition: 'aws',
    region: 'us-east-1',
    accountId: ACCOUNT,
    principal,
    posture: {
      exists: true,
      decision: decidePrincipalPosture({
        preferences: known({ name: PREFS, version: '1', documentType: 'Session', content: RUN_AS_ON }),
        judgedVersion: '$LATEST',
        principal,
        principalTags: known(tags),
        deniedUsers: new Set(['root']),
      }),
    },
    change: { eventId: 'earlier', eventName: 'TagRole', eventTime: '2026-03-01T13:00:00.000Z' },
  });
  seed(region, finding);
  return finding.Id;
};

describe('documentChange: SSM-SessionManagerRunShell', () => {
  it('writes a HIGH preferences finding when $LATEST turns Run As off, naming $DEFAULT', async () => {
    // Prepare: UpdateDocument made version 2 (off) $LATEST; the default is still 1 (on).
    const { w, region } = world({ [PREFS]: versioned('2', '1') });

    // Act
    const evaluation = await documentChange(command({ eventName: 'UpdateDocument' }), fakePorts(w), settings);

    // Assess
    expect(evaluation).toMatchObject({
      check: 'preferences',
      action: 'written',
      outcome: 'RAN_AS_SSM_USER',
      severity: 'HIGH',
      documentVersion: '2',
      otherVersion: '1',
    });
    expect(held(region, PREFS_ID)).toMatchObject({
      Title: 'Run As is off in us-east-1: every shell session runs as ssm-user ($DEFAULT version 1 differs)',
      Compliance: { Status: 'FAILED' },
      UpdatedAt: T1,
      CreatedAt: T1,
    });
  });

  it('re-evaluates every ACTIVE principal finding of the Region, keeping CreatedAt', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: versioned('2') });
    const operatorsId = seedPrincipal(region, OPERATORS, { SSMSessionRunAs: 'root' });

    // Act
    const evaluation = await documentChange(command(), fakePorts(w), settings);

    // Assess
    expect(evaluation.principalFindingsReevaluated).toBe(1);
    expect(held(region, operatorsId)).toMatchObject({
      Title: 'Run As is off in us-east-1: shell sessions of role Operators run as ssm-user',
      ProductFields: expect.objectContaining({
        'RunAs/Outcome': 'RAN_AS_SSM_USER',
        'RunAs/ChangeEvent': 'UpdateDocumentDefaultVersion',
      }),
      CreatedAt: '2026-03-01T13:00:00.000Z',
      UpdatedAt: T1,
    });
  });

  it('resolves the preferences and principal findings when Run As is turned back on', async () => {
    // Prepare: off (version 2) at T1, then version 3 turns it back on and becomes the default at T2.
    const prefs: FakeDocument = {
      type: 'Session',
      versions: { '1': RUN_AS_ON, '2': RUN_AS_OFF, '3': RUN_AS_ON },
      defaultVersion: '2',
      latestVersion: '2',
    };
    const { w, region } = world({ [PREFS]: prefs });
    const operatorsId = seedPrincipal(region, OPERATORS, { SSMSessionRunAs: 'opsadmin' });
    await documentChange(command(), fakePorts(w), settings);
    prefs.defaultVersion = '3';
    prefs.latestVersion = '3';

    // Act
    const evaluation = await documentChange(command({ eventTime: T2 }), fakePorts(w), settings);

    // Assess
    expect(evaluation).toMatchObject({ action: 'resolved', outcome: 'COMPLIANT' });
    expect(held(region, PREFS_ID)).toMatchObject({
      Title: 'Run As is on in us-east-1 with default user "ec2-user"',
      Compliance: { Status: 'PASSED' },
      CreatedAt: T1,
      UpdatedAt: T2,
    });
    expect(held(region, operatorsId)).toMatchObject({ Compliance: { Status: 'PASSED' }, UpdatedAt: T2 });
  });

  it('says when $DEFAULT differs from $LATEST in Run As settings, even while $LATEST is fine', async () => {
    // Prepare: $LATEST (1) on, $DEFAULT (2) off.
    const { w, region } = world({
      [PREFS]: {
        type: 'Session',
        versions: { '1': RUN_AS_OFF, '2': RUN_AS_ON },
        defaultVersion: '1',
        latestVersion: '2',
      },
    });

    // Act
    const evaluation = await documentChange(command({ eventName: 'UpdateDocument' }), fakePorts(w), settings);

    // Assess
    expect(evaluation).toMatchObject({
      outcome: 'COMPLIANT',
      action: 'written',
      documentVersion: '2',
      otherVersion: '1',
    });
    const finding = held(region, PREFS_ID);
    expect(finding.Title).toBe(
      'Run As is on in us-east-1 with default user "ec2-user" ($DEFAULT version 1 differs)',
    );
    expect(finding.Description).toContain(
      '$DEFAULT (version "1") has other Run As settings: judged by it, this would be RAN_AS_SSM_USER',
    );
    expect(finding.ProductFields).toMatchObject({
      'RunAs/DocumentVersion': '2',
      'RunAs/JudgedVersion': '$LATEST',
      'RunAs/OtherVersion': '1',
      'RunAs/OtherVersionOutcome': 'RAN_AS_SSM_USER',
    });
  });

  it('judges $DEFAULT when SESSION_DOCUMENT_VERSION=default', async () => {
    // Prepare
    const { w } = world({ [PREFS]: versioned('2', '1') });

    // Act
    const evaluation = await documentChange(command({ eventName: 'UpdateDocument' }), fakePorts(w), {
      ...settings,
      sessionDocumentVersion: '$DEFAULT',
    });

    // Assess
    expect(evaluation).toMatchObject({ outcome: 'COMPLIANT', documentVersion: '1', otherVersion: '2' });
  });

  it('leaves a finding already updated at or after the event alone (a late delivery)', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: versioned('2') });
    await documentChange(command({ eventTime: T2 }), fakePorts(w), settings);
    const importsBefore = region.imported.length;

    // Act
    const evaluation = await documentChange(command({ eventTime: T1 }), fakePorts(w), settings);

    // Assess
    expect(evaluation).toMatchObject({ action: 'skipped' });
    expect(evaluation.reason).toMatch(/updated at or after this event/);
    expect(region.imported.length).toBe(importsBefore);
    expect(region.imported.every((f) => Date.parse(f.CreatedAt) <= Date.parse(f.UpdatedAt))).toBe(true);
  });

  it('does not call versions different when only other inputs changed', async () => {
    const { w, region } = world({
      [PREFS]: {
        type: 'Session',
        versions: {
          '1': RUN_AS_ON,
          '2': shell({ runAsEnabled: true, runAsDefaultUser: 'ec2-user', idleSessionTimeout: '60' }),
        },
        defaultVersion: '1',
        latestVersion: '2',
      },
    });

    const evaluation = await documentChange(command({ eventName: 'UpdateDocument' }), fakePorts(w), settings);

    expect(evaluation).toMatchObject({ otherVersion: '', action: 'not-written' });
    expect(region.imported).toEqual([]);
  });

  it('treats a deleted SSM-SessionManagerRunShell as the built-in defaults: Run As off', async () => {
    const { w, region } = world({});

    const evaluation = await documentChange(
      command({ eventName: 'DeleteDocument', deleted: true }),
      fakePorts(w),
      settings,
    );

    expect(evaluation).toMatchObject({ action: 'written', outcome: 'RAN_AS_SSM_USER' });
    expect(held(region, PREFS_ID)).toMatchObject({
      RecordState: 'ACTIVE',
      Title: 'Run As is off in us-east-1: every shell session runs as ssm-user',
    });
    expect(held(region, PREFS_ID).Description).toContain('built-in defaults');
    expect(held(region, PREFS_ID).Description).not.toContain('version');
    expect(evaluation).toMatchObject({ documentVersion: '', otherVersion: '' });
  });

  it('compares every open session with the new preferences', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: versioned('2') });
    openSession(region, { sessionId: 'alice-1', principal: ALICE, sessionUser: 'alice' });
    openSession(region, {
      sessionId: 'ops-1',
      principal: OPERATORS,
      sessionUser: 'opsadmin',
      document: 'Custom-Shell',
    });
    region.documents.set('Custom-Shell', document(RUN_AS_ON));

    // Act
    const evaluation = await documentChange(command(), fakePorts(w), settings);

    // Assess: alice's shell used the preferences; the custom document still has Run As on.
    expect(evaluation.sessions).toMatchObject({ open: 2, stale: ['alice-1'] });
    expect(held(region, findingId(ACCOUNT, 'us-east-1', 'active-session', 'alice-1')).Title).toBe(
      'Session alice-1 still runs as "alice" after the mapping changed to "ssm-user"',
    );
  });

  it('leaves principals and sessions alone when the document cannot be read', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: versioned('1') });
    seedPrincipal(region, OPERATORS, { SSMSessionRunAs: 'root' });
    openSession(region, { sessionId: 'alice-1', principal: ALICE, sessionUser: 'alice' });
    const ports = fakePorts(w);
    const regionPorts = ports.inRegion('us-east-1');
    const unreadable = {
      ...ports,
      inRegion: () => ({
        ...regionPorts,
        documents: { documentOf: async () => unknown('AccessDeniedException') },
      }),
    };

    // Act
    const evaluation = await documentChange(command(), unreadable, settings);

    // Assess
    expect(evaluation).toMatchObject({
      outcome: 'UNVERIFIED',
      action: 'written',
      principalFindingsReevaluated: 0,
      sessions: null,
    });
    expect(region.imported.map((f) => f.Id)).toEqual([PREFS_ID]);
  });
});

describe('documentChange: a custom session document', () => {
  const customId = findingId(ACCOUNT, 'us-east-1', 'preferences', 'RootDefault-Shell');
  const rootDefault = shell({ runAsEnabled: true, runAsDefaultUser: 'root' });

  it('flags a created document whose default user is denied, and compares only its own sessions', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: document(RUN_AS_ON), 'RootDefault-Shell': document(rootDefault) });
    openSession(region, { sessionId: 'alice-1', principal: ALICE, sessionUser: 'alice' });
    openSession(region, {
      sessionId: 'alice-2',
      principal: ALICE,
      sessionUser: 'ec2-user',
      document: 'RootDefault-Shell',
    });
    addPrincipal(w, ALICE, {});

    // Act
    const evaluation = await documentChange(
      command({ eventName: 'CreateDocument', documentName: 'RootDefault-Shell', documentType: 'Session' }),
      fakePorts(w),
      settings,
    );

    // Assess
    expect(evaluation).toMatchObject({
      action: 'written',
      outcome: 'DISALLOWED_RUN_AS_USER',
      principalFindingsReevaluated: 0,
    });
    expect(held(region, customId)).toMatchObject({
      Title: 'Default Run As user "root" is denied in document "RootDefault-Shell" (us-east-1)',
      Resources: [
        expect.objectContaining({ Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/RootDefault-Shell` }),
      ],
    });
    expect(evaluation.sessions).toMatchObject({ open: 1, stale: ['alice-2'] });
  });

  it('archives the preferences finding of a deleted document', async () => {
    // Prepare
    const { w, region } = world({ [PREFS]: document(RUN_AS_ON) });
    seed(
      region,
      buildPreferencesFinding({
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        documentName: 'RootDefault-Shell',
        posture: {
          exists: true,
          decision: decidePreferencesPosture({
            documentName: 'RootDefault-Shell',
            document: known({
              name: 'RootDefault-Shell',
              version: '1',
              documentType: 'Session',
              content: rootDefault,
            }),
            judgedVersion: '$LATEST',
            deniedUsers: new Set(['root']),
          }),
        },
        change: { eventId: 'x', eventName: 'CreateDocument', eventTime: '2026-03-01T13:00:00.000Z' },
      }),
    );
    expect(held(region, customId).RecordState).toBe('ACTIVE');

    // Act
    const evaluation = await documentChange(
      command({
        eventName: 'DeleteDocument',
        documentName: 'RootDefault-Shell',
        deleted: true,
        eventTime: T2,
      }),
      fakePorts(w),
      settings,
    );

    // Assess
    expect(evaluation).toMatchObject({ action: 'archived', sessions: null });
    expect(held(region, customId)).toMatchObject({
      RecordState: 'ARCHIVED',
      Title: 'Document "RootDefault-Shell" was deleted in us-east-1',
      CreatedAt: '2026-03-01T13:00:00.000Z',
      UpdatedAt: T2,
    });
  });

  it('skips a deleted document that never had a finding', async () => {
    const { w, region } = world({ [PREFS]: document(RUN_AS_ON) });

    const evaluation = await documentChange(
      command({ eventName: 'DeleteDocument', documentName: 'Gone-Shell', deleted: true }),
      fakePorts(w),
      settings,
    );

    expect(evaluation.action).toBe('skipped');
    expect(region.imported).toEqual([]);
  });

  it('skips a document that GetDocument says is not a Session document', async () => {
    const { w, region } = world({
      [PREFS]: document(RUN_AS_ON),
      'Patch-Things': document({ schemaVersion: '2.2' }, 'Command'),
    });

    const evaluation = await documentChange(
      command({ documentName: 'Patch-Things' }),
      fakePorts(w),
      settings,
    );

    expect(evaluation).toMatchObject({
      action: 'skipped',
      reason: 'document Patch-Things is a Command document, not a Session document',
    });
    expect(region.imported).toEqual([]);
  });
});
