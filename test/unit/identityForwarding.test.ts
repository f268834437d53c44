/**
 * identity-forwarding-template.yaml: the STS records (and, in us-east-1, the IAM tag changes) of a
 * Region where the audit stack does not see them, forwarded to one where it does. Its patterns are
 * the audit stack's identity rules, read from template.yaml, limited to events of its own Region.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from '../../src/local/tools/eventPattern.ts';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { loadTemplate, type Template } from '../../src/local/tools/template.ts';
import { resourceProblems } from './cfnSpec.ts';
import { type EventFixture, eventFixtures } from './eventFixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ACCOUNT = '111122223333';
const AUDIT_REGION = 'eu-west-1';
const PARAMETERS = { AuditRegion: AUDIT_REGION };

/** Which audit-stack rule each forwarding rule feeds. */
const FEEDS: Readonly<Record<string, string>> = {
  StsRequestTagsForwardRule: 'IdentityRequestTagsRule',
  StsTransitiveTagsForwardRule: 'IdentityTransitiveTagsRule',
  StsPrincipalTagsForwardRule: 'IdentityPrincipalTagsRule',
  TagChangeForwardRule: 'IdentityTagChangeRule',
};

let forwarding: Template;
let audit: Template;
let fixtures: EventFixture[];

beforeAll(async () => {
  forwarding = await loadTemplate(path.join(ROOT, 'identity-forwarding-template.yaml'));
  audit = await loadTemplate(path.join(ROOT, 'template.yaml'));
  fixtures = await eventFixtures();
});

const rulesOf = (template: Template) =>
  Object.entries(template.body.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');

/** A rule's pattern as CloudFormation gives it to EventBridge in `region`. */
const patternIn = (template: Template, id: string, region: string): unknown =>
  resolveIntrinsics(template, template.body.Resources[id]?.Properties?.EventPattern, {
    region,
    accountId: ACCOUNT,
    parameters: PARAMETERS,
  });

const exists = (id: string, region: string): boolean => {
  const condition = forwarding.body.Resources[id]?.Condition;
  return (
    condition === undefined ||
    resolveIntrinsics(forwarding, { Condition: condition }, { region, parameters: PARAMETERS }) === true
  );
};

/** Each fixture as recorded in `region` (both the envelope's Region and CloudTrail's). */
const recordedIn = (region: string) =>
  fixtures.map(({ name, event }) => ({
    name,
    event: { ...event, region, detail: { ...(event.detail as object), awsRegion: region } },
  }));

describe('identity-forwarding-template.yaml', () => {
  it('is plain CloudFormation with resources the specification knows', () => {
    // Act
    const problems = Object.entries(forwarding.body.Resources).flatMap(([id, r]) =>
      resourceProblems(r.Type, { ...r.Properties }, `Resources.${id}.Properties`, true),
    );

    // Assess
    expect(forwarding.body.Transform).toBeUndefined();
    expect(problems).toEqual([]);
    expect(new Set(Object.values(forwarding.body.Resources).map((r) => r.Type))).toEqual(
      new Set(['AWS::Events::Rule', 'AWS::IAM::Role', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']),
    );
  });

  it('forwards to another Region only: the audit stack sees its own Region’s events itself', () => {
    // Prepare
    const assertion = (forwarding.body.Rules as Record<string, { Assertions: { Assert: unknown }[] }>)
      .AnotherRegionThanTheAuditStack?.Assertions[0]?.Assert;
    const holds = (region: string) =>
      resolveIntrinsics(forwarding, assertion, { region, parameters: PARAMETERS });

    // Assess
    expect(holds('us-east-1')).toBe(true);
    expect(holds(AUDIT_REGION)).toBe(false);
  });

  it.each([
    ['us-east-1', Object.keys(FEEDS)],
    ['eu-central-1', Object.keys(FEEDS).filter((id) => id !== 'TagChangeForwardRule')],
  ])('in %s has the rules %j (IAM changes exist in us-east-1 only)', (region, expected) => {
    // Act
    const present = rulesOf(forwarding)
      .map(([id]) => id)
      .filter((id) => exists(id, region));

    // Assess
    expect(present.sort()).toEqual([...expected].sort());
  });

  it.each(Object.entries(FEEDS))(
    '%s carries the pattern of %s, limited to its own Region',
    (id, consumer) => {
      // Act
      const pattern = patternIn(forwarding, id, 'us-east-1') as Record<string, unknown>;
      const { region, ...rest } = pattern;

      // Assess
      expect(region).toEqual(['us-east-1']);
      expect(rest).toEqual(patternIn(audit, consumer, AUDIT_REGION));
      expect(forwarding.body.Resources[id]?.Properties?.State).toBe(
        audit.body.Resources[consumer]?.Properties?.State,
      );
    },
  );

  it('forwards every bundled event the identity rules consume, once, and none recorded elsewhere', () => {
    // Prepare
    const here = 'us-east-1';
    const forwarders = rulesOf(forwarding)
      .filter(([id]) => exists(id, here))
      .map(([id]) => patternIn(forwarding, id, here));
    const consumers = Object.values(FEEDS).map((id) => patternIn(audit, id, AUDIT_REGION));

    for (const { name, event } of recordedIn(here)) {
      // Act
      const forwarded = forwarders.filter((p) => matchesPattern(p, event)).length;
      const consumed = consumers.some((p) => matchesPattern(p, event));

      // Assess
      expect(forwarded, name).toBe(consumed ? 1 : 0);
    }
    // An event forwarded here from another Region keeps its Region: it is never sent on again.
    for (const { name, event } of recordedIn('ap-southeast-2')) {
      expect(
        forwarders.filter((p) => matchesPattern(p, event)),
        name,
      ).toEqual([]);
    }
    expect(
      recordedIn(here).filter(({ event }) => consumers.some((p) => matchesPattern(p, event))).length,
    ).toBe(fixtures.filter((f) => f.name.startsWith('iam-')).length + 6);
  });

  it('puts events on the audit Region’s bus through a role allowed that bus only, dead-lettering failures', () => {
    // Prepare
    const bus = `arn:aws:events:${AUDIT_REGION}:${ACCOUNT}:event-bus/default`;
    const ctx = { region: 'us-east-1', accountId: ACCOUNT, parameters: PARAMETERS };
    const role = resolveIntrinsics(forwarding, forwarding.body.Resources.ForwardRole?.Properties, ctx) as {
      AssumeRolePolicyDocument: { Statement: unknown[] };
      Policies: { PolicyDocument: { Statement: unknown[] } }[];
    };

    for (const [id, rule] of rulesOf(forwarding)) {
      // Act
      const [target, ...more] = (rule.Properties?.Targets ?? []) as Record<string, unknown>[];

      // Assess
      expect(more, id).toEqual([]);
      expect(resolveIntrinsics(forwarding, target?.Arn, ctx), id).toBe(bus);
      expect(target?.RoleArn, id).toEqual({ 'Fn::GetAtt': ['ForwardRole', 'Arn'] });
      expect(target?.DeadLetterConfig, id).toEqual({
        Arn: { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] },
      });
      expect(target?.RetryPolicy, id).toBeUndefined();
    }
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
    expect(role.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Sid: 'PutEventsOnAuditBus', Effect: 'Allow', Action: ['events:PutEvents'], Resource: bus },
    ]);
  });
});
