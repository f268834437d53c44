import { describe, expect, it } from 'vitest';
import { OUTCOME_PRECEDENCE, type Outcome, ratingOf } from '../../../src/domain/outcome.ts';

describe('ratingOf (DESIGN.md §3)', () => {
  it.each<[Outcome, string, string]>([
    ['UNVERIFIED', 'NOT_AVAILABLE', 'INFORMATIONAL'],
    ['INVALID_PREFERENCES', 'FAILED', 'MEDIUM'],
    ['RAN_AS_ROOT', 'FAILED', 'HIGH'],
    ['RAN_AS_SSM_USER', 'FAILED', 'HIGH'],
    ['NO_RUN_AS_USER', 'WARNING', 'LOW'],
    ['INVALID_RUN_AS_USER', 'FAILED', 'HIGH'],
    ['DISALLOWED_RUN_AS_USER', 'FAILED', 'HIGH'],
    ['MISSING_RUN_AS_USER', 'FAILED', 'MEDIUM'],
    ['COMPLIANT', 'PASSED', 'INFORMATIONAL'],
  ])('%s is %s / %s', (outcome, compliance, severity) => {
    // Act
    const rating = ratingOf(outcome);

    // Assess
    expect(rating).toEqual({ compliance, severity });
  });

  it('lists every outcome once, in the contract order', () => {
    // Assess
    expect(OUTCOME_PRECEDENCE).toEqual([
      'NOT_APPLICABLE',
      'UNVERIFIED',
      'INVALID_PREFERENCES',
      'RAN_AS_ROOT',
      'RAN_AS_SSM_USER',
      'NO_RUN_AS_USER',
      'INVALID_RUN_AS_USER',
      'DISALLOWED_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
      'COMPLIANT',
    ]);
  });
});
