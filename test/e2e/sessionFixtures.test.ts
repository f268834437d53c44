/**
 * Every events/startsession-*.json fixture through replay: the real handler, the real SDK over
 * HTTP, the local endpoint serving the bundled world. Evaluations are checked against the
 * oracle and the stored findings field by field against the finding contract (deterministic Id,
 * event-time UpdatedAt, outcome, compliance and severity, RunAs/ product fields).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_PRECEDENCE, ratingOf } from '../../src/domain/outcome.ts';
import type { ReplayEvent, ReplayResult } from '../../src/local/tools/replay.ts';
import { FIXTURE_EXPECTATIONS } from './fixtureExpectations.ts';
import { demoWorld, findingById, readEvents, replayAll, sessionEventFiles } from './replayHelpers.ts';

const TYPE = 'Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As';

let events: ReplayEvent[];
let result: ReplayResult;

beforeAll(async () => {
  events = await readEvents(await sessionEventFiles());
  result = await replayAll(events, { world: await demoWorld() });
});

interface Detail {
  eventID: string;
  eventTime: string;
  recipientAccountId: string;
  awsRegion: string;
  requestParameters: { target: string; documentName?: string };
  responseElements: { sessionId: string } | null;
  errorCode?: string;
}

/** The runs of a replayed event: the session audit's, then the readings of its session log. */
const runsOf = (name: string) => {
  const runs = result.evaluations.find((e) => e.event === name)?.runs ?? [];
  const [audit, ...readings] = runs;
  if (audit === undefined) throw new Error(`${name}: no run`);
  return { audit, readings };
};

const finalOutcome = (e: (typeof FIXTURE_EXPECTATIONS)[string]) => e.sessionLog?.outcome ?? e.outcome;

const detailOf = (name: string): Detail => {
  const event = events.find((e) => e.name === name)?.event as { detail: Detail } | undefined;
  if (event === undefined) throw new Error(`no event ${name}`);
  return event.detail;
};

