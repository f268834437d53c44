import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { bundleFunction } from '../../src/local/tools/build.ts';
import { type DeliveryPath, deliveryPathsOf } from '../../src/local/tools/deliveryPath.ts';
import { matchesPattern } from '../../src/local/tools/eventPattern.ts';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { functionsOf, resolveEnvironment } from '../../src/local/tools/samFunctions.ts';
import {
  type FunctionSpec,
  loadTemplate,
  parseTemplate,
  type Template,
} from '../../src/local/tools/template.ts';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../src/metrics.ts';
import { resourceProblems, samFunctionProblems } from './cfnSpec.ts';
import { eventFixtures } from './eventFixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The configuration src/config.ts reads, plus the tunables the template exposes. Each must come from a Parameter. */
const CONFIG_VARIABLES = [
  'DENIED_RUN_AS_USERS',
  'REPORT_COMPLIANT_SESSIONS',
  'REPORT_NOT_APPLICABLE',
  'USER_DIRECTORY',
  'INVENTORY_TYPE_NAME',
  'AUDITED_REGIONS',
  'TERMINATE_STALE_SESSIONS',
  'INVENTORY_MAX_AGE_HOURS',
  'SESSION_DOCUMENT_VERSION',
  'MAXIMUM_CONCURRENCY',
  'IDENTITY_CENTER_REGION',
];

/** Variables config.ts may read that the template deliberately does not set. */
const NOT_FROM_TEMPLATE = new Set([
  'AWS_REGION', // set by Lambda
  'AWS_DEFAULT_REGION', // set by Lambda
  'CACHE_TTL_SECONDS', // documented tunable with a default
  'PROBE_POLL_INTERVAL_MS', // documented tunable with a default
  'AWS_LAMBDA_FUNCTION_NAME', // set by Lambda
]);

/** Which function each events/ file prefix is meant for; files of other prefixes match no rule. */
const EVENT_ROUTES: readonly { readonly prefix: string; readonly functions: readonly string[] }[] = [
  { prefix: 'startsession-', functions: ['AuditSessionFunction'] },
  // The principal findings, and the SSMSessionRunAs history of every Region's table.
  { prefix: 'iam-', functions: ['IdentityFunction', 'PrincipalChangeFunction'] },
  { prefix: 'ssm-', functions: ['DocumentChangeFunction'] },
  // STS records reach the identity function only when they carry session tags, and succeeded.
  { prefix: 'sts-assumerole-untagged', functions: [] },
  { prefix: 'sts-assumerole-service-untagged', functions: [] },
  { prefix: 'sts-assumerole-tags-access-denied', functions: [] },
  { prefix: 'sts-assumerolewithsaml-untagged', functions: [] },
  { prefix: 'sts-', functions: ['IdentityFunction'] },
];

/** IAM prefix of each SDK client package the adapters may import. */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  iam: 'iam',
  ssm: 'ssm',
  cloudtrail: 'cloudtrail',
  securityhub: 'securityhub',
  'cloudwatch-logs': 'logs',
  sqs: 'sqs',
  dynamodb: 'dynamodb',
  sts: 'sts',
};

/** Functions polled in batches of BatchSize; the others in ChangeBatchSize. */
const SESSION_BATCHED = new Set(['AuditSessionFunction', 'SessionVerificationFunction']);

/** Functions whose queue another function of the stack feeds (SendMessage), not a rule: function → its senders. */
const FED_BY_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  SessionVerificationFunction: [
    'AuditSessionFunction',
    'IdentityFunction',
    'SessionVerificationFunction',
    'SweepFunction',
  ],
};

/** The document client's commands (@aws-sdk/lib-dynamodb) and the DynamoDB actions they send. */
const DOCUMENT_CLIENT_ACTIONS: Readonly<Record<string, string>> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  QueryCommand: 'dynamodb:Query',
  paginateQuery: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  paginateScan: 'dynamodb:Scan',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  TransactWriteCommand: 'dynamodb:TransactWriteItems',
};

/** The DynamoDB document client's commands (`@aws-sdk/lib-dynamodb`) and the action each sends. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  DeleteCommand: 'DeleteItem',
  UpdateCommand: 'UpdateItem',
  QueryCommand: 'Query',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  paginateQuery: 'Query',
};

/** Actions without resource-level permissions (Service Authorization Reference): only these may use "*". */
const NO_RESOURCE_LEVEL = new Set([
  'ssm:DescribeInstanceInformation',
  'ssm:ListInventoryEntries',
  'ssm:GetCommandInvocation',
  'cloudtrail:LookupEvents',
  'ssm:DescribeSessions',
]);

/** Actions that only one USER_DIRECTORY mode calls: granted only under that mode's condition. */
const CONDITIONAL_ACTIONS: Readonly<Record<string, string>> = {
  'ssm:SendCommand': 'ProbesWithRunCommand',
  'ssm:GetCommandInvocation': 'ProbesWithRunCommand',
  'ssm:TerminateSession': 'TerminatesStaleSessions',
  'logs:GetLogEvents': 'VerifiesSessionLogs',
  'sts:AssumeRole': 'AuditsOrganization',
};

/** Functions EventBridge Scheduler invokes (no queue, no rule; checked in sweepTemplate.test.ts). */
const SCHEDULED = new Set(['SweepFunction']);
/** Functions that read and write in every audited Region, not only their own. */
const AUDITS_EVERY_REGION = new Set(['PrincipalChangeFunction', 'SweepFunction']);

