import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/domain/outcome.ts';
import type { SessionLogVerdict } from '../../../src/domain/sessionLog.ts';
import { auditedShellOf, evidenceOf, outcomeWithSessionLog } from '../../../src/domain/sessionLogOutcome.ts';
import {
  commandContent,
  decided,
  facts,
  iamUser,
  named,
  nodeWith,
  PREFS_OFF,
  PREFS_ON_NO_DEFAULT,
  prefs,
  runAsTag,
  shellContent,
  unknownUsers,
} from './runAsFixtures.ts';

const verified: SessionLogVerdict = { kind: 'verified', observedUser: 'alice' };
const other: SessionLogVerdict = { kind: 'unexpected-user', observedUser: 'bob', expectedUser: 'alice' };
const started: SessionLogVerdict = { kind: 'started-although-refused', observedUser: 'bob' };
const neverStarted: SessionLogVerdict = { kind: 'never-started' };
const unreadable: SessionLogVerdict = { kind: 'unknown', reason: 'access-denied' };

describe('outcomeWithSessionLog', () => {
  it.each<[Outcome, SessionLogVerdict, Outcome]>([
    ['COMPLIANT', verified, 'COMPLIANT'],
    ['COMPLIANT', other, 'RAN_AS_UNEXPECTED_USER'],
    // Higher outcomes still hold whoever the log names.
    ['SHELL_PROFILE_ESCALATION', other, 'SHELL_PROFILE_ESCALATION'],
    ['RAN_AS_SSM_USER', other, 'RAN_AS_SSM_USER'],
    ['DISALLOWED_RUN_AS_USER', other, 'DISALLOWED_RUN_AS_USER'],
    // A shell the audit expected to be refused disproves the refusal, whatever its rank.
    ['MISSING_RUN_AS_USER', started, 'RAN_AS_UNEXPECTED_USER'],
    ['NO_RUN_AS_USER', started, 'RAN_AS_UNEXPECTED_USER'],
    ['MISSING_RUN_AS_USER', neverStarted, 'MISSING_RUN_AS_USER'],
    ['COMPLIANT', unreadable, 'COMPLIANT'],
  ])('%s with a log that says %o is %s', (computed, verdict, expected) => {
    // Act
    const outcome = outcomeWithSessionLog(computed, verdict);

    // Assess
    expect(outcome).toBe(expected);
  });
});

describe('auditedShellOf', () => {
  it.each([
    [
      'a compliant shell: the user it resolved',
      decided(facts({ principal: iamUser(), principalTags: runAsTag('alice') })),
      { expectedUser: 'alice', runAsApplied: true, refusalExpected: false },
    ],
    [
      'Run As off: ssm-user, not applied',
      decided(facts(prefs(PREFS_OFF))),
      { expectedUser: 'ssm-user', runAsApplied: false, refusalExpected: false },
    ],
    [
      'no user: a refusal',
      decided(facts(prefs(PREFS_ON_NO_DEFAULT))),
      { expectedUser: '', runAsApplied: true, refusalExpected: true },
    ],
    [
      'a user missing on the node: a refusal',
      decided(
        facts({ principal: iamUser(), principalTags: runAsTag('carol'), nodeUsers: nodeWith('alice') }),
      ),
      { expectedUser: 'carol', runAsApplied: true, refusalExpected: true },
    ],
    [
      'a denied user: a refusal',
      decided(facts({ principal: iamUser(), principalTags: runAsTag('root') })),
      { expectedUser: 'root', runAsApplied: true, refusalExpected: true },
    ],
  ])('%s', (_case, decision, expected) => {
    // Act
    const shell = auditedShellOf(decision);

    // Assess
    expect(shell).toEqual(expected);
  });

  it('has no shell for root commands, an unverified decision or an invalid document', () => {
    // Prepare
    const root = decided(
      facts(
        named(
          commandContent('InteractiveCommands', { linux: { commands: 'id', runAsElevated: true } }),
          'RootCommand',
        ),
      ),
    );
    const unverified = decided(facts({ principalTags: { known: false, reason: 'denied' } }));
    const invalid = decided(facts(prefs(shellContent({ runAsEnabled: 'yes' }))));

    // Assess
    expect([root.outcome, unverified.outcome, invalid.outcome]).toEqual([
      'RAN_AS_ROOT',
      'UNVERIFIED',
      'INVALID_PREFERENCES',
    ]);
    expect([root, unverified, invalid].map(auditedShellOf)).toEqual([undefined, undefined, undefined]);
  });
});

describe('evidenceOf', () => {
  const checked = decided(facts({ principal: iamUser(), principalTags: runAsTag('alice') }));
  const computed = decided(
    facts({ principal: iamUser(), principalTags: runAsTag('alice'), nodeUsers: unknownUsers }),
  );

  it.each([
    ['computed only', computed, undefined, 'computed'],
    ['the user exists by inventory', checked, undefined, 'node-users'],
    ['verified by the log', checked, verified, 'session-log'],
    ['another user in the log', computed, other, 'session-log'],
    ['no stream by the end of the window', checked, neverStarted, 'refusal-confirmed'],
    ['an unreadable log adds nothing', computed, unreadable, 'computed'],
  ] as const)('%s', (_case, decision, verdict, expected) => {
    // Assess
    expect(evidenceOf(decision, verdict)).toBe(expected);
  });
});