describe('bundled StartSession fixtures', () => {
  it('has an oracle entry for every fixture, and every outcome code is exercised', async () => {
    // Prepare
    const files = await sessionEventFiles();
    // Assess
    expect(files.sort()).toEqual(Object.keys(FIXTURE_EXPECTATIONS).sort());
    expect(new Set(Object.values(FIXTURE_EXPECTATIONS).flatMap((e) => [e.outcome, finalOutcome(e)]))).toEqual(
      new Set(OUTCOME_PRECEDENCE),
    );
  });

  it.each(Object.entries(FIXTURE_EXPECTATIONS))('%s is evaluated as the oracle says', (name, expected) => {
    // Act
    const { audit: run, readings } = runsOf(name);
    // Assess
    expect(run.logicalId).toBe('AuditSessionFunction');
    expect(readings.every((r) => r.logicalId === 'SessionVerificationFunction')).toBe(true);
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({
      check: 'session',
      outcome: expected.outcome,
      expectedUser: expected.expectedUser,
      expectedUserSource: expected.expectedUserSource,
      sessionUser: expected.sessionUser,
      userVerified: expected.userVerified,
      principalType: expected.principalType,
    });
  });

  it.each(Object.entries(FIXTURE_EXPECTATIONS))(
    '%s is stored in Security Hub as the contract says',
    (name, expected) => {
      // Prepare
      const detail = detailOf(name);
      const evaluation = runsOf(name).audit.result as {
        principal: string;
        platform: string;
        findingId: string;
      };
      const account = detail.recipientAccountId;
      const region = detail.awsRegion;
      const sessionId = detail.responseElements?.sessionId;
      const eventTime = new Date(detail.eventTime).toISOString();
      const outcome = finalOutcome(expected);
      const rating = ratingOf(outcome);
      const updatedAt = new Date(
        Date.parse(eventTime) + (expected.sessionLog?.readAfterSeconds ?? 0) * 1000,
      ).toISOString();

      // Act
      const finding = findingById(
        result.findings,
        `${account}/${region}/ssm-runas/session/${sessionId ?? detail.eventID}`,
      );

      // Assess
      expect(finding, 'finding stored under the deterministic Id').toBeDefined();
      if (expected.sessionLog === undefined || expected.outcome !== 'COMPLIANT')
        expect(evaluation.findingId).toBe(finding?.Id);
      expect(finding).toMatchObject({
        SchemaVersion: '2018-10-08',
        ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
        GeneratorId: 'ssm-runas-auditor/session',
        AwsAccountId: account,
        Region: region,
        Types: [TYPE],
        CreatedAt: eventTime,
        UpdatedAt: updatedAt,
        Severity: { Label: rating.severity, Original: outcome },
        FindingProviderFields: {
          Severity: { Label: rating.severity, Original: outcome },
          Types: [TYPE],
        },
        Compliance: { Status: rating.compliance },
        RecordState: 'ACTIVE',
      });
      expect(finding?.Title.length).toBeLessThanOrEqual(256);
      expect(finding?.Description.length).toBeLessThanOrEqual(1024);
      expect(finding?.Workflow, 'a finding provider never sets Workflow').toEqual({ Status: 'NEW' });

      const fields = finding?.ProductFields ?? {};
      const exact: Record<string, string> = {
        'RunAs/Check': 'session',
        'RunAs/Outcome': outcome,
        'RunAs/ExpectedUser': expected.expectedUser,
        'RunAs/ExpectedUserSource': expected.expectedUserSource,
        // Once the log shows another user, that is whom the session ran as.
        'RunAs/SessionUser':
          expected.sessionLog?.verdict === 'unexpected-user'
            ? expected.sessionLog.observedUser
            : expected.sessionUser,
        'RunAs/ObservedUser': expected.sessionLog?.observedUser ?? '',
        'RunAs/SessionId': sessionId ?? '',
        'RunAs/Principal': evaluation.principal,
        'RunAs/Target': detail.requestParameters.target,
        'RunAs/Document': detail.requestParameters.documentName ?? 'SSM-SessionManagerRunShell',
        'RunAs/Platform': evaluation.platform,
        'RunAs/UserVerified': String(expected.userVerified),
      };
      for (const [key, value] of Object.entries(exact)) {
        // Security Hub rejects empty values: an empty contract value is an absent key.
        if (value === '') expect(fields, key).not.toHaveProperty(key);
        else expect(fields[key], key).toBe(value);
      }
      expect(['none', 'applied', 'unknown']).toContain(fields['RunAs/SessionTags']);
      // The bundled world's other documents do not stream: their findings say why no log is read.
      if (expected.sessionLog !== undefined)
        expect(fields['RunAs/SessionLog']).toBe(expected.sessionLog.verdict);
      else expect([undefined, 'not-verifiable']).toContain(fields['RunAs/SessionLog']);
      expect(Object.keys(fields).every((key) => key.startsWith('RunAs/'))).toBe(true);

      const resources = finding?.Resources ?? [];
      if (sessionId !== undefined) {
        expect(resources).toContainEqual(
          expect.objectContaining({
            Type: 'Other',
            Id: `arn:aws:ssm:${region}:${account}:session/${sessionId}`,
          }),
        );
      }
      const target = detail.requestParameters.target;
      const node = target.startsWith('i-')
        ? { Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${region}:${account}:instance/${target}` }
        : target.startsWith('mi-')
          ? { Type: 'Other', Id: `arn:aws:ssm:${region}:${account}:managed-instance/${target}` }
          : { Type: 'Other', Id: target };
      expect(resources).toContainEqual(expect.objectContaining(node));
      const principalType = { user: 'AwsIamUser', role: 'AwsIamRole' }[expected.principalType] ?? 'Other';
      expect(resources).toContainEqual(
        expect.objectContaining({ Type: principalType, Id: evaluation.principal }),
      );
    },
  );

  it.each(Object.entries(FIXTURE_EXPECTATIONS).filter(([, e]) => e.sessionLog !== undefined))(
    '%s is read in its session log as the oracle says',
    (name, expected) => {
      // Act
      const { readings } = runsOf(name);
      const last = readings.at(-1)?.result as { verdict: string; outcome: string; observedUser: string };

      // Assess
      expect(readings.map((r) => r.error)).toEqual(readings.map(() => undefined));
      expect(readings).toHaveLength(expected.sessionLog?.readAfterSeconds === 60 ? 1 : 2);
      expect(last).toMatchObject({
        verdict: expected.sessionLog?.verdict,
        outcome: expected.sessionLog?.outcome,
        observedUser: expected.sessionLog?.observedUser,
      });
    },
  );

  it('writes nothing for compliant and not-applicable sessions with the default configuration', async () => {
    // Act
    const quiet = await replayAll(events, { world: await demoWorld(), envVars: { Parameters: {} } });
    // Assess
    const outcomes = quiet.findings.map((f) => f.ProductFields?.['RunAs/Outcome']);
    expect(outcomes).not.toContain('COMPLIANT');
    expect(outcomes).not.toContain('NOT_APPLICABLE');
    // A compliant session whose log shows another user is written all the same.
    const reported = Object.values(FIXTURE_EXPECTATIONS).filter(
      (e) => finalOutcome(e) !== 'COMPLIANT' && finalOutcome(e) !== 'NOT_APPLICABLE',
    );
    expect(quiet.findings).toHaveLength(reported.length);
  });
});