let template: Template;
let functions: FunctionSpec[];
/** The functions CloudTrail events reach, through a rule and a queue. */
let queued: FunctionSpec[];
let paths: DeliveryPath[];

beforeAll(async () => {
  template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  functions = functionsOf(template);
  queued = functions.filter((fn) => !SCHEDULED.has(fn.logicalId));
  paths = deliveryPathsOf(template, queued);
});

const resource = (id: string) => {
  const found = template.body.Resources[id];
  if (found === undefined) throw new Error(`template has no resource ${id}`);
  return found;
};

/** `{ "Fn::GetAtt": [Id, Attr] }` → Id. */
const getAttTarget = (value: unknown, attribute: string): string | undefined => {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === attribute && typeof getAtt[0] === 'string'
    ? getAtt[0]
    : undefined;
};

const refTarget = (value: unknown): string | undefined => {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
};

const alarmsOn = (queueId: string, metric = 'ApproximateNumberOfMessagesVisible', threshold: unknown = 0) =>
  Object.entries(template.body.Resources).filter(([, r]) => {
    if (r.Type !== 'AWS::CloudWatch::Alarm') return false;
    const p = r.Properties ?? {};
    const dimensions = Array.isArray(p.Dimensions) ? p.Dimensions : [];
    return (
      p.Namespace === 'AWS/SQS' &&
      p.MetricName === metric &&
      p.ComparisonOperator === 'GreaterThanThreshold' &&
      JSON.stringify(p.Threshold) === JSON.stringify(threshold) &&
      dimensions.some(
        (d: { Name?: unknown; Value?: unknown }) =>
          d.Name === 'QueueName' && getAttTarget(d.Value, 'QueueName') === queueId,
      )
    );
  });

