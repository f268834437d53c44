import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { makeHandler } from '../../../handlers/auditSession.ts';
import type { SessionReadPorts } from '../../../src/app/ports.ts';
import { loadConfig } from '../../../src/config.ts';
import { known } from '../../../src/domain/facts.ts';
import {
  AwsCallError,
  FindingImportError,
  MalformedEventError,
  MemberRoleError,
} from '../../../src/errors.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { logger } from '../../../src/logger.ts';

const EVENTS = path.resolve(import.meta.dirname, '../../../events');

const context = {
  functionName: 'AuditSessionFunction',
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000001',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:AuditSessionFunction',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(EVENTS, name), 'utf8')) as Record<string, unknown>;

/** Read ports where Run As is off everywhere: every shell session ran as ssm-user. */
const runAsOffPorts =
  (seen: { account?: string; region?: string }) =>
  (account: string, region: string): SessionReadPorts => {
    seen.account = account;
    seen.region = region;
    return {
      principalTags: { tagsOf: async () => known({}) },
      sessionTags: { sessionTagsOf: async () => ({ status: 'not-a-role-session' }) },
      documents: {
        documentOf: async (name) =>
          known({
            name,
            content: {
              schemaVersion: '1.0',
              sessionType: 'Standard_Stream',
              inputs: { runAsEnabled: false },
            },
            documentType: 'Session',
            version: '1',
          }),
      },
      platforms: { platformOf: async () => known('Linux' as const) },
      nodeUsers: { presenceOf: async () => ({ status: 'unknown', reason: 'not asked' }) },
    };
  };

/** An importer that keeps what it is given; `refuse` ids come back as FailedFindings, `throwOn` calls fail. */
const recordingImporter = (
  imported: AsffFinding[],
  options: { refuse?: ReadonlySet<string>; failCall?: boolean; calls?: AsffFinding[][] } = {},
) => ({
  importFindings: async (findings: readonly AsffFinding[]) => {
    options.calls?.push([...findings]);
    if (options.failCall === true) {
      const error = new AwsCallError('securityhub:BatchImportFindings', 'InternalException: down');
      return {
        failed: findings.map((f) => ({ id: f.Id, code: error.name, message: error.message, error })),
        calls: [findings.length],
      };
    }
    const failed = findings
      .filter((f) => options.refuse?.has(f.Id) === true)
      .map((f) => ({ id: f.Id, code: 'InvalidInput', message: 'refused' }));
    imported.push(...findings.filter((f) => options.refuse?.has(f.Id) !== true));
    return { failed, calls: findings.length === 0 ? [] : [findings.length] };
  },
});

const handlerWith = (
  imported: AsffFinding[],
  seen: { account?: string; region?: string } = {},
  importer = recordingImporter(imported),
) =>
  makeHandler({
    config: loadConfig({ AWS_REGION: 'us-east-1' }),
    portsFor: runAsOffPorts(seen),
    importerFor: () => importer,
  });

/** An SQS batch as the event source mapping delivers it: each body is an EventBridge event (or raw text). */
const sqsBatch = (bodies: readonly (unknown | { raw: string })[]) => ({
  Records: bodies.map((body, i) => ({
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body:
      typeof body === 'object' && body !== null && 'raw' in body ? String(body.raw) : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1767225600000' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:AuditSessionQueue',
    awsRegion: 'eu-west-1',
  })),
});

/** The fixture with another session id (so it is another session, with its own finding). */
const session = (event: Record<string, unknown>, sessionId: string): Record<string, unknown> => {
  const copy = structuredClone(event);
  const detail = copy.detail as { responseElements: { sessionId: string } };
  detail.responseElements.sessionId = sessionId;
  return copy;
};

