import {
  CloudTrailClient,
  ThrottlingException as CloudTrailThrottling,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, IAMServiceException, ListUserTagsCommand } from '@aws-sdk/client-iam';
import {
  GetFindingsCommand,
  SecurityHubClient,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { GetDocumentCommand, SSMClient, ThrottlingException as SsmThrottling } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import type { FaultService } from '../../../src/local/services/faults.ts';
import { ManualClock, type QuotaConfig } from '../../../src/local/services/quotas.ts';
import { type LocalAws, startLocalAws } from '../../../src/local/services/server.ts';
import { baseWorld, CREDENTIALS, rejection } from './localAwsHelpers.ts';

/** The SDK's own retry strategy, recording how the retry middleware classified each failure. */
class RecordingRetryStrategy extends ConfiguredRetryStrategy {
  readonly errorTypes: string[] = [];
  override async refreshRetryTokenForRetry(
    ...[token, errorInfo]: Parameters<ConfiguredRetryStrategy['refreshRetryTokenForRetry']>
  ) {
    this.errorTypes.push(errorInfo.errorType);
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

const LOGGED_WORLD = baseWorld({
  regions: {
    'us-east-1': {
      documents: [
        {
          name: 'SSM-SessionManagerRunShell',
          content: { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} },
        },
      ],
      logGroups: [
        {
          name: '/aws/ssm/sessions',
          streams: [{ name: 's-1', events: [{ timestamp: '2026-03-01T00:00:00Z', message: 'x' }] }],
        },
      ],
    },
  },
});

async function withQuotas<T>(
  quotas: QuotaConfig,
  run: (local: LocalAws, clock: ManualClock) => Promise<T>,
): Promise<T> {
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  const local = await startLocalAws(LOGGED_WORLD, { quotas, clock });
  local.queues.register('111122223333', 'Verifications', () => undefined);
  try {
    return await run(local, clock);
  } finally {
    await local.close();
  }
}

function config(local: LocalAws, retryStrategy: RecordingRetryStrategy) {
  return { region: 'us-east-1', endpoint: local.url, credentials: CREDENTIALS, retryStrategy };
}

/** One call per service, with its client built from `cfg`. */
function callOf(service: FaultService, cfg: ReturnType<typeof config>): () => Promise<unknown> {
  return {
    iam: () => new IAMClient(cfg).send(new ListUserTagsCommand({ UserName: 'alice' })),
    sts: () => new STSClient(cfg).send(new GetCallerIdentityCommand({})),
    ssm: () => new SSMClient(cfg).send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })),
    cloudtrail: () => new CloudTrailClient(cfg).send(new LookupEventsCommand({})),
    securityhub: () => new SecurityHubClient(cfg).send(new GetFindingsCommand({})),
    logs: () =>
      new CloudWatchLogsClient(cfg).send(
        new GetLogEventsCommand({ logGroupName: '/aws/ssm/sessions', logStreamName: 's-1' }),
      ),
    sqs: () =>
      new SQSClient(cfg).send(
        new SendMessageCommand({
          QueueUrl: `${cfg.endpoint}/111122223333/Verifications`,
          MessageBody: '{}',
        }),
      ),
  }[service];
}

const OPERATION = {
  iam: 'iam:ListUserTags',
  sts: 'sts:GetCallerIdentity',
  ssm: 'ssm:GetDocument',
  cloudtrail: 'cloudtrail:LookupEvents',
  securityhub: 'securityhub:GetFindings',
  logs: 'logs:GetLogEvents',
  sqs: 'sqs:SendMessage',
} as const;