describe('template.yaml', () => {
  it('is a SAM template with at least the session auditor', () => {
    // Assess
    expect(template.body.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(functions.map((fn) => fn.logicalId)).toContain('AuditSessionFunction');
  });

  it('parses CloudFormation short-form tags into their long form', () => {
    // Prepare
    const text = [
      'Resources:',
      '  Thing:',
      '    Type: AWS::SQS::Queue',
      '    Properties:',
      '      A: !Ref Param',
      `      B: !Sub "arn:\${AWS::Partition}:x"`,
      `      C: !Sub ["\${X}", { X: !Ref Param }]`,
      '      D: !GetAtt Res.Attr',
      '      E: !GetAtt Stack.Outputs.Name',
      '      F: !GetAtt [Res, Attr]',
      '      G: !If [Cond, !Join ["-", [a, b]], !Ref AWS::NoValue]',
      '      H: !And [!Equals [!Ref P, x], !Not [!Condition Other], !Or [!Condition A, !Condition B]]',
      '      I: !Select [0, !Split [",", !ImportValue Shared]]',
      '      J: !FindInMap [Map, !Ref AWS::Region, Key]',
      '      K: !Base64 text',
      '      L: !Cidr [!GetAZs "", 6, 5]',
    ].join('\n');

    // Act
    const parsed = parseTemplate(text).body.Resources.Thing?.Properties;

    // Assess
    expect(parsed).toEqual({
      A: { Ref: 'Param' },
      B: { 'Fn::Sub': `arn:\${AWS::Partition}:x` },
      C: { 'Fn::Sub': [`\${X}`, { X: { Ref: 'Param' } }] },
      D: { 'Fn::GetAtt': ['Res', 'Attr'] },
      E: { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] },
      F: { 'Fn::GetAtt': ['Res', 'Attr'] },
      G: { 'Fn::If': ['Cond', { 'Fn::Join': ['-', ['a', 'b']] }, { Ref: 'AWS::NoValue' }] },
      H: {
        'Fn::And': [
          { 'Fn::Equals': [{ Ref: 'P' }, 'x'] },
          { 'Fn::Not': [{ Condition: 'Other' }] },
          { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
        ],
      },
      I: { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::ImportValue': 'Shared' }] }] },
      J: { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Region' }, 'Key'] },
      K: { 'Fn::Base64': 'text' },
      L: { 'Fn::Cidr': [{ 'Fn::GetAZs': '' }, 6, 5] },
    });
  });

  it.each([
    ['an unknown tag', 'Resources:\n  A:\n    Type: X\n    Properties: { P: !Reff Param }'],
    ['a duplicate key', 'Resources:\n  A:\n    Type: X\n  A:\n    Type: Y'],
    ['no Resources', 'Parameters: {}'],
    ['a resource without Type', 'Resources:\n  A:\n    Properties: {}'],
  ])('refuses a template with %s', (_name, text) => {
    // Act
    const attempt = () => parseTemplate(text);

    // Assess
    expect(attempt).toThrow(/template\.yaml/);
  });

  it('resolves parameters, pseudo parameters and conditions, and refuses deploy-time values', () => {
    // Prepare
    const alarm = resource('AuditSessionDeadLetterAlarm').Properties ?? {};

    // Act
    const withoutTopic = resolveIntrinsics(template, { actions: alarm.AlarmActions });
    const withTopic = resolveIntrinsics(
      template,
      { actions: alarm.AlarmActions },
      { parameters: { AlarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:ops' } },
    );
    const deployTime = () => resolveIntrinsics(template, alarm.Dimensions);

    // Assess
    expect(withoutTopic).toEqual({});
    expect(withTopic).toEqual({ actions: ['arn:aws:sns:eu-west-1:111122223333:ops'] });
    expect(deployTime).toThrow(/Fn::GetAtt/);
  });

  describe.each(['AuditSessionFunction', 'PrincipalChangeFunction', 'DocumentChangeFunction'])(
    '%s',
    (logicalId) => {
      let fn: FunctionSpec;
      beforeAll(() => {
        const found = functions.find((f) => f.logicalId === logicalId);
        if (found === undefined) throw new Error(`no ${logicalId}`);
        fn = found;
      });

      it('builds with esbuild as ESM from its handler file', () => {
        // Assess
        expect(fn.buildMethod).toBe('esbuild');
        expect(fn.buildProperties).toMatchObject({
          Format: 'esm',
          OutExtension: ['.js=.mjs'],
          Sourcemap: true,
        });
        expect(fn.codeDir).toBe(ROOT);
      });
    },
  );

  describe('every function', () => {
    it('uses a supported Node.js runtime', () => {
      // Assess
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) expect(['nodejs22.x', 'nodejs24.x'], fn.logicalId).toContain(fn.runtime);
    });

    it('runs on the Node.js major the project develops with (package.json devDependencies.node)', async () => {
      // Prepare
      const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      };
      const major = pkg.devDependencies.node?.split('.')[0];

      // Assess
      expect(major).toMatch(/^\d+$/);
      for (const fn of functions) expect(fn.runtime, fn.logicalId).toBe(`nodejs${major}.x`);
    });

    it('has a Handler that resolves to handlers/<module>.ts exporting that name', async () => {
      for (const fn of functions) {
        // Prepare
        const [moduleName, exportName] = fn.handler.split('.') as [string, string];
        const entry = `handlers/${moduleName}.ts`;

        // Assess
        expect(fn.entryPoints, fn.logicalId).toContain(entry);
        expect(existsSync(path.join(fn.codeDir, entry)), `${entry} exists`).toBe(true);
        const source = await readFile(path.join(fn.codeDir, entry), 'utf8');
        expect(source, `${entry} exports ${exportName}`).toMatch(new RegExp(`export const ${exportName}\\b`));
      }
    });

    it('is reached through its own queue, never invoked by a rule or asynchronously', () => {
      expect(queued.length).toBe(functions.length - SCHEDULED.size);
      for (const fn of queued) {
        // Assess
        const path = paths.find((p) => p.fn.logicalId === fn.logicalId);
        expect(path?.queue, `${fn.logicalId} has a queue`).toBeDefined();
        expect(fn.rules, `${fn.logicalId} has no rule of its own`).toEqual([]);
        expect(
          fn.events,
          `${fn.logicalId} has no SAM event source (SAM's SQS event grants every queue)`,
        ).toEqual({});
        expect(fn.properties.EventInvokeConfig, fn.logicalId).toBeUndefined();
        const senders = FED_BY_FUNCTIONS[fn.logicalId];
        if (senders === undefined)
          expect(path?.ruleIds.length, `${fn.logicalId} has a rule`).toBeGreaterThan(0);
        else expect(path?.ruleIds, `${fn.logicalId} is fed by functions only`).toEqual([]);
        expect(path?.condition).toBe(fn.condition);
      }
    });

    it('is fed by exactly the functions granted sqs:SendMessage on its queue, when no rule feeds it', () => {
      for (const [logicalId, senders] of Object.entries(FED_BY_FUNCTIONS)) {
        // Prepare
        const queueId = paths.find((p) => p.fn.logicalId === logicalId)?.queue?.logicalId;
        const sending = functions.filter((fn) =>
          fn.policyStatements.some(
            (s) =>
              s.Action.includes('sqs:SendMessage') &&
              s.Resource.some((r) => getAttTarget(r, 'Arn') === queueId),
          ),
        );

        // Assess
        expect(queueId, logicalId).toBeDefined();
        expect(sending.map((fn) => fn.logicalId).sort()).toEqual([...senders].sort());
        for (const fn of sending) {
          expect(fn.environment.SESSION_VERIFICATION_QUEUE_URL, fn.logicalId).toEqual({ Ref: queueId });
        }
      }
    });

    it('has rules that retry delivery to its queue and dead-letter what EventBridge cannot deliver', () => {
      for (const path of paths) {
        for (const ruleId of path.ruleIds) {
          // Prepare
          const rule = resource(ruleId);
          const targets = rule.Properties?.Targets as {
            Arn: unknown;
            RetryPolicy?: unknown;
            DeadLetterConfig?: { Arn?: unknown };
          }[];

          // Assess
          expect(rule.Condition, ruleId).toBe(path.condition);
          expect(targets, ruleId).toHaveLength(1);
          expect(getAttTarget(targets[0]?.Arn, 'Arn')).toBe(path.queue?.logicalId);
          expect(targets[0]?.RetryPolicy, ruleId).toEqual({
            MaximumRetryAttempts: 4,
            MaximumEventAgeInSeconds: 3600,
          });
          expect(getAttTarget(targets[0]?.DeadLetterConfig?.Arn, 'Arn'), ruleId).toBe('RuleDeadLetterQueue');
        }
      }
      expect(alarmsOn('RuleDeadLetterQueue').length).toBeGreaterThan(0);
    });

    it('queues encrypted for 14 days, invisible for six times its timeout, redriven to an alarmed dead-letter queue', () => {
      for (const path of paths) {
        // Prepare
        const queueId = path.queue?.logicalId ?? '';
        const queue = resource(queueId);
        const deadLetterId = path.queue?.deadLetterQueue ?? '';

        // Assess
        expect(queue.Condition, queueId).toBe(path.condition);
        expect(queue.Properties).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 1_209_600,
          VisibilityTimeout: 6 * path.fn.timeout,
          RedrivePolicy: { maxReceiveCount: { Ref: 'MaxReceiveCount' } },
        });
        expect(path.queue?.mapping.maxReceiveCount).toBe(5);
        expect(resource(deadLetterId)).toMatchObject({
          Type: 'AWS::SQS::Queue',
          DeletionPolicy: 'Retain',
          Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
        });
        expect(alarmsOn(deadLetterId).length, `alarm on ${deadLetterId}`).toBe(1);
        expect(
          alarmsOn(queueId, 'ApproximateAgeOfOldestMessage', { Ref: 'OldestMessageAlarmSeconds' }).length,
        ).toBe(1);
      }
    });

    it('lets only its own rule send to its queue', () => {
      for (const path of paths.filter((p) => FED_BY_FUNCTIONS[p.fn.logicalId] === undefined)) {
        // Prepare
        const queueId = path.queue?.logicalId ?? '';
        const policies = Object.values(template.body.Resources).filter(
          (r) =>
            r.Type === 'AWS::SQS::QueuePolicy' &&
            refTarget((r.Properties?.Queues as unknown[])?.[0]) === queueId,
        );

        // Assess
        const sources = path.ruleIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
        expect(policies, queueId).toHaveLength(1);
        expect(policies[0]?.Properties?.PolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Sid:
                path.ruleIds.length === 1
                  ? `Only${path.ruleIds[0]}`
                  : `Only${path.fn.logicalId.replace(/Function$/, '')}Rules`,
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': sources.length === 1 ? sources[0] : sources } },
            },
          ],
        });
      }
    });

    it('is polled in batches with partial failures and a bounded concurrency, all from parameters', () => {
      for (const path of paths) {
        // Prepare
        const mapping = Object.values(template.body.Resources).find(
          (r) =>
            r.Type === 'AWS::Lambda::EventSourceMapping' &&
            refTarget(r.Properties?.FunctionName) === path.fn.logicalId,
        );

        // Assess
        expect(mapping?.Condition).toBe(path.condition);
        expect(mapping?.Properties).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': [path.queue?.logicalId, 'Arn'] },
          BatchSize: {
            // Session events come in bursts; changes and STS records one at a time (each rereads state).
            Ref: SESSION_BATCHED.has(path.fn.logicalId) ? 'BatchSize' : 'ChangeBatchSize',
          },
          MaximumBatchingWindowInSeconds: { Ref: 'BatchingWindowSeconds' },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: { Ref: 'MaximumConcurrency' } },
        });
        expect(path.queue?.mapping).toMatchObject({ windowSeconds: 5, maximumConcurrency: 2 });
        // The pacer divides the quotas by the same number.
        expect(path.fn.environment.MAXIMUM_CONCURRENCY).toEqual({ Ref: 'MaximumConcurrency' });
      }
      expect(template.body.Parameters?.MaximumConcurrency).toMatchObject({
        Type: 'Number',
        Default: 2,
        MinValue: 2,
      });
      expect(template.body.Parameters?.MaxReceiveCount).toMatchObject({ Type: 'Number', Default: 5 });
      expect(paths.find((p) => p.fn.logicalId === 'AuditSessionFunction')?.queue?.mapping.batchSize).toBe(
        100,
      );
    });

    it('logs to its own log group with a retention period', () => {
      for (const fn of functions) {
        // Prepare
        const logGroupId = refTarget(
          (fn.properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup,
        );

        // Assess
        expect(logGroupId, `${fn.logicalId} LoggingConfig.LogGroup`).toBeDefined();
        const logGroup = resource(logGroupId ?? '');
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(resolveIntrinsics(template, logGroup.Properties?.RetentionInDays)).toEqual(
          expect.stringMatching(/^\d+$/),
        );
      }
    });

    it('sets every configuration variable from a template Parameter', () => {
      for (const fn of functions) {
        for (const name of CONFIG_VARIABLES) {
          // Assess
          const parameter = refTarget(fn.environment[name]);
          expect(parameter, `${fn.logicalId} ${name}`).toBeDefined();
          expect(template.body.Parameters?.[parameter ?? ''], `parameter ${parameter}`).toBeDefined();
        }
      }
    });

    it('sets every variable config.ts reads, except those Lambda sets and documented tunables', async () => {
      // Prepare
      const source = await readFile(path.join(ROOT, 'src/config.ts'), 'utf8');
      const read = new Set(
        [...source.matchAll(/env\.([A-Z][A-Z0-9_]+)|env,\s*'([A-Z][A-Z0-9_]+)'/g)].map(
          (m) => m[1] ?? m[2] ?? '',
        ),
      );

      // Assess
      expect(read.size).toBeGreaterThan(0);
      for (const fn of functions) {
        for (const name of read) {
          if (NOT_FROM_TEMPLATE.has(name)) continue;
          expect(Object.keys(fn.environment), `${fn.logicalId} sets ${name}`).toContain(name);
        }
      }
    });

    it('starts with a valid configuration from the parameter defaults', () => {
      for (const fn of functions) {
        // Act
        const env = { ...resolveEnvironment(template, fn), AWS_REGION: 'us-east-1' };
        const config = loadConfig(env);

        // Assess
        expect(config.deniedRunAsUsers.has('root')).toBe(true);
        expect(config.userDirectory).toBe('inventory');
        expect(config.auditedRegions).toEqual(['us-east-1']);
      }
    });
  });

  it.each(['ReportCompliantSessions', 'ReportNotApplicable', 'TerminateStaleSessions'])(
    'restricts the flag %s to "true" and "false"',
    (name) => {
      // Assess
      expect(template.body.Parameters?.[name]).toMatchObject({
        Type: 'String',
        Default: 'false',
        AllowedValues: ['true', 'false'],
      });
    },
  );

  it('leaves alarm actions out unless a topic is given', () => {
    // Prepare
    const alarms = Object.values(template.body.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual({
        'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
      });
    }
    expect(resolveIntrinsics(template, { Condition: 'HasAlarmTopic' })).toBe(false);
  });
});

