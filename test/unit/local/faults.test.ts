import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { GetDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import {
  type FaultRule,
  FaultRuleError,
  Faults,
  parseFaultRule,
} from '../../../src/local/services/faults.ts';
import { startLocalAws } from '../../../src/local/services/server.ts';
import { parseWorld } from '../../../src/local/world/world.ts';
import { ACCOUNT, baseWorld, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

describe('parseFaultRule', () => {
  it.each([
    [{ service: 'ssm', kind: 'pending', operation: 'GetDocument' }, 'fault.operation'],
    [{ service: 'iam', kind: 'timeout' }, 'fault.service'],
    [{ service: 'iam', kind: 'throttle', nodeId: 'i-1' }, 'fault.nodeId'],
    [{ service: 'iam', kind: 'throttle', latencyMs: 5 }, 'fault.latencyMs'],
    [{ service: 'iam', kind: 'throttle', times: -1 }, 'fault.times'],
    [{ service: 'ssm', kind: 'timeout', times: 3 }, 'fault.times'],
    [{ service: 's3', kind: 'throttle' }, 'fault.service'],
    [{ service: 'iam', kind: 'throttle', chance: 0 }, 'fault.chance'],
    [{ service: 'iam', kind: 'throttle', chance: 1.5 }, 'fault.chance'],
    [{ service: 'ssm', kind: 'pending', chance: 0.5 }, 'fault.chance'],
  ])('rejects %j at %s', (rule, path) => {
    // Act
    const act = () => parseFaultRule(rule);

    // Assess
    expect(act).toThrow(FaultRuleError);
    expect(act).toThrow(`${path}: `);
  });
});

describe('Faults', () => {
  const call = { service: 'ssm', operation: 'GetDocument', region: 'us-east-1' } as const;

  it('fails about `chance` of the matching calls, the same ones on every run', () => {
    // Prepare
    const rules: FaultRule[] = [
      { service: 'ssm', kind: 'throttle', chance: 0.15 },
      { service: 'ssm', kind: 'server-error', chance: 0.15 / 0.85 },
    ];
    const run = () => {
      const faults = new Faults(rules);
      return Array.from({ length: 2000 }, () => faults.onCall(call).error ?? 'ok');
    };

    // Act
    const first = run();
    const second = run();

    // Assess: 30% fail, half throttled, half 5xx.
    const share = (kind: string) => first.filter((e) => e === kind).length / first.length;
    expect(share('ok')).toBeCloseTo(0.7, 1);
    expect(share('throttle')).toBeCloseTo(0.15, 1);
    expect(share('server-error')).toBeCloseTo(0.15, 1);
    expect(second).toEqual(first);
  });

  it('fails `times` matching calls, then lets them through', () => {
    // Prepare
    const faults = new Faults([{ service: 'ssm', operation: 'GetDocument', kind: 'throttle', times: 2 }]);

    // Act
    const decisions = [faults.onCall(call), faults.onCall(call), faults.onCall(call)];

    // Assess
    expect(decisions).toEqual([
      { delayMs: 0, error: 'throttle' },
      { delayMs: 0, error: 'throttle' },
      { delayMs: 0 },
    ]);
  });

  it.each([
    [{ service: 'iam', kind: 'throttle' }, false],
    [{ service: 'ssm', operation: 'DescribeSessions', kind: 'throttle' }, false],
    [{ service: 'ssm', region: 'eu-west-1', kind: 'throttle' }, false],
    [{ service: 'ssm', region: 'us-east-1', kind: 'server-error' }, true],
  ] satisfies [FaultRule, boolean][])('matches by service, operation and Region: %j → %s', (rule, fires) => {
    // Prepare
    const faults = new Faults([rule]);

    // Act
    const decision = faults.onCall(call);

    // Assess
    expect(decision.error !== undefined).toBe(fires);
  });

  it('adds rule latency to the global latency, and clear() removes everything', () => {
    // Prepare
    const faults = new Faults([{ service: 'ssm', kind: 'latency', latencyMs: 30, times: 1 }]);
    faults.latencyMs = 5;

    // Act
    const first = faults.onCall(call);
    const second = faults.onCall(call);
    faults.clear();
    const cleared = faults.onCall(call);

    // Assess
    expect([first.delayMs, second.delayMs, cleared.delayMs]).toEqual([35, 5, 0]);
    expect(faults.rules()).toEqual([]);
  });

  it('gives command invocations pending polls per node', () => {
    // Prepare
    const faults = new Faults([
      { service: 'ssm', kind: 'pending', times: 2, nodeId: 'i-1' },
      { service: 'ssm', kind: 'timeout', nodeId: 'i-2' },
    ]);

    // Act
    const pending = [
      faults.commandPending('us-east-1', 'i-1'),
      faults.commandPending('us-east-1', 'i-2'),
      faults.commandPending('us-east-1', 'i-3'),
    ];

    // Assess
    expect(pending).toEqual([2, 'forever', undefined]);
  });
});

describe('faults over HTTP with the real SDK retry', () => {
  it('recovers from N throttles when the SDK retries (ThrottlingException is retryable)', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.faults.add({ service: 'ssm', operation: 'GetDocument', kind: 'throttle', times: 2 });
      const ssm = new SSMClient(clientConfig(local, 'us-east-1', 3));

      // Act
      const out = await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));

      // Assess
      expect(out.Name).toBe('SSM-SessionManagerRunShell');
      expect(out.$metadata.attempts).toBe(3);
      expect(local.calls.count('ssm:GetDocument')).toBe(3);
    });
  });

  it.each([
    ['iam', 'Throttling', 400],
    ['ssm', 'ThrottlingException', 400],
    ['cloudtrail', 'ThrottlingException', 400],
    ['securityhub', 'TooManyRequestsException', 429],
  ] as const)('%s throttling surfaces as %s %i after the retries run out', async (service, name, status) => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.faults.add({ service, kind: 'throttle' });
      const config = clientConfig(local, 'us-east-1', 2);
      const send = {
        iam: () => new IAMClient(config).send(new ListUserTagsCommand({ UserName: 'alice' })),
        ssm: () => new SSMClient(config).send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })),
        cloudtrail: () => new CloudTrailClient(config).send(new LookupEventsCommand({})),
        securityhub: () => new SecurityHubClient(config).send(new GetFindingsCommand({})),
      }[service];

      // Act
      const error = await rejection(send());

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      expect((error.$metadata as { attempts?: number }).attempts).toBe(2);
    });
  });

  it.each([
    ['iam', 'ServiceFailureException'],
    ['ssm', 'InternalServerError'],
    ['cloudtrail', 'InternalFailure'],
    ['securityhub', 'InternalException'],
  ] as const)('%s server errors are 500 %s, retried by the SDK', async (service, name) => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.faults.add({ service, kind: 'server-error', times: 1 });
      local.faults.add({ service, kind: 'server-error', times: 1 });
      const config = clientConfig(local, 'us-east-1', 2);
      const send = {
        iam: () => new IAMClient(config).send(new ListUserTagsCommand({ UserName: 'alice' })),
        ssm: () => new SSMClient(config).send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })),
        cloudtrail: () => new CloudTrailClient(config).send(new LookupEventsCommand({})),
        securityhub: () => new SecurityHubClient(config).send(new GetFindingsCommand({})),
      }[service];

      // Act
      const error = await rejection(send());
      const after = await send();

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(500);
      expect((error.$metadata as { attempts?: number }).attempts).toBe(2);
      expect(after.$metadata.httpStatusCode).toBe(200);
    });
  });

  it.each([
    ['iam', 'AccessDenied', 403],
    ['ssm', 'AccessDeniedException', 400],
    ['cloudtrail', 'AccessDeniedException', 403],
    ['securityhub', 'AccessDeniedException', 403],
  ] as const)('%s access-denied is %s %i and not retried', async (service, name, status) => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.faults.add({ service, kind: 'access-denied' });
      const config = clientConfig(local, 'us-east-1', 3);
      const send = {
        iam: () => new IAMClient(config).send(new ListUserTagsCommand({ UserName: 'alice' })),
        ssm: () => new SSMClient(config).send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' })),
        cloudtrail: () => new CloudTrailClient(config).send(new LookupEventsCommand({})),
        securityhub: () =>
          new SecurityHubClient(config).send(new BatchImportFindingsCommand({ Findings: [] })),
      }[service];

      // Act
      const error = await rejection(send());

      // Assess
      expect(error.name).toBe(name);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      expect((error.$metadata as { attempts?: number }).attempts).toBe(1);
    });
  });

  it('delays calls by the injected latency', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      local.faults.add({ service: 'ssm', kind: 'latency', latencyMs: 120 });
      const ssm = new SSMClient(clientConfig(local));

      // Act
      const started = performance.now();
      await ssm.send(new GetDocumentCommand({ Name: 'SSM-SessionManagerRunShell' }));
      const elapsed = performance.now() - started;

      // Assess
      expect(elapsed).toBeGreaterThanOrEqual(110);
    });
  });

  it('loads faults from the world file', async () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      iam: { users: [{ userName: 'alice' }] },
      faults: [{ service: 'iam', operation: 'ListUserTags', kind: 'access-denied', times: 1 }],
    });
    const local = await startLocalAws(world);
    try {
      const iam = new IAMClient(clientConfig(local));

      // Act
      const error = await rejection(iam.send(new ListUserTagsCommand({ UserName: 'alice' })));
      const second = await iam.send(new ListUserTagsCommand({ UserName: 'alice' }));

      // Assess
      expect(error.name).toBe('AccessDenied');
      expect(second.Tags).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
