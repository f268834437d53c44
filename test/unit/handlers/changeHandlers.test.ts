import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import {
  addPrincipal,
  document,
  fakeImporter,
  fakePorts,
  newRegion,
  newWorld,
  RUN_AS_OFF,
  RUN_AS_ON,
  role,
} from '../app/changeFakes.ts';
import { iamEvent, ssmEvent } from '../events/changeEvents.ts';

// The modules build their Lambda handler on import, from the environment.
vi.stubEnv('AWS_REGION', 'us-east-1');
let principalModule: typeof import('../../../handlers/principalChange.ts');
let documentModule: typeof import('../../../handlers/documentChange.ts');

beforeAll(async () => {
  principalModule = await import('../../../handlers/principalChange.ts');
  documentModule = await import('../../../handlers/documentChange.ts');
});

const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;
const config = loadConfig({ AWS_REGION: 'us-east-1', AUDITED_REGIONS: 'us-east-1,eu-west-1' });

const world = () => {
  const w = newWorld({
    'us-east-1': newRegion({ 'SSM-SessionManagerRunShell': document(RUN_AS_ON) }),
    'eu-west-1': newRegion({ 'SSM-SessionManagerRunShell': document(RUN_AS_OFF) }),
  });
  addPrincipal(w, role('Operators', '/ops/'), { SSMSessionRunAs: 'root' });
  return w;
};

const wiring = (w: ReturnType<typeof world>) => ({
  config,
  portsFor: () => fakePorts(w),
  importerFor: fakeImporter(w),
});

describe('handlers/principalChange', () => {
  it('evaluates a TagRole in every audited Region', async () => {
    // Prepare
    const w = world();
    const handler = principalModule.makeHandler(wiring(w));

    // Act
    const result = await handler(
      iamEvent('TagRole', {
        roleName: 'Operators',
        tags: [{ key: 'SSMSessionRunAs', value: 'root' }],
      }) as never,
      context,
    );

    // Assess
    expect(result).toMatchObject({
      check: 'principal',
      principal: 'arn:aws:iam::111122223333:role/ops/Operators',
      regions: [
        { region: 'us-east-1', outcome: 'DISALLOWED_RUN_AS_USER' },
        { region: 'eu-west-1', outcome: 'RAN_AS_SSM_USER' },
      ],
    });
  });

  it('returns the reason for an event out of scope', async () => {
    const handler = principalModule.makeHandler(wiring(world()));

    const result = await handler(iamEvent('ListRoles', {}) as never, context);

    expect(result).toEqual({ skipped: 'ListRoles does not change a Run As mapping' });
  });

  it('rethrows a malformed event so Lambda keeps it', async () => {
    const handler = principalModule.makeHandler(wiring(world()));

    await expect(handler(iamEvent('TagRole', { tags: [] }) as never, context)).rejects.toThrow(
      'detail.requestParameters.roleName',
    );
  });

  it('builds a handler from an environment, failing on a bad one', () => {
    expect(typeof principalModule.createHandler({ AWS_REGION: 'us-east-1' })).toBe('function');
    expect(() => principalModule.createHandler({ AWS_REGION: 'us-east-1', AUDITED_REGIONS: 'mars' })).toThrow(
      'AUDITED_REGIONS',
    );
  });
});

describe('handlers/documentChange', () => {
  it('evaluates an UpdateDocumentDefaultVersion in the event Region', async () => {
    const w = world();
    const handler = documentModule.makeHandler(wiring(w));

    const result = await handler(
      ssmEvent(
        'UpdateDocumentDefaultVersion',
        { name: 'SSM-SessionManagerRunShell', documentVersion: '1' },
        {},
        'eu-west-1',
      ) as never,
      context,
    );

    expect(result).toMatchObject({
      check: 'preferences',
      region: 'eu-west-1',
      outcome: 'RAN_AS_SSM_USER',
      action: 'written',
    });
  });

  it('returns the reason for a document that is not a Session document', async () => {
    const handler = documentModule.makeHandler(wiring(world()));

    const result = await handler(
      ssmEvent('CreateDocument', {
        name: 'Patch-Things',
        content: 'HIDDEN',
        documentType: 'Command',
      }) as never,
      context,
    );

    expect(result).toEqual({
      skipped: 'document Patch-Things is a Command document, not a Session document',
    });
  });
});

describe('change handlers with an SQS batch', () => {
  const asBatch = (events: readonly unknown[]) => ({
    Records: events.map((event, i) => ({
      messageId: `m-${i}`,
      body: JSON.stringify(event),
      attributes: { ApproximateReceiveCount: '1' },
      eventSource: 'aws:sqs',
    })),
  });

  it('runs the changes in event-time order, each reading what the earlier ones wrote, and imports once', async () => {
    // Prepare: the later event (another tag) is delivered first; alone it would find no finding to update.
    const w = world();
    const rootTag = iamEvent('TagRole', {
      roleName: 'Operators',
      tags: [{ key: 'SSMSessionRunAs', value: 'root' }],
    });
    const otherTag = iamEvent(
      'TagRole',
      { roleName: 'Operators', tags: [{ key: 'Team', value: 'payments' }] },
      { eventTime: '2026-03-01T13:05:00Z', eventID: '6b5c4d3e-2f1a-4b0c-9d8e-7f6a5b4c3d2e' },
    );
    const results: unknown[] = [];

    // Act
    const response = await principalModule.makeHandler(wiring(w), {
      onRecord: (_id, outcome) => results.push(outcome.status === 'done' ? outcome.result : outcome),
    })(asBatch([otherTag, rootTag]) as never, context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(results).toMatchObject([
      { eventTime: '2026-03-01T13:05:00.000Z', regions: [{ action: 'written' }, { action: 'written' }] },
      { eventTime: '2026-03-01T13:00:00.000Z', regions: [{ action: 'written' }, { action: 'written' }] },
    ]);
    const us = w.regions.get('us-east-1');
    expect(us?.importCalls).toEqual([1]);
    const [stored] = us?.stored.values() ?? [];
    expect(stored).toMatchObject({
      UpdatedAt: '2026-03-01T13:05:00.000Z',
      CreatedAt: '2026-03-01T13:00:00.000Z',
    });
  });
});
