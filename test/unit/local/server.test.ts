import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../../src/local/services/server.ts';
import { LocalWorld } from '../../../src/local/world/localWorld.ts';
import { baseWorld, CREDENTIALS, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const AUTH =
  'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=00';

async function raw(
  url: string,
  init: { headers?: Record<string, string>; body?: string; path?: string; method?: string },
) {
  const response = await fetch(`${url}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.method === 'GET' ? {} : { body: init.body ?? '' }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('startLocalAws', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('listens on 127.0.0.1 on an ephemeral port and serves a given LocalWorld', async () => {
    // Prepare
    const world = new LocalWorld(baseWorld());

    // Act
    const local = await startLocalAws(world);
    await local.close();

    // Assess
    expect(local.url).toBe(`http://127.0.0.1:${local.port}`);
    expect(local.port).toBeGreaterThan(0);
    expect(local.world).toBe(world);
  });

  it('endpointEnv() points the real SDK clients at it without an explicit endpoint', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      Object.assign(process.env, local.endpointEnv());
      const config = { region: 'us-east-1', credentials: CREDENTIALS };

      // Act
      const doc = await new SSMClient(config).send(
        new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }),
      );
      const tags = await new IAMClient(config).send(new ListUserTagsCommand({ UserName: 'alice' }));
      const events = await new CloudTrailClient(config).send(new LookupEventsCommand({}));
      const identity = await new STSClient(config).send(new GetCallerIdentityCommand({}));
      const findings = await new SecurityHubClient(config).send(new GetFindingsCommand({}));
      const sent: string[] = [];
      local.queues.register('111122223333', 'Verifications', (message) => sent.push(message.body));
      const message = await new SQSClient(config).send(
        new SendMessageCommand({
          QueueUrl: `${local.url}/111122223333/Verifications`,
          MessageBody: '{"ok":true}',
          DelaySeconds: 60,
        }),
      );
      const noGroup = await rejection(
        new CloudWatchLogsClient(config).send(
          new GetLogEventsCommand({ logGroupName: '/aws/ssm/sessions', logStreamName: 's-1' }),
        ),
      );

      // Assess
      expect(Object.keys(local.endpointEnv()).sort()).toEqual([
        'AWS_ENDPOINT_URL_CLOUDTRAIL',
        'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
        'AWS_ENDPOINT_URL_IAM',
        'AWS_ENDPOINT_URL_SECURITYHUB',
        'AWS_ENDPOINT_URL_SQS',
        'AWS_ENDPOINT_URL_SSM',
        'AWS_ENDPOINT_URL_STS',
      ]);
      expect(identity.Account).toBe('111122223333');
      expect(sent).toEqual(['{"ok":true}']);
      expect(message.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(noGroup.name).toBe('ResourceNotFoundException');
      expect(doc.Name).toBe('SSM-SessionManagerRunShell');
      expect(tags.Tags?.length).toBe(2);
      expect(events.Events).toEqual([]);
      expect(findings.Findings).toEqual([]);
      expect(local.calls.snapshot()).toEqual({
        'cloudtrail:LookupEvents': 1,
        'iam:ListUserTags': 1,
        'logs:GetLogEvents': 1,
        'securityhub:GetFindings': 1,
        'sqs:SendMessage': 1,
        'ssm:GetDocument': 1,
        'sts:GetCallerIdentity': 1,
      });
    });
  });

  it('counts calls per operation; reset() clears the counters', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const ssm = new SSMClient(clientConfig(local));
      await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));
      await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));

      // Act
      const before = local.calls.snapshot();
      const total = local.calls.total();
      local.calls.reset();

      // Assess
      expect(before).toEqual({ 'ssm:GetDocument': 2 });
      expect(total).toBe(2);
      expect(local.calls.snapshot()).toEqual({});
    });
  });

  it('takes the Region from the SigV4 credential scope', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const response = await raw(local.url, {
        headers: {
          'x-amz-target': 'AmazonSSM.GetDocument',
          'content-type': 'application/x-amz-json-1.1',
          authorization: AUTH,
        },
        body: JSON.stringify({ Name: 'SSM-SessionManagerRunShell' }),
      });

      // Assess
      expect(response.status).toBe(200);
      expect(JSON.parse(JSON.parse(response.text).Content).inputs.runAsEnabled).toBe(false);
    });
  });

  it('accepts the fully qualified CloudTrail target', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const response = await raw(local.url, {
        headers: {
          'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
          authorization: AUTH,
        },
        body: '{}',
      });

      // Assess
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ Events: [] });
      expect(local.calls.count('cloudtrail:LookupEvents')).toBe(1);
    });
  });

  it.each([
    [
      'an unknown SSM operation',
      { headers: { 'x-amz-target': 'AmazonSSM.DeleteEverything', authorization: AUTH }, body: '{}' },
      400,
      'UnknownOperationException',
    ],
    [
      'an unknown service target',
      { headers: { 'x-amz-target': 'DynamoDB_20120810.Scan', authorization: AUTH }, body: '{}' },
      400,
      'UnknownOperationException',
    ],
    [
      'an unknown Security Hub path',
      { headers: { authorization: AUTH }, path: '/findings/archive', body: '{}' },
      404,
      'UnknownOperationException',
    ],
    [
      'a path nobody serves',
      { headers: { authorization: AUTH }, path: '/nothing', method: 'GET' },
      404,
      'UnknownOperationException',
    ],
    [
      'a body that is not JSON',
      { headers: { 'x-amz-target': 'AmazonSSM.GetDocument', authorization: AUTH }, body: '{nope' },
      400,
      'SerializationException',
    ],
    [
      'a request without a signature',
      { headers: { 'x-amz-target': 'AmazonSSM.GetDocument' }, body: '{}' },
      403,
      'MissingAuthenticationToken',
    ],
  ])('answers %s with a JSON error, not a crash', async (_case, init, status, code) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const response = await raw(local.url, init);

      // Assess
      expect(response.status).toBe(status);
      expect(response.headers.get('x-amzn-errortype')).toBe(code);
      const body = JSON.parse(response.text);
      expect(body.__type ?? body.Code).toBe(code);
    });
  });

  it('answers an unknown IAM action with an InvalidAction XML error', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const response = await raw(local.url, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: AUTH },
        body: 'Action=DeleteAccount&Version=2010-05-08',
      });

      // Assess
      expect(response.status).toBe(400);
      expect(response.text).toContain('<ErrorResponse');
      expect(response.text).toContain('<Code>InvalidAction</Code>');
      expect(response.text).toContain('<Type>Sender</Type>');
      expect(local.calls.count('iam:DeleteAccount')).toBe(1);
    });
  });

  it('serves the world as replayed changes leave it', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const config = clientConfig(local);
      local.world.applyChange({
        eventSource: 'iam.amazonaws.com',
        eventName: 'TagUser',
        awsRegion: 'us-east-1',
        requestParameters: { userName: 'alice', tags: [{ key: 'ssmSessionRunAs', value: 'alice-ops' }] },
      });
      local.world.applyChange({
        eventSource: 'ssm.amazonaws.com',
        eventName: 'DeleteDocument',
        awsRegion: 'us-east-1',
        requestParameters: { name: 'SSM-SessionManagerRunShell' },
      });

      // Act
      const tags = await new IAMClient(config).send(new ListUserTagsCommand({ UserName: 'alice' }));
      const error = await new SSMClient(config)
        .send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }))
        .catch((e: unknown) => e as Error);

      // Assess
      expect(tags.Tags).toEqual([
        { Key: 'ssmSessionRunAs', Value: 'alice-ops' },
        { Key: 'Team', Value: 'ops' },
      ]);
      expect((error as Error).name).toBe('InvalidDocument');
    });
  });
});