describe('the identity function’s rules', () => {
  const rules = () =>
    Object.entries(template.body.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');

  it('match read-only STS records with the only state that delivers them, and write events with ENABLED', () => {
    for (const [id, rule] of rules()) {
      // Prepare
      const sources = (rule.Properties?.EventPattern as { source?: string[] } | undefined)?.source ?? [];

      // Assess
      expect(rule.Properties?.State, id).toBe(
        sources.includes('aws.sts') ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED',
      );
    }
    expect(rules().filter(([, r]) => r.Properties?.State !== 'ENABLED').length).toBe(3);
  });

  it('are all allowed to dead-letter what EventBridge cannot deliver', () => {
    // Prepare
    const policy = resource('RuleDeadLetterQueuePolicy').Properties?.PolicyDocument as {
      Statement: { Condition: { ArnEquals: { 'aws:SourceArn': unknown[] } } }[];
    };
    const allowed = JSON.stringify(policy.Statement[0]?.Condition.ArnEquals['aws:SourceArn']);

    // Assess
    for (const [id] of rules()) expect(allowed, id).toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
  });

  it('give the table to the functions that audit sessions only, narrowed to their partitions', () => {
    for (const fn of functions) {
      // Act
      const table = fn.policyStatements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));

      // Assess
      const audits = ['AuditSessionFunction', 'IdentityFunction', 'SweepFunction'].includes(fn.logicalId);
      expect(table.length, fn.logicalId).toBe(audits ? 1 : 0);
      if (!audits) continue;
      expect(table[0]?.Resource).toEqual([{ 'Fn::GetAtt': ['StateTable', 'Arn'] }]);
      // Only the sweep reads and moves the watermarks.
      const keys = ['key#*', 'session#*', 'tags#*', 'ledger#*'];
      expect(table[0]?.Condition).toEqual({
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': fn.logicalId === 'SweepFunction' ? [...keys, 'watermark#*'] : keys,
        },
      });
    }
  });
});