describe('AuditSessionFunction handler', () => {
  it('audits a StartSession fixture with the ports of the event’s account and Region', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const seen: { account?: string; region?: string } = {};
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');

    // Act
    const result = await handlerWith(imported, seen)(event as never, context);

    // Assess
    expect(result).toMatchObject({ outcome: 'RAN_AS_SSM_USER', region: 'eu-west-1' });
    expect(seen).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(imported).toHaveLength(1);
  });

  it('returns, without error, an event that is merely out of scope', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const event = await fixture('startsession-compliant-iamuser-tag.json');
    (event.detail as Record<string, unknown>).eventName = 'TerminateSession';

    // Act
    const result = await handlerWith(imported)(event as never, context);

    // Assess
    expect(result).toEqual({ skipped: expect.stringContaining('TerminateSession') });
    expect(imported).toEqual([]);
  });

  it.each([
    ['no detail', (e: Record<string, unknown>) => delete e.detail, 'detail'],
    ['wrong source', (e: Record<string, unknown>) => Object.assign(e, { source: 'aws.ec2' }), 'source'],
    [
      'no target',
      (e: Record<string, unknown>) =>
        delete (e.detail as { requestParameters: Record<string, unknown> }).requestParameters.target,
      'detail.requestParameters.target',
    ],
    [
      'unparseable time',
      (e: Record<string, unknown>) => Object.assign(e.detail as object, { eventTime: 'yesterday' }),
      'detail.eventTime',
    ],
  ])('throws a malformed event (%s) naming the field, so Lambda keeps it', async (_case, breakIt, field) => {
    // Prepare
    const imported: AsffFinding[] = [];
    const event = await fixture('startsession-compliant-iamuser-tag.json');
    breakIt(event);

    // Act
    const invocation = handlerWith(imported)(event as never, context);

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(MalformedEventError);
    await expect(handlerWith(imported)(event as never, context)).rejects.toMatchObject({ field });
    expect(imported).toEqual([]);
  });

  it('logs a failed invocation once, with its error, and rethrows it', async () => {
    // Prepare
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const event = await fixture('startsession-compliant-iamuser-tag.json');
    delete event.detail;

    // Act
    const invocation = handlerWith([])(event as never, context);

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(MalformedEventError);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledWith('event not processed', {
      error: expect.any(MalformedEventError),
      retryable: false,
    });
    errors.mockRestore();
  });
});

