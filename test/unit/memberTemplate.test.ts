/**
 * member-template.yaml: plain CloudFormation a service-managed StackSet can deploy, forwarding
 * exactly what the audit stack's rules consume and granting exactly what its functions are granted.
 * Both sides are read from the templates themselves, so the two cannot drift apart.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateTrust, parseTrustPolicy } from '../../src/local/services/stsTrust.ts';
import { matchesPattern } from '../../src/local/tools/eventPattern.ts';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { functionsOf } from '../../src/local/tools/samFunctions.ts';
import { loadTemplate, type Template } from '../../src/local/tools/template.ts';
import { type EventFixture, eventFixtures } from './eventFixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const AUDIT = '111122223333';
const MEMBER = '444455556666';
const HOME = 'eu-west-1';
const ORG = 'o-a1b2c3d4e5';
const REQUIRED = { AuditAccountId: AUDIT, AuditRegion: HOME, OrganizationId: ORG };

/** What a service-managed StackSet's default execution role can provision: no transform, macro, nested stack or code. */
const STACKSET_TYPES = new Set([
  'AWS::Events::Rule',
  'AWS::IAM::Role',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SSM::Document',
  'AWS::SSM::Association',
]);

/** Which member rules each events/ fixture must reach (prefixes for the audit stack's own families). */
const FORWARDED_BY_PREFIX: readonly (readonly [string, readonly string[]])[] = [
  ['startsession-', ['StartSessionForwardRule']],
  ['ssm-', ['DocumentChangeForwardRule']],
  ['iam-', ['PrincipalChangeForwardRule']],
  ['sts-assumerole-sessiontags-transitive.json', ['StsRequestTagsForwardRule']],
  ['sts-assumerole-chained-sessiontags.json', ['StsRequestTagsForwardRule']],
  ['sts-getfederationtoken-sessiontags.json', ['StsRequestTagsForwardRule']],
  ['sts-assumerole-incoming-transitive-tags.json', ['StsTransitiveTagsForwardRule']],
  ['sts-assumerolewithsaml-identity-center-principaltags.json', ['StsPrincipalTagsForwardRule']],
  ['sts-assumerolewithsaml-identity-center-eu-west-1.json', ['StsPrincipalTagsForwardRule']],
  ['sts-assumerole-untagged.json', []],
  ['sts-assumerole-service-untagged.json', []],
  ['sts-assumerole-tags-access-denied.json', []],
  ['sts-assumerolewithsaml-untagged.json', []],
];

interface Rule {
  readonly id: string;
  readonly pattern: unknown;
  readonly condition?: string;
}

let member: Template;
let audit: Template;
let fixtures: EventFixture[];

beforeAll(async () => {
  member = await loadTemplate(path.join(ROOT, 'member-template.yaml'));
  audit = await loadTemplate(path.join(ROOT, 'template.yaml'));
  fixtures = await eventFixtures();
});

const resources = (template: Template, type?: string) =>
  Object.entries(template.body.Resources).filter(([, r]) => type === undefined || r.Type === type);

const memberRules = (): Rule[] =>
  resources(member, 'AWS::Events::Rule').map(([id, r]) => ({
    id,
    pattern: r.Properties?.EventPattern,
    ...(r.Condition === undefined ? {} : { condition: r.Condition }),
  }));

/** The audit stack's rules: SAM function events and plain rules alike. */
const auditRules = (): Rule[] => [
  ...functionsOf(audit).flatMap((fn) =>
    fn.rules.map((rule) => ({
      id: `${fn.logicalId}.${rule.eventId}`,
      pattern: rule.pattern,
      ...(rule.condition === undefined ? {} : { condition: rule.condition }),
    })),
  ),
  ...resources(audit, 'AWS::Events::Rule').map(([id, r]) => ({
    id,
    pattern: r.Properties?.EventPattern,
    ...(r.Condition === undefined ? {} : { condition: r.Condition }),
  })),
];