describe('quota throttling through the real SDK clients', () => {
  it.each([
    ['iam', 'Throttling', 400, IAMServiceException],
    ['sts', 'Throttling', 400, STSServiceException],
    ['ssm', 'ThrottlingException', 400, SsmThrottling],
    ['cloudtrail', 'ThrottlingException', 400, CloudTrailThrottling],
    ['securityhub', 'TooManyRequestsException', 429, SecurityHubServiceException],
    ['logs', 'ThrottlingException', 400, CloudWatchLogsServiceException],
    ['sqs', 'ThrottlingException', 400, SQSServiceException],
  ] as const)(
    '%s: a call over its bucket is %s %i, a throttle to the SDK retry strategy',
    async (service, name, status, errorClass) => {
      const op = OPERATION[service];
      await withQuotas({ enforce: true, limits: { [op]: { rate: 1, burst: 1 } } }, async (local, clock) => {
        // Prepare
        const strategy = new RecordingRetryStrategy(1, 1);
        const send = callOf(service, config(local, strategy));
        await send();

        // Act
        const error = await rejection(send());
        clock.advance(1000);
        const afterRefill = (await send()) as { $metadata: { httpStatusCode?: number } };

        // Assess
        expect(error).toBeInstanceOf(errorClass);
        expect(error.name).toBe(name);
        expect((error as { $fault?: string }).$fault).toBe('client');
        expect(error.$metadata?.httpStatusCode).toBe(status);
        expect(strategy.errorTypes).toEqual(['THROTTLING']);
        expect(afterRefill.$metadata.httpStatusCode).toBe(200);
        expect(local.calls.count(op)).toBe(3);
        expect(local.quotas.throttled()).toEqual({ [op]: 1 });
      });
    },
  );

  it('the SDK retries a throttled call and succeeds once the bucket refills (real clock)', async () => {
    // Prepare: 20/s refills a token in 50 ms; the SDK waits 100 ms before its retry.
    const local = await startLocalAws(baseWorld(), {
      quotas: { enforce: true, limits: { 'ssm:GetDocument': { rate: 20, burst: 1 } } },
    });
    try {
      const strategy = new RecordingRetryStrategy(3, 100);
      const ssm = new SSMClient(config(local, strategy));
      await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));

      // Act
      const out = await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));

      // Assess
      expect(out.$metadata.attempts).toBe(2);
      expect(strategy.errorTypes).toEqual(['THROTTLING']);
      expect(local.calls.count('ssm:GetDocument')).toBe(3);
    } finally {
      await local.close();
    }
  });

  it('enforces the world file `quotas` key and nothing without it', async () => {
    // Prepare
    const limited = await startLocalAws(
      baseWorld({ quotas: { limits: { 'securityhub:GetFindings': { rate: 1, burst: 2 } } } }),
      { clock: new ManualClock(0) },
    );
    const plain = await startLocalAws(baseWorld(), { clock: new ManualClock(0) });
    try {
      const hub = (local: LocalAws) =>
        new SecurityHubClient(config(local, new RecordingRetryStrategy(1, 1))).send(
          new GetFindingsCommand({}),
        );

      // Act
      const limitedResults = await Promise.allSettled([hub(limited), hub(limited), hub(limited)]);
      const plainResults = await Promise.allSettled(Array.from({ length: 10 }, () => hub(plain)));

      // Assess
      expect(limitedResults.map((r) => r.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(plainResults.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(plain.quotas.enforce).toBe(false);
    } finally {
      await Promise.all([limited.close(), plain.close()]);
    }
  });

  it('faults keep working on top: an injected throttle has the same shape, a quota throttle pre-empts it', async () => {
    await withQuotas(
      { enforce: true, limits: { 'ssm:GetDocument': { rate: 1, burst: 1 } } },
      async (local, clock) => {
        // Prepare
        local.faults.add({ service: 'ssm', operation: 'GetDocument', kind: 'throttle', times: 1 });
        const send = callOf('ssm', config(local, new RecordingRetryStrategy(1, 1)));

        // Act
        const injected = await rejection(send()); // admitted by the quota, failed by the fault
        const byQuota = await rejection(send()); // bucket empty: the fault's budget is spent already
        clock.advance(1000);
        const ok = (await send()) as { $metadata: { httpStatusCode?: number } };

        // Assess
        expect([injected.name, injected.$metadata?.httpStatusCode]).toEqual(['ThrottlingException', 400]);
        expect(injected.message).toContain('Injected throttle');
        expect([byQuota.name, byQuota.message]).toEqual(['ThrottlingException', 'Rate exceeded']);
        expect(ok.$metadata.httpStatusCode).toBe(200);
        expect(local.calls.count('ssm:GetDocument')).toBe(3);
        expect(local.quotas.throttled()).toEqual({ 'ssm:GetDocument': 1 });
      },
    );
  });
});

const AUTH =
  'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=00';

describe('throttling on the wire', () => {
  const JSON_THROTTLE = { __type: 'ThrottlingException', message: 'Rate exceeded' };
  it.each([
    {
      protocol: 'IAM (awsQuery)',
      op: 'iam:ListUserTags',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      path: '/',
      body: 'Action=ListUserTags&Version=2010-05-08&UserName=alice',
      status: 400,
      errorType: null,
      expected:
        /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/,
    },
    {
      protocol: 'SSM (awsJson1_1)',
      op: 'ssm:GetDocument',
      headers: { 'x-amz-target': 'AmazonSSM.GetDocument', 'content-type': 'application/x-amz-json-1.1' },
      path: '/',
      body: '{"Name":"SSM-SessionManagerRunShell"}',
      status: 400,
      errorType: 'ThrottlingException',
      expected: JSON_THROTTLE,
    },
    {
      protocol: 'CloudTrail (awsJson1_1)',
      op: 'cloudtrail:LookupEvents',
      headers: {
        'x-amz-target': 'CloudTrail_20131101.LookupEvents',
        'content-type': 'application/x-amz-json-1.1',
      },
      path: '/',
      body: '{}',
      status: 400,
      errorType: 'ThrottlingException',
      expected: JSON_THROTTLE,
    },
    {
      protocol: 'Security Hub (restJson1)',
      op: 'securityhub:GetFindings',
      headers: { 'content-type': 'application/json' },
      path: '/findings',
      body: '{}',
      status: 429,
      errorType: 'TooManyRequestsException',
      expected: { Code: 'TooManyRequestsException', Message: 'Too Many Requests' },
    },
  ])('$protocol answers $status', async ({ op, headers, path, body, status, errorType, expected }) => {
    await withQuotas({ enforce: true, limits: { [op]: { rate: 1, burst: 1 } } }, async (local) => {
      // Prepare
      const post = () =>
        fetch(`${local.url}${path}`, { method: 'POST', headers: { ...headers, authorization: AUTH }, body });
      await (await post()).text();

      // Act
      const response = await post();
      const text = await response.text();

      // Assess
      expect(response.status).toBe(status);
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-amzn-errortype')).toBe(errorType);
      if (expected instanceof RegExp) expect(text).toMatch(expected);
      else expect(JSON.parse(text)).toEqual(expected);
    });
  });
});
