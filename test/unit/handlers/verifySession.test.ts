import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../handlers/verifySession.ts';
import { type VerificationRequest, writeVerificationRequest } from '../../../src/app/verificationRequest.ts';
import { loadConfig } from '../../../src/config.ts';
import { MalformedEventError } from '../../../src/errors.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { iamUser, runAsTag } from '../domain/runAsFixtures.ts';
import { command, decisionFor } from '../findings/builders.ts';

const context = {
  functionName: 'SessionVerificationFunction',
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000002',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:SessionVerificationFunction',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const decision = decisionFor({ principal: iamUser(), principalTags: runAsTag('alice') });
const request: VerificationRequest = {
  kind: 'session-log-verification',
  version: 1,
  reading: 'first',
  logGroupName: '/aws/ssm/sessions',
  encryption: 'not-required',
  audited: { expectedUser: 'alice', runAsApplied: true, refusalExpected: false },
  reported: true,
  platform: 'Linux',
  command: {
    ...command({ principal: iamUser(), region: 'eu-west-1' }),
    sessionId: 'alice-0a1b2c3d4e5f6a7b8',
  },
  decision,
};

const handlerWith = (imported: AsffFinding[], seen: string[]) =>
  makeHandler({
    config: loadConfig({ AWS_REGION: 'us-east-1' }),
    portsFor: (account, region) => {
      seen.push(`${account}/${region}`);
      return {
        sessionLogs: { firstEventOf: async () => ({ kind: 'no-group' }) },
        verifications: { queue: async () => ({ kind: 'queued' }) },
      };
    },
    importerFor: () => ({
      importFindings: async (findings) => {
        imported.push(...findings);
        return { failed: [], calls: [findings.length] };
      },
    }),
  });

describe('SessionVerificationFunction handler', () => {
  it('reads the session log in the session’s account and Region and re-imports its finding', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const seen: string[] = [];
    const body = JSON.parse(writeVerificationRequest(request)) as unknown;

    // Act
    const result = await handlerWith(imported, seen)(body as never, context);

    // Assess
    expect(seen).toEqual(['111122223333/eu-west-1']);
    expect(result).toMatchObject({
      check: 'session-log',
      verdict: 'not-verifiable',
      reason: 'log-group-missing',
    });
    expect(imported.map((f) => f.ProductFields['RunAs/SessionLog'])).toEqual(['not-verifiable']);
  });

  it('fails an SQS record that is not a verification request alone', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const record = (id: string, body: string) => ({
      messageId: id,
      receiptHandle: id,
      body,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:SessionVerificationQueue',
      awsRegion: 'us-east-1',
    });

    // Act
    const result = await handlerWith(imported, [])(
      {
        Records: [record('ok', writeVerificationRequest(request)), record('bad', '{"kind":"other"}')],
      } as never,
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(imported).toHaveLength(1);
  });

  it('throws a bare event that is not a request, naming the field', async () => {
    // Act
    const run = handlerWith([], [])({ kind: 'other' } as never, context);

    // Assess
    await expect(run).rejects.toBeInstanceOf(MalformedEventError);
  });
});