/** Every event name either template's rules name, and a few neither does. */
const eventNames = (): string[] => {
  const named = [...memberRules(), ...auditRules()].flatMap((rule) => {
    const names = (rule.pattern as { detail?: { eventName?: unknown } }).detail?.eventName;
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  });
  return [
    ...new Set([...named, 'TerminateSession', 'ResumeSession', 'GetDocument', 'GetRole', 'AssumeRoot']),
  ];
};

/** Each fixture, and near misses of it: every other event name, another source, detail-type or event source. */
const corpus = (): { name: string; event: unknown }[] =>
  fixtures.flatMap(({ name, event }) => {
    const detail = event.detail as Record<string, unknown>;
    const variant = (
      suffix: string,
      change: Record<string, unknown>,
      detailChange: Record<string, unknown> = {},
    ) => ({
      name: `${name}~${suffix}`,
      event: { ...event, ...change, detail: { ...detail, ...detailChange } },
    });
    return [
      { name, event },
      variant('service-event', { 'detail-type': 'AWS Service Event via CloudTrail' }),
      variant('other-source', { source: 'aws.ec2' }),
      variant('other-event-source', {}, { eventSource: 'ec2.amazonaws.com' }),
      ...eventNames().map((eventName) => variant(eventName, {}, { eventName })),
      variant('failed', {}, { errorCode: 'AccessDenied', errorMessage: 'denied', responseElements: null }),
    ];
  });

const matched = (rule: Rule, events: { name: string; event: unknown }[]) =>
  new Set(events.filter(({ event }) => matchesPattern(rule.pattern, event)).map(({ name }) => name));

/** Everything inside a value, depth first (to look for intrinsics anywhere). */
const walk = (value: unknown): unknown[] =>
  Array.isArray(value)
    ? [value, ...value.flatMap(walk)]
    : typeof value === 'object' && value !== null
      ? [value, ...Object.values(value).flatMap(walk)]
      : [value];

const holds = (
  condition: string | undefined,
  ctx: { accountId: string; region: string; parameters?: Record<string, string> },
) =>
  condition === undefined ||
  resolveIntrinsics(
    member,
    { Condition: condition },
    { ...ctx, parameters: { ...REQUIRED, ...ctx.parameters } },
  ) === true;