describe('the dashboard', () => {
  /** The dashboard body as CloudFormation would render it, with `iamRegion` deciding ReceivesIamEvents. */
  const body = (iamRegion: boolean) => {
    const dashboardBody = resource('Dashboard').Properties?.DashboardBody as
      | { 'Fn::Sub': [string, Record<string, unknown>] }
      | undefined;
    const [text = '', variables = {}] = dashboardBody?.['Fn::Sub'] ?? [];
    const sub = (value: string, vars: Record<string, string>): string =>
      value.replace(/\$\{([A-Za-z0-9:.]+)\}/g, (_m, name: string) =>
        name === 'AWS::Region' ? 'eu-west-1' : (vars[name] ?? `<${name}>`),
      );
    const vars = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => {
        const [condition, yes, no] = (value as { 'Fn::If': [string, { 'Fn::Sub': string }, string] })[
          'Fn::If'
        ];
        expect(condition).toBe('HandlesIamEvents');
        return [name, iamRegion ? sub(yes['Fn::Sub'], {}) : no];
      }),
    );
    return JSON.parse(sub(text, vars)) as {
      widgets: { properties: { region: string; metrics: (string | { expression: string })[][] } }[];
    };
  };
  const metricsOf = (iamRegion: boolean) => body(iamRegion).widgets.flatMap((w) => w.properties.metrics);

  it.each([true, false])('is valid JSON in the Region of the stack (IAM Region: %s)', (iamRegion) => {
    // Assess
    for (const widget of body(iamRegion).widgets) expect(widget.properties.region).toBe('eu-west-1');
  });

  it('shows every metric the functions emit, in their namespace and service', () => {
    // Act
    const shown = JSON.stringify(metricsOf(true));

    // Assess
    for (const name of Object.values(METRIC)) expect(shown, name).toContain(name);
    const plain = metricsOf(true).filter((m) => m[0] === METRICS_NAMESPACE);
    expect(plain.length).toBeGreaterThan(0);
    for (const metric of plain) expect(metric.slice(2)).toEqual(['service', SERVICE_NAME]);
    const searches = metricsOf(true).flatMap((m) =>
      m.filter((x): x is { expression: string } => typeof x === 'object'),
    );
    for (const { expression } of searches) expect(expression).toContain(`{${METRICS_NAMESPACE},`);
  });

  it.each([true, false])(
    'shows the depth of every queue and the age of every main queue (IAM Region: %s)',
    (iamRegion) => {
      // Prepare
      const queues = paths.filter((p) => iamRegion || p.condition === undefined);
      const of = (metric: string) =>
        metricsOf(iamRegion)
          .filter((m) => m[0] === 'AWS/SQS' && m[1] === metric)
          .map((m) => m[3])
          .sort();

      // Assess
      expect(of('ApproximateNumberOfMessagesVisible')).toEqual(
        [
          ...queues.flatMap((p) => [p.queue?.logicalId, p.queue?.deadLetterQueue]),
          'RuleDeadLetterQueue',
          'SweepDeadLetterQueue',
        ]
          .map((id) => `<${id}.QueueName>`)
          .sort(),
      );
      expect(of('ApproximateAgeOfOldestMessage')).toEqual(
        queues.map((p) => `<${p.queue?.logicalId}.QueueName>`).sort(),
      );
    },
  );
});

