/**
 * The reviews no change event asked for: the audit command's posture of an account, and the
 * sweep's refresh of posture findings about to expire, both through the change use cases.
 */
import { describe, expect, it } from 'vitest';
import { auditPosture } from '../../../src/app/auditPosture.ts';
import { documentChange } from '../../../src/app/documentChange.ts';
import { createFindingBatch } from '../../../src/app/findingBatch.ts';
import type { PrincipalLister } from '../../../src/app/historyPorts.ts';
import type { ChangeSettings } from '../../../src/app/postureResult.ts';
import { documentReview, principalReview, type Review } from '../../../src/app/postureReviews.ts';
import { principalChange } from '../../../src/app/principalChange.ts';
import { REFRESH_AFTER_MS, refreshPosture } from '../../../src/app/refreshPosture.ts';
import { runSweep, sweepFailure } from '../../../src/app/sweep.ts';
import { known, unknown } from '../../../src/domain/facts.ts';
import { findingId } from '../../../src/findings/findingId.ts';
import {
  ACCOUNT,
  addPrincipal,
  document,
  fakeImporter,
  fakePorts,
  held,
  newRegion,
  newWorld,
  RUN_AS_OFF,
  RUN_AS_ON,
  role,
  user,
} from './changeFakes.ts';
import { historyOf, keepingImporter, memoryState, sessionReads, startSessionRecord } from './historyFakes.ts';

const AT = '2026-03-01T12:00:00.000Z';
const DAY_MS = 86_400_000;
const settings: ChangeSettings = {
  deniedRunAsUsers: new Set(['root']),
  auditedRegions: ['us-east-1', 'eu-west-1'],
  terminateStaleSessions: false,
  sessionDocumentVersion: '$LATEST',
};
const review = (eventName: string, eventTime = AT): Review => ({
  eventName,
  eventTime,
  accountId: ACCOUNT,
  partition: 'aws',
  by: 'tester',
});
const twoRegions = () =>
  newWorld({
    'us-east-1': newRegion({ 'SSM-SessionManagerRunShell': document(RUN_AS_ON) }),
    'eu-west-1': newRegion({ 'SSM-SessionManagerRunShell': document(RUN_AS_OFF) }),
  });
const OSCAR = user('oscar');
const BOB = user('bob');
const OPERATORS = role('Operators', '/ops/');

describe('auditPosture', () => {
  it("reviews each Region's preferences and every principal with an SSMSessionRunAs tag, into the batch", async () => {
    // Prepare
    const world = twoRegions();
    addPrincipal(world, OSCAR, { SSMSessionRunAs: 'root' });
    addPrincipal(world, BOB, { team: 'ops' });
    addPrincipal(world, OPERATORS, { ssmsessionrunas: 'opsadmin' });
    const lister: PrincipalLister = {
      listPrincipals: async () => known([OSCAR, BOB, OPERATORS, { ...user('root'), kind: 'root' as const }]),
    };
    const batch = createFindingBatch();

    // Act
    const posture = await auditPosture({
      review: review('PostureAudit'),
      reads: fakePorts(world),
      lister,
      batch,
      settings,
      parallelism: 2,
    });

    // Assess
    expect(posture).toMatchObject({ principalsListed: 3, principalsReviewed: 2 });
    expect(posture.evaluations.map((e) => e.event).sort()).toEqual([
      'posture/eu-west-1/SSM-SessionManagerRunShell',
      'posture/role/ops/Operators',
      'posture/us-east-1/SSM-SessionManagerRunShell',
      'posture/user/oscar',
    ]);
    const findings = batch.groups().flatMap((g) => g.findings);
    const oscar = findings.find((f) => f.Id === findingId(ACCOUNT, 'us-east-1', 'principal', OSCAR.arn));
    expect(oscar?.ProductFields).toMatchObject({
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
      'RunAs/ChangeEvent': 'PostureAudit',
    });
    expect(oscar?.UpdatedAt).toBe(AT);
    const westPrefs = findings.find(
      (f) => f.Id === findingId(ACCOUNT, 'eu-west-1', 'preferences', 'SSM-SessionManagerRunShell'),
    );
    expect(westPrefs?.ProductFields['RunAs/Outcome']).toBe('RAN_AS_SSM_USER');
    // Nothing reached Security Hub: the batch holds the findings.
    expect(world.regions.get('us-east-1')?.imported).toEqual([]);
  });

  it('says so when the principals cannot be listed, and still reviews the preferences', async () => {
    // Prepare
    const world = twoRegions();
    const lister: PrincipalLister = {
      listPrincipals: async () => unknown('the auditor is not allowed iam:ListUsers'),
    };

    // Act
    const posture = await auditPosture({
      review: review('PostureAudit'),
      reads: fakePorts(world),
      lister,
      batch: createFindingBatch(),
      settings,
      parallelism: 2,
    });

    // Assess
    expect(posture.evaluations.at(-1)?.runs[0]?.error).toEqual({
      errorType: 'PrincipalsUnreadable',
      errorMessage: 'the auditor is not allowed iam:ListUsers',
    });
    expect(posture.evaluations.filter((e) => e.runs[0]?.result !== undefined)).toHaveLength(2);
  });
});

