import { describe, expect, it } from 'vitest';
import {
  AuditorError,
  AwsCallError,
  ConfigError,
  FindingImportError,
  InvalidFindingError,
  MalformedEventError,
  UnsafeProbeNameError,
} from '../../src/errors.ts';

describe('the error family', () => {
  const cause = new Error('underneath');

  it.each([
    [new MalformedEventError('detail.target', 'is missing', { cause }), 'MalformedEventError', false],
    [new ConfigError('DENIED_RUN_AS_USERS is blank', { cause }), 'ConfigError', false],
    [new AwsCallError('ssm:GetDocument', 'Throttling', { cause }), 'AwsCallError', true],
    [
      new FindingImportError([{ id: 'f-1', code: 'InvalidInput', message: 'bad' }], { cause }),
      'FindingImportError',
      true,
    ],
    [new InvalidFindingError('finding f-1 has no resource', { cause }), 'InvalidFindingError', false],
    [new UnsafeProbeNameError('refusing "$(id)"', { cause }), 'UnsafeProbeNameError', false],
  ] as const)('%s is an AuditorError named %s, retryable %s, keeping its cause', (error, name, retryable) => {
    // Assess
    expect(error).toBeInstanceOf(AuditorError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(retryable);
    expect(error.cause).toBe(cause);
  });

  it('is not claimed by an unrelated error that merely carries the same fields', () => {
    // Prepare
    const lookalike = Object.assign(new Error('x'), { name: 'AwsCallError', retryable: true });

    // Assess
    expect(lookalike).not.toBeInstanceOf(AuditorError);
  });
});
