/**
 * The sweep in template.yaml: an EventBridge Scheduler schedule (hourly by default) that invokes
 * SweepFunction with the time it fired, with an execution role that can do exactly that, and a
 * dead-letter queue (alarmed) for runs that fail after Lambda's retries or cannot be delivered.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveIntrinsics } from '../../src/local/tools/intrinsics.ts';
import { functionsOf } from '../../src/local/tools/samFunctions.ts';
import { type FunctionSpec, loadTemplate, type Template } from '../../src/local/tools/template.ts';

let template: Template;
let sweep: FunctionSpec;

beforeAll(async () => {
  template = await loadTemplate(path.join(import.meta.dirname, '../../template.yaml'));
  const found = functionsOf(template).find((fn) => fn.logicalId === 'SweepFunction');
  if (found === undefined) throw new Error('no SweepFunction');
  sweep = found;
});

const resource = (id: string) => {
  const found = template.body.Resources[id];
  if (found === undefined) throw new Error(`no resource ${id}`);
  return found;
};

describe('the sweep in template.yaml', () => {
  it('is scheduled by EventBridge Scheduler, hourly unless SweepScheduleExpression says otherwise', () => {
    // Prepare
    const schedule = resource('SweepSchedule');
    const target = schedule.Properties?.Target as Record<string, unknown>;

    // Assess
    expect(schedule.Type).toBe('AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: { Ref: 'SweepScheduleExpression' },
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    expect(template.body.Parameters?.SweepScheduleExpression).toMatchObject({ Default: 'rate(1 hour)' });
    expect(target.Arn).toEqual({ 'Fn::GetAtt': ['SweepFunction', 'Arn'] });
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': ['SweepScheduleRole', 'Arn'] });
    expect(JSON.parse(String(target.Input))).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'Arn'] } });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 });
  });

  it.each([
    ['rate(1 hour)', true],
    ['rate(30 minutes)', true],
    ['cron(5 * * * ? *)', true],
    ['every hour', false],
  ])('accepts the schedule expression %s: %s', (expression, accepted) => {
    // Prepare
    const pattern = new RegExp(String(template.body.Parameters?.SweepScheduleExpression?.AllowedPattern));

    // Assess
    expect(pattern.test(expression)).toBe(accepted);
  });

  it('lets the schedule invoke the sweep function and dead-letter to its queue, nothing else', () => {
    // Prepare
    const role = resource('SweepScheduleRole').Properties ?? {};
    const statements = (role.Policies as { PolicyDocument: { Statement: unknown[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );

    // Assess
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': ['SweepFunction', 'Arn'] },
      }),
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'Arn'] },
      }),
    ]);
  });

  it('keeps a failed run, after two Lambda retries, in its own alarmed dead-letter queue', () => {
    // Prepare
    const alarm = Object.values(template.body.Resources).find(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties?.Dimensions).includes('"SweepDeadLetterQueue","QueueName"'),
    );

    // Assess
    expect(sweep.properties.EventInvokeConfig).toEqual({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Type: 'SQS', Destination: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'Arn'] } },
      },
    });
    expect(resource('SweepDeadLetterQueue').Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(alarm?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
  });

  it('runs up to 15 minutes, logs to its own group, and knows the state table', () => {
    // Assess
    expect(sweep.timeout).toBe(900);
    expect((sweep.properties.LoggingConfig as { LogGroup: unknown }).LogGroup).toEqual({
      Ref: 'SweepLogGroup',
    });
    expect(sweep.environment.STATE_TABLE_NAME).toEqual({ Ref: 'StateTable' });
    expect(sweep.environment.AUDITED_REGIONS).toEqual({ Ref: 'AuditedRegions' });
    expect(resolveIntrinsics(template, sweep.environment.MAXIMUM_CONCURRENCY)).toBe('2');
  });
});
