import { describe, expect, it } from 'vitest';
import { known, unknown } from '../../../src/domain/facts.ts';
import { isOutcome, OUTCOME_PRECEDENCE, type Outcome, ratingOf } from '../../../src/domain/outcome.ts';
import type { SessionFacts } from '../../../src/domain/runAs.ts';
import {
  commandContent,
  decided,
  facts,
  iamUser,
  named,
  nodeWith,
  PREFS_OFF,
  PREFS_ON_NO_DEFAULT,
  portContent,
  prefs,
  runAsTag,
  shellContent,
} from './runAsFixtures.ts';

describe('ratingOf', () => {
  it.each<[Outcome, string, string]>([
    ['SSH_TUNNEL', 'WARNING', 'LOW'],
    ['UNVERIFIED', 'NOT_AVAILABLE', 'INFORMATIONAL'],
    ['INVALID_PREFERENCES', 'FAILED', 'MEDIUM'],
    ['RAN_AS_ROOT', 'FAILED', 'HIGH'],
    ['RAN_AS_SSM_USER', 'FAILED', 'HIGH'],
    ['NO_RUN_AS_USER', 'WARNING', 'LOW'],
    ['INVALID_RUN_AS_USER', 'FAILED', 'HIGH'],
    ['DISALLOWED_RUN_AS_USER', 'FAILED', 'HIGH'],
    ['MISSING_RUN_AS_USER', 'FAILED', 'MEDIUM'],
    ['SHELL_PROFILE_ESCALATION', 'FAILED', 'HIGH'],
    ['RAN_AS_UNEXPECTED_USER', 'FAILED', 'HIGH'],
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
      'SSH_TUNNEL',
      'UNVERIFIED',
      'INVALID_PREFERENCES',
      'RAN_AS_ROOT',
      'RAN_AS_SSM_USER',
      'NO_RUN_AS_USER',
      'INVALID_RUN_AS_USER',
      'DISALLOWED_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
      'SHELL_PROFILE_ESCALATION',
      'RAN_AS_UNEXPECTED_USER',
      'COMPLIANT',
    ]);
    expect(OUTCOME_PRECEDENCE.every(isOutcome)).toBe(true);
    expect(isOutcome('RAN_AS_ADMIN')).toBe(false);
  });
});

/**
 * The precedence of the outcome table: facts where the conditions of two adjacent outcomes both
 * hold give the higher one. (NO_RUN_AS_USER and INVALID_RUN_AS_USER cannot both hold: one has
 * no value, the other a value.)
 */
describe('precedence: the higher of two outcomes whose conditions hold', () => {
  const sudoProfile = { shellProfile: { linux: 'sudo su - ops' } };
  it.each<[Outcome, Outcome, SessionFacts]>([
    [
      'NOT_APPLICABLE',
      'SSH_TUNNEL',
      facts({ ...named(portContent('22'), 'Tunnel'), platform: known('Windows') }),
    ],
    [
      'SSH_TUNNEL',
      'UNVERIFIED',
      facts({ ...named(portContent('22'), 'Tunnel'), platform: unknown('denied') }),
    ],
    [
      'UNVERIFIED',
      'INVALID_PREFERENCES',
      facts({ ...named(shellContent({ runAsEnabled: 'yes' })), platform: unknown('denied') }),
    ],
    [
      'INVALID_PREFERENCES',
      'RAN_AS_ROOT',
      facts(
        named(
          commandContent(
            'InteractiveCommands',
            { linux: { commands: 'top', runAsElevated: true } },
            { inputs: { s3EncryptionEnabled: 'maybe' } },
          ),
        ),
      ),
    ],
    [
      'RAN_AS_ROOT',
      'RAN_AS_SSM_USER',
      facts(
        named(
          commandContent(
            'InteractiveCommands',
            { linux: { commands: 'top', runAsElevated: true } },
            { inputs: { runAsEnabled: false } },
          ),
        ),
      ),
    ],
    [
      'RAN_AS_SSM_USER',
      'NO_RUN_AS_USER',
      facts(prefs(shellContent({ runAsEnabled: false, runAsDefaultUser: '' }))),
    ],
    [
      'NO_RUN_AS_USER',
      'SHELL_PROFILE_ESCALATION',
      facts(prefs(shellContent({ runAsEnabled: true, ...sudoProfile }))),
    ],
    [
      'INVALID_RUN_AS_USER',
      'DISALLOWED_RUN_AS_USER',
      facts({ principal: iamUser(), principalTags: runAsTag(' root') }),
    ],
    [
      'DISALLOWED_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
      facts({ principal: iamUser(), principalTags: runAsTag('carol'), deniedUsers: new Set(['carol']) }),
    ],
    [
      'MISSING_RUN_AS_USER',
      'SHELL_PROFILE_ESCALATION',
      facts({
        ...prefs(shellContent({ runAsEnabled: true, ...sudoProfile })),
        principal: iamUser(),
        principalTags: runAsTag('carol'),
      }),
    ],
    [
      'SHELL_PROFILE_ESCALATION',
      'COMPLIANT',
      facts({
        ...prefs(shellContent({ runAsEnabled: true, ...sudoProfile })),
        principal: iamUser(),
        principalTags: runAsTag('alice'),
      }),
    ],
    // Rows of the table beyond adjacent pairs that a reader might doubt.
    [
      'RAN_AS_SSM_USER',
      'DISALLOWED_RUN_AS_USER',
      facts({
        principal: iamUser(),
        principalTags: runAsTag('ssm-user'),
        deniedUsers: new Set(['root', 'ssm-user']),
      }),
    ],
    [
      'RAN_AS_SSM_USER',
      'MISSING_RUN_AS_USER',
      facts({ ...prefs(PREFS_OFF), nodeUsers: nodeWith('ec2-user') }),
    ],
    [
      'NO_RUN_AS_USER',
      'MISSING_RUN_AS_USER',
      facts({ ...prefs(PREFS_ON_NO_DEFAULT), nodeUsers: nodeWith() }),
    ],
  ])('%s before %s', (higher, lower, input) => {
    // Act
    const decision = decided(input);

    // Assess
    expect(decision.outcome).toBe(higher);
    expect(OUTCOME_PRECEDENCE.indexOf(higher)).toBeLessThan(OUTCOME_PRECEDENCE.indexOf(lower));
  });
});