describe('member-template.yaml is plain CloudFormation for a service-managed StackSet', () => {
  it('has no transform, no macro and no include', () => {
    // Act
    const nodes = walk(member.body);

    // Assess
    expect(member.body.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(member.body.Transform).toBeUndefined();
    expect(nodes.filter((n) => typeof n === 'object' && n !== null && 'Fn::Transform' in n)).toEqual([]);
    expect(nodes.filter((n) => n === 'AWS::Include')).toEqual([]);
  });

  it('uses only resource types a StackSet can provision, with no Lambda code', () => {
    // Act
    const types = new Set(resources(member).map(([, r]) => r.Type));

    // Assess
    expect([...types].filter((type) => !STACKSET_TYPES.has(type))).toEqual([]);
    expect(types.has('AWS::IAM::Role')).toBe(true);
  });

  it('declares the same settings as template.yaml in the same way', () => {
    // Prepare
    const shared = Object.keys(member.body.Parameters ?? {}).filter(
      (name) => audit.body.Parameters?.[name] !== undefined,
    );
    const shape = (template: Template, name: string) => {
      const { Type, Default, AllowedValues, AllowedPattern } = template.body.Parameters?.[name] ?? {
        Type: '',
      };
      return { Type, Default, AllowedValues, AllowedPattern };
    };

    // Assess
    expect(shared.sort()).toEqual(
      [
        'InventoryTypeName',
        'MemberRoleName',
        'OrganizationId',
        'PublishUserInventory',
        'SessionLogGroupPattern',
        'TerminateStaleSessions',
        'UserDirectory',
        'UserInventorySchedule',
      ].sort(),
    );
    // The audit stack's OrganizationId is optional (empty: a single account); otherwise the same ids.
    for (const name of shared.filter((n) => n !== 'OrganizationId'))
      expect(shape(member, name), name).toEqual(shape(audit, name));
    const memberOrg = new RegExp(member.body.Parameters?.OrganizationId?.AllowedPattern ?? '^$');
    const auditOrg = new RegExp(audit.body.Parameters?.OrganizationId?.AllowedPattern ?? '^$');
    expect(audit.body.Parameters?.OrganizationId?.Default).toBe('');
    for (const id of [ORG, 'o-0123456789abcdef', 'o-A1B2C3D4E5', 'o-short', 'r-ab12'])
      expect(auditOrg.test(id), id).toBe(memberOrg.test(id));
  });

  it('requires the audit account, Region and organization, and accepts only well-formed ones', () => {
    // Prepare
    const parameters = member.body.Parameters ?? {};

    // Assess
    for (const [name, value] of Object.entries(REQUIRED)) {
      expect(parameters[name]?.Default, name).toBeUndefined();
      expect(value).toMatch(new RegExp(parameters[name]?.AllowedPattern ?? '^$'));
    }
    for (const [name, parameter] of Object.entries(parameters)) {
      expect(parameter.Description, name).toEqual(expect.any(String));
      if (parameter.Default !== undefined && parameter.AllowedPattern !== undefined) {
        expect(String(parameter.Default), name).toMatch(new RegExp(parameter.AllowedPattern));
      }
    }
    expect('o-A1B2').not.toMatch(new RegExp(parameters.OrganizationId?.AllowedPattern ?? ''));
  });
});

describe('where each stack instance creates what', () => {
  const everyRule = (ctx: { accountId: string; region: string }) =>
    memberRules()
      .filter((rule) => holds(rule.condition, ctx))
      .map((rule) => rule.id)
      .sort();
  const roleExists = (ctx: { accountId: string; region: string }) =>
    holds(member.body.Resources.MemberRole?.Condition, ctx);
  const ALL_BUT_IAM = [
    'DocumentChangeForwardRule',
    'StartSessionForwardRule',
    'StsPrincipalTagsForwardRule',
    'StsRequestTagsForwardRule',
    'StsTransitiveTagsForwardRule',
  ];
  const ALL = [...ALL_BUT_IAM, 'PrincipalChangeForwardRule'].sort();

  it.each([
    ['a member account in the audit Region', MEMBER, HOME, ALL_BUT_IAM, true],
    ['a member account in us-east-1 (IAM events)', MEMBER, 'us-east-1', ALL, false],
    ['a member account in another Region', MEMBER, 'ap-southeast-2', ALL_BUT_IAM, false],
    ['the audit account in its own Region', AUDIT, HOME, [], false],
    ['the audit account in us-east-1', AUDIT, 'us-east-1', ALL, false],
    ['the audit account in another Region', AUDIT, 'ap-southeast-2', ALL_BUT_IAM, false],
  ])('%s', (_name, accountId, region, rules, role) => {
    // Act
    const ctx = { accountId, region };

    // Assess
    expect(everyRule(ctx)).toEqual([...rules].sort());
    expect(roleExists(ctx)).toBe(role);
  });

  it('forwards IAM events only where template.yaml receives them (the partition’s IAM Region)', () => {
    // Prepare
    const iamRule = member.body.Resources.PrincipalChangeForwardRule;

    // Assess
    expect(member.body.Conditions?.ReceivesIamEvents).toEqual(audit.body.Conditions?.ReceivesIamEvents);
    expect(audit.body.Resources.PrincipalChangeFunction?.Condition).toBe('HandlesIamEvents');
    expect(iamRule?.Condition).toBe('ForwardsIamEvents');
    for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1', 'us-west-2', 'eu-west-1']) {
      expect(holds('ForwardsIamEvents', { accountId: MEMBER, region }), region).toBe(
        holds('ReceivesIamEvents', { accountId: MEMBER, region }),
      );
    }
  });

  it('gives every output the condition of the resource it names', () => {
    for (const [name, output] of Object.entries(member.body.Outputs ?? {}) as [
      string,
      { Condition?: string; Value?: unknown },
    ][]) {
      // Prepare
      const value = output.Value as { 'Fn::GetAtt'?: [string]; Ref?: string };
      const id = value['Fn::GetAtt']?.[0] ?? value.Ref ?? '';

      // Assess
      expect(member.body.Resources[id], name).toBeDefined();
      expect(output.Condition, name).toBe(member.body.Resources[id]?.Condition);
    }
    const named = new Set(
      Object.values(member.body.Outputs ?? {}).map((o) => JSON.stringify((o as { Value: unknown }).Value)),
    );
    for (const rule of memberRules())
      expect(named.has(JSON.stringify({ 'Fn::GetAtt': [rule.id, 'Arn'] })), rule.id).toBe(true);
    expect(named.has(JSON.stringify({ 'Fn::GetAtt': ['MemberRole', 'Arn'] }))).toBe(true);
  });
});

