import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { makeHandler } from '../../../handlers/auditSession.ts';
import type { SessionAuditPorts } from '../../../src/app/ports.ts';
import { loadConfig } from '../../../src/config.ts';
import { known } from '../../../src/domain/facts.ts';
import { MalformedEventError } from '../../../src/errors.ts';
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

/** Ports where Run As is off everywhere: every shell session ran as ssm-user. */
const runAsOffPorts =
  (imported: AsffFinding[], seen: { account?: string; region?: string }) =>
  (account: string, region: string): SessionAuditPorts => {
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
      findings: {
        importFindings: async (findings) => {
          imported.push(...findings);
        },
      },
    };
  };

const handlerWith = (imported: AsffFinding[], seen: { account?: string; region?: string } = {}) =>
  makeHandler({ config: loadConfig({ AWS_REGION: 'us-east-1' }), portsFor: runAsOffPorts(imported, seen) });

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