describe('the template rules', () => {
  /** The rule functions CloudFormation evaluates before it creates anything. */
  const evaluate = (value: unknown, parameters: Record<string, string>): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => evaluate(v, parameters));
    const [[fn, args]] = Object.entries(value) as [[string, unknown]];
    const list = Array.isArray(args) ? args.map((a) => evaluate(a, parameters)) : [];
    switch (fn) {
      case 'Ref':
        return parameters[String(args)] ?? String(template.body.Parameters?.[String(args)]?.Default);
      case 'Fn::Or':
        return list.some(Boolean);
      case 'Fn::And':
        return list.every(Boolean);
      case 'Fn::Not':
        return !list[0];
      case 'Fn::Equals':
        return String(list[0]) === String(list[1]);
      case 'Fn::Contains':
        return (list[0] as unknown[]).map(String).includes(String(list[1]));
      default:
        throw new Error(`rule function ${fn} not handled`);
    }
  };
  const holds = (parameters: Record<string, string>): boolean => {
    const rules = template.body.Rules as Record<string, { Assertions: { Assert: unknown }[] }>;
    return Object.values(rules).every((rule) =>
      rule.Assertions.every((a) => evaluate(a.Assert, parameters) === true),
    );
  };

  it.each([
    [{}, true],
    [{ BatchingWindowSeconds: '0', BatchSize: '10', ChangeBatchSize: '1' }, true],
    [{ BatchingWindowSeconds: '0' }, false],
    [{ BatchingWindowSeconds: '0', BatchSize: '10', ChangeBatchSize: '11' }, false],
    [{ BatchingWindowSeconds: '1', BatchSize: '10000' }, true],
  ])('refuse a batch above 10 without a batching window (%j: %s)', (parameters, expected) => {
    // Assess
    expect(holds(parameters)).toBe(expected);
  });
});

describe('template.yaml against the CloudFormation resource specification', () => {
  const problemsOf = (type: string, properties: Record<string, unknown>, where: string, requireAll = true) =>
    type === 'AWS::Serverless::Function'
      ? samFunctionProblems(properties, where, requireAll)
      : resourceProblems(type, properties, where, requireAll);

  it('gives every resource only properties the specification knows, of the right types', () => {
    // Act
    const problems = Object.entries(template.body.Resources).flatMap(([id, resource]) =>
      problemsOf(resource.Type, { ...resource.Properties }, `Resources.${id}.Properties`),
    );
    const globals = problemsOf(
      'AWS::Serverless::Function',
      { ...template.body.Globals?.Function },
      'Globals.Function',
      false,
    );

    // Assess
    expect(Object.keys(template.body.Resources).length).toBeGreaterThan(10);
    expect([...problems, ...globals]).toEqual([]);
  });

  it.each([
    [
      'an unknown property',
      'AWS::SQS::Queue',
      { MessageRetentionPeriods: 60 },
      'MessageRetentionPeriods: not a property',
    ],
    [
      'a wrong type',
      'AWS::SQS::Queue',
      { MessageRetentionPeriod: 'a week' },
      'MessageRetentionPeriod: expected a integer',
    ],
    [
      'a value outside the allowed ones',
      'AWS::Logs::LogGroup',
      { RetentionInDays: 31 },
      'RetentionInDays: expected one of',
    ],
    ['a missing required property', 'AWS::SSM::Document', { DocumentType: 'Command' }, 'Content: required'],
    [
      'a bad nested value',
      'AWS::CloudWatch::Alarm',
      {
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        Dimensions: [{ Name: 'QueueName' }],
      },
      'Dimensions[0].Value: required',
    ],
    [
      'a bad branch of Fn::If',
      'AWS::SQS::Queue',
      { DelaySeconds: { 'Fn::If': ['C', 'soon', { Ref: 'AWS::NoValue' }] } },
      'DelaySeconds: expected a integer',
    ],
    [
      'a Lambda property SAM passes on',
      'AWS::Serverless::Function',
      { MemorySize: 'lots' },
      'MemorySize: expected a integer',
    ],
    ['a misspelled SAM property', 'AWS::Serverless::Function', { Polices: [] }, 'Polices: not a property'],
    [
      'a bad EventBridgeRule retry policy',
      'AWS::Serverless::Function',
      {
        Events: {
          E: {
            Type: 'EventBridgeRule',
            Properties: { Pattern: {}, RetryPolicy: { MaximumRetryAttempts: 'x' } },
          },
        },
      },
      'RetryPolicy.MaximumRetryAttempts: expected a integer',
    ],
  ])('catches %s', (_case, type, properties, problem) => {
    // Act
    const problems = problemsOf(type, properties, 'R', type !== 'AWS::Serverless::Function');

    // Assess
    expect(problems.join('\n')).toContain(problem);
  });

  it('accepts values only a deployment knows (Ref, Fn::GetAtt, Fn::Join)', () => {
    // Act
    const problems = resourceProblems(
      'AWS::SQS::Queue',
      {
        QueueName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'q']] },
        KmsMasterKeyId: { Ref: 'Key' },
        RedrivePolicy: { 'Fn::GetAtt': ['X', 'Y'] },
      },
      'R',
    );

    // Assess
    expect(problems).toEqual([]);
  });
});