describe('forwarding rules', () => {
  const ctx = { accountId: MEMBER, region: 'us-east-1', parameters: REQUIRED };
  const BUS = `arn:aws:events:${HOME}:${AUDIT}:event-bus/default`;

  it('each puts events straight on the audit bus through the forwarding role, dead-lettering what fails', () => {
    for (const [id, rule] of resources(member, 'AWS::Events::Rule')) {
      // Prepare
      const targets = (rule.Properties?.Targets ?? []) as Record<string, unknown>[];
      const raw = targets[0] ?? {};

      // Assess
      expect(
        targets.map((t) => resolveIntrinsics(member, t.Arn, ctx)),
        id,
      ).toEqual([BUS]);
      expect(raw.RoleArn, id).toEqual({ 'Fn::GetAtt': ['ForwardRole', 'Arn'] });
      expect(raw.DeadLetterConfig, id).toEqual({ Arn: { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] } });
      // Event bus targets take a dead-letter queue but no retry policy.
      expect(raw.RetryPolicy, id).toBeUndefined();
      expect(
        rule.Properties?.EventBusName,
        `${id} is on the default bus, where CloudTrail events arrive`,
      ).toBeUndefined();
    }
  });

  it('uses a role EventBridge alone can assume, allowed to put events on the audit bus only', () => {
    // Prepare
    const role = member.body.Resources.ForwardRole;
    const resolved = resolveIntrinsics(member, role?.Properties, ctx) as {
      AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
      Policies: { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
    };

    // Assess
    expect(resolved.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': MEMBER } },
      },
    ]);
    expect(resolved.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Sid: 'PutEventsOnAuditBus', Effect: 'Allow', Action: ['events:PutEvents'], Resource: BUS },
    ]);
  });

  it('matches read-only STS records only with the state that admits read-only management events', () => {
    for (const [id, rule] of resources(member, 'AWS::Events::Rule')) {
      // Prepare
      const pattern = (rule.Properties?.EventPattern ?? {}) as { source?: string[] };
      const sts = pattern.source?.includes('aws.sts');

      // Assess
      expect(rule.Properties?.State, id).toBe(
        sts ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
      );
    }
  });

  it('forwards each bundled event to exactly the rules meant for it, and nothing else', () => {
    for (const { name, event } of fixtures) {
      // Prepare
      const expected = FORWARDED_BY_PREFIX.find(([prefix]) => name.startsWith(prefix))?.[1];

      // Act
      const rules = memberRules()
        .filter((rule) => matchesPattern(rule.pattern, event))
        .map((rule) => rule.id);

      // Assess
      expect(expected, `${name} is listed in FORWARDED_BY_PREFIX`).toBeDefined();
      expect(rules, name).toEqual(expected);
    }
    expect(fixtures.filter((f) => f.name.startsWith('sts-')).length).toBe(10);
  });

  it('forwards exactly what each audit stack rule consumes (the two templates cannot drift)', () => {
    // Prepare
    const events = corpus();
    const forwarded = memberRules().map((rule) => ({ rule, events: matched(rule, events) }));
    const consumers = auditRules();

    // Assess
    expect(consumers.length).toBeGreaterThanOrEqual(3);
    for (const consumer of consumers) {
      const consumed = matched(consumer, events);
      const forwarders = forwarded.filter((f) => [...f.events].some((name) => consumed.has(name)));
      const union = new Set(forwarders.flatMap((f) => [...f.events]));
      expect(consumed.size, consumer.id).toBeGreaterThan(0);
      expect([...union].sort(), consumer.id).toEqual([...consumed].sort());
      // An audit rule limited to the IAM Region is fed by rules limited the same way.
      // One forwarder per consumer carries the consumer's own pattern, word for word.
      if (forwarders.length === 1) expect(forwarders[0]?.rule.pattern, consumer.id).toEqual(consumer.pattern);
      if (consumer.condition === 'ReceivesIamEvents')
        for (const f of forwarders) expect(f.rule.condition, f.rule.id).toBe('ForwardsIamEvents');
    }
  });

  it('forwards a tagged STS record at most once, whichever tag shapes it carries', () => {
    // Prepare
    const sts = corpus().filter(({ name }) => name.startsWith('sts-'));

    // Act
    const counts = sts.map(({ name, event }) => [
      name,
      memberRules().filter((r) => matchesPattern(r.pattern, event)).length,
    ]);

    // Assess
    expect(counts.filter(([, n]) => (n as number) > 1)).toEqual([]);
    expect(counts.filter(([name, n]) => n === 1 && !String(name).includes('~')).length).toBe(6);
  });

  it.each([
    [
      'a blank Run As session tag (it still overrides the role’s tag)',
      { principalTags: { SSMSessionRunAs: '' } },
      'AssumeRoleWithSAML',
      1,
    ],
    [
      'a web identity sign-in with a Run As tag',
      { principalTags: { SSMSessionRunAs: 'ci' } },
      'AssumeRoleWithWebIdentity',
      1,
    ],
    [
      'principal tags without a Run As tag',
      { principalTags: { Department: 'Platform' } },
      'AssumeRoleWithSAML',
      0,
    ],
    ['an empty tag list', { tags: [] }, 'AssumeRole', 0],
    [
      'incoming transitive tags without a Run As tag',
      { incomingTransitiveTags: { Team: 'payments' } },
      'AssumeRole',
      0,
    ],
  ])('STS: %s', (_name, requestParameters, eventName, expected) => {
    // Prepare
    const saml = fixtures.find((f) => f.name === 'sts-assumerolewithsaml-untagged.json')?.event ?? {};
    const detail = saml.detail as Record<string, unknown>;
    const event = {
      ...saml,
      detail: {
        ...detail,
        eventName,
        requestParameters: { ...(detail.requestParameters as object), ...requestParameters },
      },
    };

    // Act
    const rules = memberRules().filter((r) => matchesPattern(r.pattern, event));

    // Assess
    expect(rules.length).toBe(expected);
  });
});

