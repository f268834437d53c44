/** The decision's identity rows: where session tags came from, why they are not known, and tags as of the session. */
import { describe, expect, it } from 'vitest';
import type { SessionTagsFact, TagHistoryAt } from '../../../src/domain/facts.ts';
import { decided, facts, runAsTag, stepNames, tags } from './runAsFixtures.ts';

const CHANGED = '2026-03-01T10:05:00.000Z';
const SET = '2026-03-01T09:00:00.000Z';

describe('the principal’s tag as of the session', () => {
  it.each<[string, TagHistoryAt | undefined, string, string, string]>([
    ['no history read', undefined, 'COMPLIANT', 'opsadmin', 'principal-tag'],
    ['no change at or after the session', {}, 'COMPLIANT', 'opsadmin', 'principal-tag'],
    [
      'a change after it, root before',
      { before: { value: 'root', eventTime: SET, ambiguous: false }, changedAt: CHANGED },
      'DISALLOWED_RUN_AS_USER',
      'root',
      'principal-tag-then',
    ],
    [
      'a change after it, no tag before',
      { before: { value: null, eventTime: SET, ambiguous: false }, changedAt: CHANGED },
      'COMPLIANT',
      'ec2-user',
      'principal-tag-then',
    ],
    [
      'a change after it, nothing recorded before',
      { changedAt: CHANGED },
      'UNVERIFIED',
      '',
      'principal-tag-changed-after',
    ],
    [
      'a change after it, two values in the second before',
      { before: { value: 'alice', eventTime: SET, ambiguous: true }, changedAt: CHANGED },
      'UNVERIFIED',
      '',
      'principal-tag-changed-after',
    ],
  ])('%s', (_name, history, outcome, expectedUser, step) => {
    // Act
    const decision = decided(
      facts({
        principalTags: tags({ SSMSessionRunAs: 'opsadmin', team: 'ops' }),
        principalTagHistory: history,
      }),
    );

    // Assess
    expect(decision).toMatchObject({ outcome, expectedUser });
    expect(stepNames(decision)).toContain(step);
  });

  it('keeps the value recorded then even when the tags cannot be read now', () => {
    // Act
    const decision = decided(
      facts({
        principalTags: { known: false, reason: 'NoSuchEntity' },
        principalTagHistory: {
          before: { value: 'alice', eventTime: SET, ambiguous: false },
          changedAt: CHANGED,
        },
      }),
    );

    // Assess
    expect(decision).toMatchObject({ outcome: 'COMPLIANT', expectedUser: 'alice' });
  });

  it('does not matter when a session tag decides', () => {
    // Act
    const decision = decided(
      facts({
        principalTags: runAsTag('opsadmin'),
        principalTagHistory: { changedAt: CHANGED },
        sessionTags: { status: 'known', tags: { SSMSessionRunAs: 'bob' } },
      }),
    );

    // Assess
    expect(decision).toMatchObject({
      outcome: 'COMPLIANT',
      expectedUser: 'bob',
      expectedUserSource: 'session-tag',
    });
  });
});

describe('session tags and their STS record', () => {
  it.each<[string, SessionTagsFact, string, string]>([
    [
      'known from the record',
      {
        status: 'known',
        tags: { SSMSessionRunAs: 'bob' },
        source: {
          eventName: 'AssumeRoleWithSAML',
          eventId: 'e',
          recordedIn: 'eu-west-1',
          match: 'issue-time',
        },
      },
      'session-tags-recorded',
      'applied',
    ],
    [
      'not arrived yet',
      { status: 'unknown', reason: 'no record yet', pending: true },
      'session-tags-pending',
      'unknown',
    ],
    [
      'just-in-time access',
      { status: 'unknown', reason: 'GetAccessToken', justInTime: true },
      'session-tags-just-in-time',
      'unknown',
    ],
    ['unreadable', { status: 'unknown', reason: 'denied' }, 'session-tags-unreadable', 'unknown'],
  ])('%s', (_name, sessionTags, step, use) => {
    // Act
    const decision = decided(facts({ sessionTags }));

    // Assess
    expect(stepNames(decision)).toContain(step);
    expect(decision.sessionTags).toBe(use);
  });
});
