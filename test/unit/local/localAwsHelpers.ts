/** Shared setup for the local endpoint tests: a small world, SDK client config, fast retries. */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { type LocalAws, startLocalAws } from '../../../src/local/services/server.ts';
import { parseWorld, type World } from '../../../src/local/world/world.ts';

export const ACCOUNT = '111122223333';

export const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' } as const;

/** Client config for the real SDK v3 against the local endpoint; retries wait 1 ms. */
export function clientConfig(local: LocalAws, region = 'us-east-1', maxAttempts = 1) {
  return {
    region,
    endpoint: local.url,
    credentials: CREDENTIALS,
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, () => 1),
  };
}

export const RUN_SHELL = {
  schemaVersion: '1.0',
  description: 'Session Manager preferences',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
} as const;

export function baseWorld(overrides: Record<string, unknown> = {}): World {
  return parseWorld({
    accountId: ACCOUNT,
    now: '2026-03-01T00:00:00Z',
    iam: {
      users: [{ userName: 'alice', tags: { SSMSessionRunAs: 'alice', Team: 'ops' } }],
      roles: [{ roleName: 'Operators', path: '/ops/', tags: { ssmsessionrunas: 'operator' } }],
    },
    regions: {
      'us-east-1': {
        documents: [{ name: 'SSM-SessionManagerRunShell', content: RUN_SHELL }],
        nodes: [
          { id: 'i-0123456789abcdef0', platform: 'Linux', users: ['ec2-user', 'alice', 'root'] },
          { id: 'i-0aaaaaaaaaaaaaaa1', platform: 'Windows' },
        ],
      },
      'eu-west-1': {
        documents: [
          {
            name: 'SSM-SessionManagerRunShell',
            content: { ...RUN_SHELL, inputs: { runAsEnabled: false, runAsDefaultUser: '' } },
          },
        ],
      },
    },
    ...overrides,
  });
}

export async function withLocal<T>(world: World, run: (local: LocalAws) => Promise<T>): Promise<T> {
  const local = await startLocalAws(world);
  try {
    return await run(local);
  } finally {
    await local.close();
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}