describe('the member role', () => {
  const SETTINGS: readonly Record<string, string>[] = [
    {},
    { UserDirectory: 'command' },
    { UserDirectory: 'none' },
    { TerminateStaleSessions: 'true' },
    { SessionLogGroupPattern: '/aws/ssm/sessions' },
    { UserDirectory: 'command', TerminateStaleSessions: 'true', SessionLogGroupPattern: '/ssm/*' },
  ];

  /** action → its resources, across the statements that apply under `parameters`. */
  type Grants = Map<string, Set<string>>;

  const add = (grants: Grants, actions: unknown, resourceList: unknown) => {
    for (const action of Array.isArray(actions) ? actions : [actions]) {
      const set = grants.get(action) ?? new Set<string>();
      for (const r of Array.isArray(resourceList) ? resourceList : [resourceList]) set.add(String(r));
      grants.set(String(action), set);
    }
  };

  /** Every audit function's grants, in the member account, with its Region widened to `*` (one role serves every Region). */
  const auditGrants = (parameters: Record<string, string>): Grants => {
    const grants: Grants = new Map();
    const ctx = { accountId: MEMBER, region: '*', parameters };
    for (const fn of functionsOf(audit)) {
      for (const statement of fn.policyStatements) {
        // Polling the function's own queue, and the state table, stay in the audit account.
        if (statement.Action.every((action) => action.startsWith('sqs:'))) continue;
        if (statement.Action.every((action) => action.startsWith('dynamodb:'))) continue;
        // Assuming the member roles is what the audit functions do from the audit account.
        if (statement.Action.every((action) => action.startsWith('sts:'))) continue;
        if (
          statement.onlyIf !== undefined &&
          resolveIntrinsics(audit, { Condition: statement.onlyIf }, ctx) !== true
        )
          continue;
        add(grants, statement.Action, resolveIntrinsics(audit, statement.Resource, ctx));
      }
    }
    return grants;
  };

  const memberStatements = (parameters: Record<string, string>) => {
    const role = resolveIntrinsics(member, member.body.Resources.MemberRole?.Properties, {
      accountId: MEMBER,
      region: HOME,
      parameters: { ...REQUIRED, ...parameters },
    }) as {
      Policies: {
        PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown }[] };
      }[];
    };
    return role.Policies.flatMap((p) => p.PolicyDocument.Statement);
  };

  const memberGrants = (parameters: Record<string, string>): Grants => {
    const grants: Grants = new Map();
    for (const s of memberStatements(parameters)) add(grants, s.Action, s.Resource);
    return grants;
  };

  const sorted = (grants: Grants) =>
    Object.fromEntries(
      [...grants.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([a, r]) => [a, [...r].sort()]),
    );

  it.each(SETTINGS.map((s) => [JSON.stringify(s), s] as const))(
    'grants exactly what the audit functions are granted, scoped alike, with %s',
    (_name, parameters) => {
      // Act
      const wanted = auditGrants(parameters);
      const granted = memberGrants(parameters);

      // Assess
      expect(wanted.size).toBeGreaterThan(8);
      expect(sorted(granted)).toEqual(sorted(wanted));
    },
  );

  it('grants the session-log reads only when a log group is named, as template.yaml does', () => {
    // Act
    const off = memberGrants({});
    const on = memberGrants({ SessionLogGroupPattern: '/aws/ssm/sessions' });

    // Assess
    expect(off.has('logs:GetLogEvents')).toBe(false);
    expect(auditGrants({}).has('logs:GetLogEvents')).toBe(false);
    expect(auditGrants({ SessionLogGroupPattern: '/aws/ssm/sessions' }).get('logs:GetLogEvents')).toEqual(
      on.get('logs:GetLogEvents'),
    );
    expect([...(on.get('logs:GetLogEvents') ?? [])]).toEqual([
      `arn:aws:logs:*:${MEMBER}:log-group:/aws/ssm/sessions:*`,
    ]);
  });

  it('grants each action once, only as Allow, and no wildcard action', () => {
    for (const parameters of SETTINGS) {
      // Act
      const statements = memberStatements(parameters);
      const actions = statements.flatMap((s) => s.Action);

      // Assess
      expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
      expect(actions.length).toBe(new Set(actions).size);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    }
  });

  describe('trust', () => {
    const trust = (parameters: Record<string, string> = {}) => {
      const role = resolveIntrinsics(member, member.body.Resources.MemberRole?.Properties, {
        accountId: MEMBER,
        region: HOME,
        parameters: { ...REQUIRED, ...parameters },
      }) as { AssumeRolePolicyDocument: unknown; MaxSessionDuration: unknown; RoleName: unknown };
      return role;
    };
    const session = (roleName: string, accountId = AUDIT, orgId = ORG, externalId?: string) => {
      const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
      return {
        action: 'sts:AssumeRole',
        principalArn: roleArn,
        callerArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/fn`,
        accountId,
        partition: 'aws',
        context: {
          'aws:PrincipalArn': roleArn,
          'aws:PrincipalOrgID': orgId,
          ...(externalId === undefined ? {} : { 'sts:ExternalId': externalId }),
        },
      };
    };

    it.each([
      [
        'an audit function’s role session',
        'allow',
        session('ssm-runas-auditor/audit-AuditSessionFunctionRole-1A2B3C'),
      ],
      ['another role of the audit account', 'implicit-deny', session('Admin')],
      [
        'a role named like the audit stack’s, outside its path',
        'implicit-deny',
        session('ssm-runas-auditor-AuditSessionFunctionRole-1A2B3C'),
      ],
      [
        'the same role in a member account',
        'implicit-deny',
        session('ssm-runas-auditor/audit-AuditSessionFunctionRole-1A2B3C', MEMBER),
      ],
      [
        'the audit function outside the organization',
        'implicit-deny',
        session('ssm-runas-auditor/audit-X', AUDIT, 'o-zzzzzzzzzz'),
      ],
    ])('trust for %s: %s', (_name, expected, request) => {
      // Act
      const decision = evaluateTrust(parseTrustPolicy(trust().AssumeRolePolicyDocument), request);

      // Assess
      expect(decision).toBe(expected);
    });

    it('also requires the external id when one is set, and only then', () => {
      // Prepare
      const withId = parseTrustPolicy(trust({ ExternalId: 'runas-7f3a' }).AssumeRolePolicyDocument);
      const withoutId = parseTrustPolicy(trust().AssumeRolePolicyDocument);
      const fn = 'ssm-runas-auditor/audit-AuditSessionFunctionRole-1A2B3C';

      // Assess
      expect(evaluateTrust(withId, session(fn))).toBe('implicit-deny');
      expect(evaluateTrust(withId, session(fn, AUDIT, ORG, 'runas-0000'))).toBe('implicit-deny');
      expect(evaluateTrust(withId, session(fn, AUDIT, ORG, 'runas-7f3a'))).toBe('allow');
      expect(JSON.stringify(trust().AssumeRolePolicyDocument)).not.toContain('sts:ExternalId');
      expect(evaluateTrust(withoutId, session(fn))).toBe('allow');
    });

    it('is the named role, with one-hour sessions (role chaining allows no more)', () => {
      // Act
      const role = trust({ MemberRoleName: 'runas-reader' });

      // Assess
      expect(role.RoleName).toBe('runas-reader');
      expect(role.MaxSessionDuration).toBe(3600);
    });
  });
});

describe('the OS users inventory', () => {
  it('ships the same document and association as template.yaml, under the same switch', () => {
    for (const id of ['OSUsersInventoryDocument', 'OSUsersInventoryAssociation']) {
      // Prepare
      const [ours, theirs] = [member.body.Resources[id], audit.body.Resources[id]];

      // Assess
      expect(ours?.Properties, id).toEqual(theirs?.Properties);
      expect(ours?.Condition, id).toBe('PublishesUserInventory');
      expect(member.body.Conditions?.PublishesUserInventory).toEqual(
        audit.body.Conditions?.PublishesUserInventory,
      );
    }
    expect(
      holds('PublishesUserInventory', {
        accountId: MEMBER,
        region: HOME,
        parameters: { PublishUserInventory: 'false' },
      }),
    ).toBe(false);
  });
});
