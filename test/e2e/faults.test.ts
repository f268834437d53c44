/**
 * Faults through replay (real handler, real SDK over HTTP, local endpoint): whatever AWS does,
 * nothing is lost — a finding is written, or the record fails so the queue keeps the event (and,
 * after its receives, the dead-letter queue).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import type { ReplayEvent } from '../../src/local/tools/replay.ts';
import { demoWorld, findingById, onlyRun, readEvents, replayAll, withDetail } from './replayHelpers.ts';

const SESSION_TAG = 'startsession-compliant-session-tag.json';
const ALICE = 'startsession-compliant-iamuser-tag.json';
const BOB_MISSING = 'startsession-missing-run-as-user.json';

let local: LocalAws;

beforeEach(async () => {
  local = await startLocalAws(await demoWorld());
});

afterEach(async () => {
  await local.close();
});

const serviceCalls = (endpoint: LocalAws, service: string): number =>
  Object.entries(endpoint.calls.snapshot())
    .filter(([operation]) => operation.startsWith(`${service}:`))
    .reduce((sum, [, count]) => sum + count, 0);

const replayOn = async (events: readonly ReplayEvent[]) =>
  replayAll(events, { world: await demoWorld(), local });
const idOf = (events: readonly ReplayEvent[], name: string): string => {
  const event = events.find((e) => e.name === name)?.event as
    | { detail: { recipientAccountId: string; awsRegion: string; responseElements: { sessionId: string } } }
    | undefined;
  if (event === undefined) throw new Error(`no event ${name}`);
  const { detail } = event;
  return `${detail.recipientAccountId}/${detail.awsRegion}/ssm-runas/session/${detail.responseElements.sessionId}`;
};

describe('throttling', () => {
  it.each(['iam', 'ssm', 'cloudtrail', 'securityhub'] as const)(
    'on %s is retried by the SDK and the finding is still written',
    async (service) => {
      // Prepare: a role session reads all four services.
      const events = await readEvents([SESSION_TAG]);
      local.faults.add({ service, kind: 'throttle', times: 2 });

      // Act
      const result = await replayOn(events);

      // Assess
      expect(onlyRun(result, SESSION_TAG).error).toBeUndefined();
      expect(onlyRun(result, SESSION_TAG).result).toMatchObject({
        outcome: 'COMPLIANT',
        expectedUser: 'carol',
      });
      expect(findingById(local.findings(), idOf(events, SESSION_TAG))).toBeDefined();
      // Two throttled calls were retried: the service saw exactly two calls more than without faults.
      const baseline = await startLocalAws(await demoWorld());
      try {
        await replayAll(events, { world: await demoWorld(), local: baseline });
        expect(serviceCalls(local, service)).toBe(serviceCalls(baseline, service) + 2);
      } finally {
        await baseline.close();
      }
    },
  );
});

describe('persistent server errors', () => {
  it.each([
    ['ssm', 'GetDocument'],
    ['iam', 'ListUserTags'],
    ['securityhub', 'BatchImportFindings'],
  ] as const)(
    'on %s:%s fail the record on every receive, dead-letter the event, and write no partial finding',
    async (service, operation) => {
      // Prepare
      const events = await readEvents([ALICE]);
      local.faults.add({ service, operation, kind: 'server-error' });

      // Act
      const result = await replayOn(events);

      // Assess
      expect(onlyRun(result, ALICE).error?.errorType).toBe('AwsCallError');
      expect(onlyRun(result, ALICE).error?.errorMessage).toContain(operation);
      expect(result.deadLetters.map((d) => [d.event, d.receives, d.error.errorType])).toEqual([
        [ALICE, 5, 'AwsCallError'],
      ]);
      expect(local.findings()).toEqual([]);
    },
  );
});

describe('access denied on a read', () => {
  it.each([
    ['iam', 'ListUserTags', 'iam:ListUserTags'],
    ['ssm', 'GetDocument', 'ssm:GetDocument'],
  ] as const)(
    'on %s:%s gives an UNVERIFIED finding naming the denied action',
    async (service, operation, action) => {
      // Prepare
      const events = await readEvents([ALICE]);
      local.faults.add({ service, operation, kind: 'access-denied' });

      // Act
      const result = await replayOn(events);

      // Assess
      expect(onlyRun(result, ALICE).result).toMatchObject({ outcome: 'UNVERIFIED' });
      const finding = findingById(local.findings(), idOf(events, ALICE));
      expect(finding?.Compliance?.Status).toBe('NOT_AVAILABLE');
      expect(finding?.Description).toContain(action);
    },
  );
});

describe('Security Hub refusing a finding', () => {
  it('fails the record with AccessDenied until the event ends in the dead-letter queue', async () => {
    // Prepare: an account whose product ARN this Security Hub does not serve.
    const [event] = await readEvents([ALICE]);
    if (event === undefined) throw new Error('no fixture');
    const foreign = withDetail(event.event, (detail, envelope) => {
      envelope.account = '999988887777';
      detail.recipientAccountId = '999988887777';
    });

    // Act
    const result = await replayOn([{ name: ALICE, event: foreign }]);

    // Assess
    // The audit account may not import another account's finding: AccessDenied, as AWS answers.
    expect(onlyRun(result, ALICE).error).toMatchObject({ errorType: 'AwsCallError' });
    expect(onlyRun(result, ALICE).error?.errorMessage).toContain(
      'securityhub:BatchImportFindings on resource: arn:aws:securityhub:us-east-1:999988887777:product/',
    );
    expect(onlyRun(result, ALICE).receives).toBe(5);
    expect(result.deadLetters).toMatchObject([
      { event: ALICE, receives: 5, error: { errorType: 'AwsCallError' } },
    ]);
    expect(local.findings()).toEqual([]);
  });
});

describe('delivery', () => {
  it('the same event delivered three times leaves one finding, unchanged', async () => {
    // Prepare
    const events = await readEvents([BOB_MISSING]);
    const once = await replayAll(events, { world: await demoWorld() });

    // Act
    const thrice = await replayOn([...events, ...events, ...events]);

    // Assess
    expect(thrice.findings).toHaveLength(1);
    expect(thrice.findings).toEqual(once.findings);
  });

  it('an older event delivered late never overwrites a newer state', async () => {
    // Prepare: the same session seen earlier as alice's (COMPLIANT), delivered after bob's (MISSING).
    const [newer] = await readEvents([BOB_MISSING]);
    const [alice] = await readEvents([ALICE]);
    if (newer === undefined || alice === undefined) throw new Error('no fixture');
    const newerDetail = (newer.event as { detail: { eventTime: string; responseElements: object } }).detail;
    const older = withDetail(alice.event, (detail, envelope) => {
      detail.eventID = '00000000-0000-4000-8000-000000000001';
      detail.eventTime = '2026-03-01T11:00:00Z';
      envelope.time = '2026-03-01T11:00:00Z';
      detail.responseElements = newerDetail.responseElements;
    });

    // Act
    const result = await replayOn([newer, { name: 'late-older.json', event: older }]);

    // Assess
    expect(onlyRun(result, 'late-older.json').result).toMatchObject({ outcome: 'COMPLIANT' });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.ProductFields?.['RunAs/Outcome']).toBe('MISSING_RUN_AS_USER');
    expect(result.findings[0]?.UpdatedAt).toBe(new Date(newerDetail.eventTime).toISOString());
  });

  it('in order, the newer event updates the finding in place', async () => {
    // Prepare
    const [newer] = await readEvents([BOB_MISSING]);
    const [alice] = await readEvents([ALICE]);
    if (newer === undefined || alice === undefined) throw new Error('no fixture');
    const newerDetail = (newer.event as { detail: { responseElements: object } }).detail;
    const older = withDetail(alice.event, (detail, envelope) => {
      detail.eventTime = '2026-03-01T11:00:00Z';
      envelope.time = '2026-03-01T11:00:00Z';
      detail.responseElements = newerDetail.responseElements;
    });

    // Act
    const result = await replayOn([{ name: 'older.json', event: older }, newer]);

    // Assess
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.ProductFields?.['RunAs/Outcome']).toBe('MISSING_RUN_AS_USER');
  });
});