describe('refreshPosture', () => {
  const old = new Date(Date.parse(AT) - 40 * DAY_MS).toISOString();
  const recent = new Date(Date.parse(AT) - 10 * DAY_MS).toISOString();

  it('re-imports, at the scheduled time, posture findings not updated for 30 days whose state still holds', async () => {
    // Prepare: oscar's finding is 40 days old, Operators' 10 days; the principal gone has one too.
    const world = twoRegions();
    addPrincipal(world, OSCAR, { SSMSessionRunAs: 'root' });
    addPrincipal(world, OPERATORS, { SSMSessionRunAs: 'root' });
    const gone = user('mallory');
    addPrincipal(world, gone, { SSMSessionRunAs: 'root' });
    const ports = fakePorts(world);
    await principalChange(principalReview(review('TagUser', old), OSCAR), ports, settings);
    await principalChange(principalReview(review('TagUser', old), gone), ports, settings);
    await principalChange(principalReview(review('TagRole', recent), OPERATORS), ports, settings);
    world.principals.delete('user:mallory');
    const east = world.regions.get('us-east-1');
    const operatorsId = findingId(ACCOUNT, 'us-east-1', 'principal', OPERATORS.arn);
    const before = held(east, operatorsId).UpdatedAt;

    // Act
    const result = await refreshPosture(
      review('SweepRefresh'),
      { reads: ports, importerFor: fakeImporter(world), remainingTimeMs: () => 900_000 },
      settings,
    );

    // Assess: oscar's and mallory's findings, in both Regions, are the stale ones.
    expect(REFRESH_AFTER_MS).toBe(30 * DAY_MS);
    expect(result.failed).toEqual([]);
    expect(result.stale).toBe(4);
    const oscar = held(east, findingId(ACCOUNT, 'us-east-1', 'principal', OSCAR.arn));
    expect(oscar).toMatchObject({ UpdatedAt: AT, CreatedAt: old, RecordState: 'ACTIVE' });
    expect(oscar.ProductFields).toMatchObject({
      'RunAs/ChangeEvent': 'SweepRefresh',
      'RunAs/Outcome': 'DISALLOWED_RUN_AS_USER',
    });
    expect(held(east, findingId(ACCOUNT, 'us-east-1', 'principal', gone.arn)).RecordState).toBe('ARCHIVED');
    expect(held(east, operatorsId).UpdatedAt).toBe(before);
  });

  it('refreshes a Region’s stale preferences finding through the document review', async () => {
    // Prepare
    const world = twoRegions();
    const ports = fakePorts(world);
    await documentChange(
      documentReview(review('UpdateDocument', old), 'eu-west-1', 'SSM-SessionManagerRunShell'),
      ports,
      settings,
    );

    // Act
    const result = await refreshPosture(
      review('SweepRefresh'),
      { reads: ports, importerFor: fakeImporter(world), remainingTimeMs: () => 900_000 },
      settings,
    );

    // Assess
    expect(result.reviews).toHaveLength(1);
    const prefs = held(
      world.regions.get('eu-west-1'),
      findingId(ACCOUNT, 'eu-west-1', 'preferences', 'SSM-SessionManagerRunShell'),
    );
    expect(prefs.UpdatedAt).toBe(AT);
    expect(result.findingsImported).toBeGreaterThan(0);
  });
});

describe('runSweep', () => {
  it('sweeps the sessions, refreshes the posture, and ends in an error only when something can pass', async () => {
    // Prepare
    const world = twoRegions();
    const { history } = historyOf([startSessionRecord(1, '2026-03-01T11:00:00Z', { user: 'oscar' })]);
    const state = memoryState();
    const { importer, imported } = keepingImporter();
    const { reads } = sessionReads({ oscar: { SSMSessionRunAs: 'root' } });
    const input = {
      accountId: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws' as const,
      scheduledTime: AT,
      now: Date.parse(AT),
      remainingTimeMs: () => 900_000,
    };
    const sweepSettings = {
      ...settings,
      reportCompliantSessions: false,
      reportNotApplicable: false,
      sessionLogReadDelaySeconds: 60,
    };
    const ports = {
      sessions: {
        history,
        reads,
        importerFor: () => importer,
        ledger: state.ledger,
        watermarks: state.watermarks,
      },
      refresh: { reads: fakePorts(world), importerFor: fakeImporter(world), remainingTimeMs: () => 900_000 },
    };

    // Act
    const result = await runSweep(input, ports, sweepSettings);
    const failure = sweepFailure({
      ...result,
      sessions: {
        ...result.sessions,
        failed: [{ eventId: 'e-1', errorType: 'AwsCallError', errorMessage: 'throttled' }],
      },
    });

    // Assess
    expect(result.sessions.slices.reduce((n, s) => n + s.audited, 0)).toBe(1);
    expect(imported).toHaveLength(1);
    expect(result.refresh).toMatchObject({ stale: 0, reviews: 0, failed: [] });
    expect(sweepFailure(result)).toBeUndefined();
    expect(failure?.name).toBe('SweepIncompleteError');
    expect(failure?.message).toMatch(
      /^1 record\(s\) or review\(s\) failed and will be read again \(first: e-1: AwsCallError: throttled\)/,
    );
  });
});
