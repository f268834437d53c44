/**
 * Every events/startsession-*.json fixture through replay: the real handler, the real SDK over
 * HTTP, the local endpoint serving the bundled world. Evaluations are checked against the
 * oracle and the stored findings field by field against the contract (DESIGN.md §4).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_PRECEDENCE, ratingOf } from '../../src/domain/outcome.ts';
import type { ReplayEvent, ReplayResult } from '../../src/local/tools/replay.ts';
import { FIXTURE_EXPECTATIONS } from './fixtureExpectations.ts';
import {
  demoWorld,
  findingById,
  onlyRun,
  readEvents,
  replayAll,
  sessionEventFiles,
} from './replayHelpers.ts';

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
    expect(new Set(Object.values(FIXTURE_EXPECTATIONS).map((e) => e.outcome))).toEqual(
      new Set(OUTCOME_PRECEDENCE),
    );
  });

  it.each(Object.entries(FIXTURE_EXPECTATIONS))('%s is evaluated as the oracle says', (name, expected) => {
    // Act
    const run = onlyRun(result, name);
    // Assess
    expect(run.logicalId).toBe('AuditSessionFunction');
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
      const evaluation = onlyRun(result, name).result as {
        principal: string;
        platform: string;
        findingId: string;
      };
      const account = detail.recipientAccountId;
      const region = detail.awsRegion;
      const sessionId = detail.responseElements?.sessionId;
      const eventTime = new Date(detail.eventTime).toISOString();
      const rating = ratingOf(expected.outcome);

      // Act
      const finding = findingById(
        result.findings,
        `${account}/${region}/ssm-runas/session/${sessionId ?? detail.eventID}`,
      );

      // Assess
      expect(finding, 'finding stored under the deterministic Id').toBeDefined();
      expect(evaluation.findingId).toBe(finding?.Id);
      expect(finding).toMatchObject({
        SchemaVersion: '2018-10-08',
        ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
        GeneratorId: 'ssm-runas-auditor/session',
        AwsAccountId: account,
        Region: region,
        Types: [TYPE],
        CreatedAt: eventTime,
        UpdatedAt: eventTime,
        Severity: { Label: rating.severity, Original: expected.outcome },
        FindingProviderFields: {
          Severity: { Label: rating.severity, Original: expected.outcome },
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
        'RunAs/Outcome': expected.outcome,
        'RunAs/ExpectedUser': expected.expectedUser,
        'RunAs/ExpectedUserSource': expected.expectedUserSource,
        'RunAs/SessionUser': expected.sessionUser,
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

  it('writes nothing for compliant and not-applicable sessions with the default configuration', async () => {
    // Act
    const quiet = await replayAll(events, { world: await demoWorld(), envVars: { Parameters: {} } });
    // Assess
    const outcomes = quiet.findings.map((f) => f.ProductFields?.['RunAs/Outcome']);
    expect(outcomes).not.toContain('COMPLIANT');
    expect(outcomes).not.toContain('NOT_APPLICABLE');
    const reported = Object.values(FIXTURE_EXPECTATIONS).filter(
      (e) => e.outcome !== 'COMPLIANT' && e.outcome !== 'NOT_APPLICABLE',
    );
    expect(quiet.findings).toHaveLength(reported.length);
  });
});