describe('AuditSessionFunction handler with an SQS batch', () => {
  it('imports the findings of every record together and fails only the malformed records', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const calls: AsffFinding[][] = [];
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');
    const outOfScope = structuredClone(event);
    (outOfScope.detail as Record<string, unknown>).eventName = 'TerminateSession';
    const noTarget = structuredClone(event);
    delete (noTarget.detail as { requestParameters: Record<string, unknown> }).requestParameters.target;
    const batch = sqsBatch([
      session(event, 'alice-1'),
      { raw: '{not json' },
      session(event, 'alice-2'),
      outOfScope,
      noTarget,
      session(event, 'alice-3'),
    ]);

    // Act
    const result = await handlerWith(
      imported,
      {},
      recordingImporter(imported, { calls }),
    )(batch as never, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-4' }] });
    expect(calls.map((c) => c.length)).toEqual([3]);
    expect(imported.map((f) => f.ProductFields['RunAs/SessionId'])).toEqual([
      'alice-1',
      'alice-2',
      'alice-3',
    ]);
    expect(
      errors.mock.calls.map(([message, fields]) => [message, (fields as Record<string, unknown>).messageId]),
    ).toEqual([
      ['record not processed', 'm-1'],
      ['record not processed', 'm-4'],
    ]);
    expect(errors.mock.calls[1]?.[1]).toMatchObject({
      receiveCount: '2',
      error: expect.any(MalformedEventError),
    });
    errors.mockRestore();
  });

  it('reports only the record whose finding Security Hub refused', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');
    const refuse = new Set(['111122223333/eu-west-1/ssm-runas/session/alice-2']);
    const outcomes: [string, string][] = [];

    // Act
    const result = await makeHandler(
      {
        config: loadConfig({ AWS_REGION: 'us-east-1' }),
        portsFor: runAsOffPorts({}),
        importerFor: () => recordingImporter(imported, { refuse }),
      },
      { onRecord: (id, outcome) => outcomes.push([id, outcome.status]) },
    )(sqsBatch([session(event, 'alice-1'), session(event, 'alice-2')]) as never, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(outcomes).toEqual([
      ['m-0', 'done'],
      ['m-1', 'failed'],
    ]);
    expect(imported).toHaveLength(1);
  });

  it('fails exactly the records whose findings a failed import call carried', async () => {
    // Prepare
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');
    const failedWith: unknown[] = [];

    // Act
    const result = await makeHandler(
      {
        config: loadConfig({ AWS_REGION: 'us-east-1' }),
        portsFor: runAsOffPorts({}),
        importerFor: () => recordingImporter([], { failCall: true }),
      },
      { onRecord: (_id, outcome) => outcome.status === 'failed' && failedWith.push(outcome.error) },
    )(sqsBatch([session(event, 'a-1'), session(event, 'a-2')]) as never, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }] });
    expect(failedWith).toEqual([expect.any(AwsCallError), expect.any(AwsCallError)]);
  });

  it('imports one finding for a session delivered twice, and both deliveries succeed', async () => {
    // Prepare
    const imported: AsffFinding[] = [];
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');

    // Act
    const result = await handlerWith(imported)(sqsBatch([event, event]) as never, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(imported).toHaveLength(1);
  });

  it('throws a bare event whose finding Security Hub refused, naming it', async () => {
    // Prepare
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');
    const refuse = new Set([
      `111122223333/eu-west-1/ssm-runas/session/${
        (event.detail as { responseElements: { sessionId: string } }).responseElements.sessionId
      }`,
    ]);

    // Act
    const invocation = handlerWith([], {}, recordingImporter([], { refuse }))(event as never, context);

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(FindingImportError);
  });

  it('is not fooled by an object with Records that are not SQS messages: it is a malformed event', async () => {
    // Act
    const invocation = handlerWith([])({ Records: [{ eventSource: 'ssm.amazonaws.com' }] } as never, context);

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(MalformedEventError);
  });

  it('fails only the records of a member whose role is refused, naming the account; other accounts carry on', async () => {
    // Prepare
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const event = await fixture('startsession-ran-as-ssm-user-region-off.json');
    const inAccount = (accountId: string, sessionId: string) =>
      JSON.parse(JSON.stringify(session(event, sessionId)).replaceAll('111122223333', accountId)) as unknown;
    const broken = '999988887777';
    const refused = new MemberRoleError(
      broken,
      `arn:aws:iam::${broken}:role/ssm-runas-auditor-member`,
      'AccessDenied: not authorized to perform sts:AssumeRole',
    );
    const importedIn: string[] = [];
    const imported: AsffFinding[] = [];
    const handler = makeHandler({
      config: loadConfig({ AWS_REGION: 'us-east-1' }),
      portsFor: (account, region) => {
        const ports = runAsOffPorts({})(account, region);
        if (account !== broken) return ports;
        return { ...ports, documents: { documentOf: () => Promise.reject(refused) } };
      },
      importerFor: (placement) => ({
        importFindings: async (findings) => {
          importedIn.push(`${placement.accountId}:${findings.length}`);
          return recordingImporter(imported).importFindings(findings);
        },
      }),
    });
    const batch = sqsBatch([
      inAccount('111122223333', 'alice-own'),
      inAccount(broken, 'alice-broken-1'),
      inAccount('222233334444', 'alice-member'),
      inAccount(broken, 'alice-broken-2'),
    ]);

    // Act
    const result = await handler(batch as never, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-3' }] });
    expect(importedIn.sort()).toEqual(['111122223333:1', '222233334444:1']);
    expect(imported.map((f) => [f.AwsAccountId, f.ProductFields['RunAs/SessionId']]).sort()).toEqual([
      ['111122223333', 'alice-own'],
      ['222233334444', 'alice-member'],
    ]);
    const logged = errors.mock.calls.map(
      ([, fields]) => fields as { messageId: string; error: unknown; retryable: unknown },
    );
    expect(logged.map((f) => [f.messageId, f.error, f.retryable])).toEqual([
      ['m-1', refused, false],
      ['m-3', refused, false],
    ]);
    expect(refused.message).toContain(`cannot audit account ${broken}`);
    errors.mockRestore();
  });
});