describe('EventBridge routing of events/', () => {
  const eventFiles = eventFixtures;

  const routedTo = (event: unknown): string[] =>
    paths
      .filter((p) => p.patterns.some((pattern) => matchesPattern(pattern, event)))
      .map((p) => p.fn.logicalId)
      .sort();

  it('has StartSession samples to route', async () => {
    // Act
    const files = await eventFiles();

    // Assess
    expect(files.filter((f) => f.name.startsWith('startsession-')).length).toBeGreaterThan(0);
  });

  it('routes every sample to exactly the functions it is meant for', async () => {
    // Prepare
    const files = await eventFiles();

    for (const { name, event } of files) {
      // Act
      const matched = routedTo(event);

      // Assess
      const expected = [...(EVENT_ROUTES.find((r) => name.startsWith(r.prefix))?.functions ?? [])].sort();
      expect(matched, name).toEqual(expected);
    }
  });

  const base = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ssm',
    account: '111122223333',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
  };
  const detail = {
    eventVersion: '1.08',
    eventSource: 'ssm.amazonaws.com',
    eventName: 'StartSession',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    requestParameters: { target: 'i-0123456789abcdef0' },
    eventType: 'AwsApiCall',
  };

  it.each([
    ['TerminateSession', { ...base, detail: { ...detail, eventName: 'TerminateSession' } }],
    ['ResumeSession', { ...base, detail: { ...detail, eventName: 'ResumeSession' } }],
    ['GetDocument', { ...base, detail: { ...detail, eventName: 'GetDocument' } }],
    ['StartSession from aws.ec2', { ...base, source: 'aws.ec2', detail }],
    [
      'an AWS Service Event via CloudTrail',
      { ...base, 'detail-type': 'AWS Service Event via CloudTrail', detail },
    ],
    [
      'StartSession from another event source',
      { ...base, detail: { ...detail, eventSource: 'ec2.amazonaws.com' } },
    ],
  ])('does not send %s to AuditSessionFunction', (_name, event) => {
    // Act
    const matched = routedTo(event);

    // Assess
    expect(matched).not.toContain('AuditSessionFunction');
  });

  it('sends an inline StartSession to AuditSessionFunction', () => {
    // Act
    const matched = routedTo({ ...base, detail });

    // Assess
    expect(matched).toContain('AuditSessionFunction');
  });
});

describe('least privilege', () => {
  /** What the event source mapping polls with, using the function's role: granted on its own queue only. */
  const POLLER_ACTIONS = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
  const isPoller = (statement: { readonly Action: readonly string[] }): boolean =>
    [...statement.Action].sort().join() === POLLER_ACTIONS.join();

  interface SdkCall {
    /** `<prefix>:<Action>`. */
    readonly action: string;
    /** What the code calls: `new <Name>(` or `<paginateName>(`. */
    readonly call: RegExp;
  }

  /** Every SDK command an adapter file constructs or paginates, keyed to its IAM action. */
  const callsIn = (source: string, file: string): SdkCall[] => {
    // local name → import (and, for the document client, the action it sends)
    const imported = new Map<string, { prefix: string; name: string; action?: string }>();
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const [, specifiers = '', client = ''] = m;
      const prefix = IAM_PREFIX[client];
      if (prefix === undefined) throw new Error(`${file}: no IAM prefix known for @aws-sdk/client-${client}`);
      for (const raw of specifiers.split(',')) {
        const spec = raw.trim();
        if (spec === '' || spec.startsWith('type ')) continue;
        const [name = '', local = name] = spec.split(/\s+as\s+/);
        imported.set(local.trim(), { prefix, name: name.trim() });
      }
    }
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/lib-dynamodb'/g)) {
      for (const raw of (m[1] ?? '').split(',')) {
        const spec = raw.trim();
        if (spec === '' || spec.startsWith('type ')) continue;
        const action = DOCUMENT_CLIENT_ACTIONS[spec];
        if (action === undefined && /Command$|^paginate/.test(spec))
          throw new Error(`${file}: no DynamoDB action known for ${spec}`);
        if (action !== undefined) imported.set(spec, { prefix: 'dynamodb', name: spec, action });
      }
    }
    const calls: SdkCall[] = [];
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/lib-dynamodb'/g)) {
      for (const raw of (m[1] ?? '').split(',')) {
        const name = raw.trim();
        const action = DOCUMENT_COMMANDS[name];
        if (action !== undefined) {
          calls.push({
            action: `dynamodb:${action}`,
            call: new RegExp(`\\b${name === 'paginateQuery' ? name : `new ${name}`}\\d*\\(`),
          });
        }
      }
    }
    for (const m of source.matchAll(/new\s+([A-Za-z0-9_]+)\s*\(/g)) {
      const found = imported.get(m[1] ?? '');
      if (found?.name.endsWith('Command')) {
        calls.push({
          action: found.action ?? `${found.prefix}:${found.name.slice(0, -'Command'.length)}`,
          call: new RegExp(`new ${found.name}\\d*\\(`),
        });
      }
    }
    for (const m of source.matchAll(/\b(paginate[A-Za-z0-9_]+)\s*\(/g)) {
      const found = imported.get(m[1] ?? '');
      if (found !== undefined) {
        calls.push({
          action: found.action ?? `${found.prefix}:${found.name.slice('paginate'.length)}`,
          call: new RegExp(`\\b${found.name}\\d*\\(`),
        });
      }
    }
    return calls;
  };

  it.each([
    'AuditSessionFunction',
    'PrincipalChangeFunction',
    'DocumentChangeFunction',
    'SessionVerificationFunction',
    'IdentityFunction',
    'SweepFunction',
  ])('grants %s exactly the actions its bundled adapters send', async (logicalId) => {
    // Prepare
    const fn = functions.find((f) => f.logicalId === logicalId);
    if (fn === undefined) throw new Error(`no ${logicalId}`);
    const bundle = await bundleFunction(fn, { minify: false });
    let sent: string[];
    try {
      const adapters = Object.keys(bundle.metafile.inputs).filter((input) =>
        /^src\/aws\/[^/]+\.ts$/.test(input),
      );
      expect(adapters.length, 'adapters in the bundle').toBeGreaterThan(0);
      const code = await readFile(bundle.outfile, 'utf8');

      // Act
      const calls = (
        await Promise.all(
          adapters.map(async (file) => callsIn(await readFile(path.join(fn.codeDir, file), 'utf8'), file)),
        )
      ).flat();
      // An adapter file may hold code this function never reaches; esbuild drops it, and so does the grant.
      sent = calls.filter(({ call }) => call.test(code)).map(({ action }) => action);
    } finally {
      await rm(bundle.outdir, { recursive: true, force: true });
    }
    const granted = fn.policyStatements
      .filter((s) => s.Effect === 'Allow' && !isPoller(s))
      .flatMap((s) => s.Action);
    const poller = fn.policyStatements.filter(isPoller);

    // Assess
    expect(fn.otherPolicies, 'only inline policy statements, so the grant is visible').toEqual([]);
    if (SCHEDULED.has(logicalId)) expect(poller).toEqual([]);
    else {
      expect(poller).toHaveLength(1);
      expect([...(poller[0]?.Action ?? [])].sort()).toEqual(POLLER_ACTIONS);
      expect(poller[0]?.Resource).toEqual([
        { 'Fn::GetAtt': [paths.find((p) => p.fn.logicalId === fn.logicalId)?.queue?.logicalId, 'Arn'] },
      ]);
    }
    expect([...new Set(granted)].sort()).toEqual([...new Set(sent)].sort());
    expect(granted.length, 'each action granted once').toBe(new Set(granted).size);
  });

  it('grants the state table only its item actions, on that table', () => {
    for (const fn of functions) {
      for (const statement of fn.policyStatements.filter((s) =>
        s.Action.some((a) => a.startsWith('dynamodb:')),
      )) {
        // Assess
        expect(statement.Resource, fn.logicalId).toEqual([{ 'Fn::GetAtt': ['StateTable', 'Arn'] }]);
        for (const action of statement.Action) expect(action).toMatch(/^dynamodb:([A-Z]\w+Item|Query)$/);
      }
    }
  });

  it('uses "*" only for actions IAM cannot scope to a resource', () => {
    for (const fn of functions) {
      for (const statement of fn.policyStatements.filter((s) => !isPoller(s))) {
        // The state table's ARN exists once deployed; its statement is checked above.
        if (getAttTarget(statement.Resource[0], 'Arn') === 'StateTable') continue;
        // The member roles are in every account of the organization; checked in organization.test.ts.
        if (statement.Action.includes('sts:AssumeRole')) continue;
        // Prepare: a queue of the stack (Fn::GetAtt) is one resource by construction.
        const own = statement.Resource.filter((r) => getAttTarget(r, 'Arn') === undefined);
        const resources = resolveIntrinsics(template, own) as string[];

        // Assess
        expect(
          statement.Action.some((a) => a.includes('*')),
          'no wildcard actions',
        ).toBe(false);
        if (resources.includes('*')) {
          for (const action of statement.Action)
            expect([...NO_RESOURCE_LEVEL], `${action} on "*"`).toContain(action);
        } else {
          // A Region of `*` only for the functions that serve every audited Region (IAM changes, the sweep's refresh).
          const scoped = /^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(123456789012)?:/;
          const anyRegion = /^arn:aws:[a-z0-9-]+:([a-z0-9-]*|\*):(123456789012)?:/;
          for (const arn of resources)
            expect(arn).toMatch(AUDITS_EVERY_REGION.has(fn.logicalId) ? anyRegion : scoped);
        }
      }
    }
  });

  it('grants the Run Command probe only when USER_DIRECTORY is command, on AWS-RunShellScript and nodes', () => {
    for (const fn of functions) {
      for (const statement of fn.policyStatements) {
        for (const action of statement.Action) {
          // Assess
          expect(statement.onlyIf, `${fn.logicalId} ${action}`).toBe(CONDITIONAL_ACTIONS[action]);
        }
      }
    }
    const condition = template.body.Conditions?.ProbesWithRunCommand;
    expect(condition).toEqual({ 'Fn::Equals': [{ Ref: 'UserDirectory' }, 'command'] });
    const send = functions[0]?.policyStatements.find((s) => s.Action.includes('ssm:SendCommand'));
    expect(
      resolveIntrinsics(template, send?.Resource, { region: 'eu-west-1', accountId: '111122223333' }),
    ).toEqual([
      'arn:aws:ssm:eu-west-1::document/AWS-RunShellScript',
      'arn:aws:ec2:eu-west-1:111122223333:instance/*',
      'arn:aws:ssm:eu-west-1:111122223333:managed-instance/*',
    ]);
  });

  it('scopes Security Hub imports to the account’s own product', () => {
    // Prepare
    const fn = functions.find((f) => f.logicalId === 'AuditSessionFunction');
    const statement = fn?.policyStatements.find((s) => s.Action.includes('securityhub:BatchImportFindings'));

    // Act
    const resources = resolveIntrinsics(template, statement?.Resource, {
      region: 'eu-west-1',
      accountId: '111122223333',
    });

    // Assess
    expect(resources).toEqual(['arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default']);
  });
});
