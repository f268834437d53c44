import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.ts';
import { known, type Tags } from '../../../src/domain/facts.ts';
import { MAX_NODES_NAMED, needsFleetCheck, withFleetPresence } from '../../../src/domain/fleetPresence.ts';
import { decidePreferencesPosture, decidePrincipalPosture } from '../../../src/domain/posture.ts';
import { remediationOf } from '../../../src/findings/remediation.ts';
import { nodeListText, stepSentence } from '../../../src/findings/stepText.ts';
import { iamRolePrincipal } from '../principals.ts';
import { read, shellContent } from './runAsFixtures.ts';

const operators = iamRolePrincipal('Operators', '/ops/');

const ON = read(shellContent({ runAsEnabled: true, runAsDefaultUser: 'ec2-user' }));
const OFF = read(shellContent({ runAsEnabled: false }));

const principalPosture = (tags: Tags, preferences = ON): Decision =>
  decidePrincipalPosture({
    preferences,
    judgedVersion: '$LATEST',
    principal: operators,
    principalTags: known(tags),
    deniedUsers: new Set(['root']),
  });

/** i-…0001, i-…0002, … (17 hex digits, as EC2 ids are). */
const nodes = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `i-0a1b2c3d4e5f${String(i + 1).padStart(5, '0')}`);

describe('nodeListText', () => {
  it.each([
    { count: 1, named: 1, suffix: '' },
    { count: 3, named: 3, suffix: '' },
    { count: MAX_NODES_NAMED, named: 20, suffix: '' },
    { count: MAX_NODES_NAMED + 1, named: 20, suffix: ' and 1 more' },
    { count: 23, named: 20, suffix: ' and 3 more' },
    { count: 57, named: 20, suffix: ' and 37 more' },
  ])('names $named of $count nodes and counts the rest', ({ count, named, suffix }) => {
    // Prepare
    const ids = nodes(count);

    // Act
    const text = nodeListText(ids);

    // Assess
    expect(text).toBe(`${ids.slice(0, named).join(', ')}${suffix}`);
    expect(text.match(/i-0a1b2c3d4e5f\d{5}/g)).toHaveLength(named);
  });

  it('names a node listed twice once', () => {
    // Act
    const text = nodeListText(['i-0000000000000000a', 'i-0000000000000000a', 'i-0000000000000000b']);

    // Assess
    expect(text).toBe('i-0000000000000000a, i-0000000000000000b');
  });

  it('quotes an id that is not a plain resource name', () => {
    // Act
    const text = nodeListText(['i-1 ; reboot']);

    // Assess
    expect(text).toBe('"i-1 ; reboot"');
  });
});

describe('needsFleetCheck', () => {
  it.each([
    { label: 'a compliant tag', decision: principalPosture({ SSMSessionRunAs: 'opsadmin' }), needed: true },
    { label: 'a compliant default', decision: principalPosture({}), needed: true },
    { label: 'a denied user', decision: principalPosture({ SSMSessionRunAs: 'root' }), needed: false },
    { label: 'ssm-user', decision: principalPosture({ SSMSessionRunAs: 'ssm-user' }), needed: false },
    { label: 'Run As off', decision: principalPosture({ SSMSessionRunAs: 'opsadmin' }, OFF), needed: false },
    { label: 'an unsafe name', decision: principalPosture({ SSMSessionRunAs: '$(id)' }), needed: false },
  ])('is $needed for $label', ({ decision, needed }) => {
    // Assess
    expect(needsFleetCheck(decision)).toBe(needed);
  });
});

describe('withFleetPresence', () => {
  it('leaves a compliant decision unchanged when no node lacks the user', () => {
    // Prepare
    const decision = principalPosture({ SSMSessionRunAs: 'opsadmin' });

    // Act
    const result = withFleetPresence(decision, { checked: 25, missing: [], unknown: 2 });

    // Assess
    expect(result).toBe(decision);
    expect(result.outcome).toBe('COMPLIANT');
  });

  it.each([
    { label: 'denied', tags: { SSMSessionRunAs: 'root' }, outcome: 'DISALLOWED_RUN_AS_USER' },
    { label: 'ssm-user', tags: { SSMSessionRunAs: 'ssm-user' }, outcome: 'RAN_AS_SSM_USER' },
    { label: 'unsafe', tags: { SSMSessionRunAs: 'a;b' }, outcome: 'INVALID_RUN_AS_USER' },
  ])('leaves a $label decision ($outcome) unchanged even with missing nodes', ({ tags, outcome }) => {
    // Prepare
    const decision = principalPosture(tags);

    // Act
    const result = withFleetPresence(decision, { checked: 3, missing: nodes(3), unknown: 0 });

    // Assess
    expect(result).toBe(decision);
    expect(result.outcome).toBe(outcome);
  });

  it('turns a compliant tag missing on 3 nodes into MISSING_RUN_AS_USER naming them', () => {
    // Prepare
    const decision = principalPosture({ SSMSessionRunAs: 'opsadmin' });
    const missing = nodes(3);

    // Act
    const result = withFleetPresence(decision, { checked: 25, missing, unknown: 0 });

    // Assess
    expect(result).toMatchObject({
      outcome: 'MISSING_RUN_AS_USER',
      expectedUser: 'opsadmin',
      expectedUserSource: 'principal-tag',
      sessionUser: '',
      userVerified: true,
    });
    expect(result.steps.slice(0, -1)).toEqual(decision.steps.slice(0, -1));
    expect(stepSentence(result.steps.at(-1) ?? { step: 'no-session-tag' })).toBe(
      `"opsadmin" is missing on 3 of 25 Linux/macOS nodes checked; the agent refuses its sessions there: ${missing.join(', ')}.`,
    );
    expect(remediationOf(result)).toBe(
      'Create "opsadmin" on those nodes (locally or in their directory), or correct the SSMSessionRunAs tag.',
    );
  });

  it('names 20 of 23 missing nodes, counts the rest, and says unknown nodes are not counted', () => {
    // Prepare
    const missing = nodes(23);

    // Act
    const result = withFleetPresence(principalPosture({ SSMSessionRunAs: 'opsadmin' }), {
      checked: 27,
      missing,
      unknown: 2,
    });

    // Assess
    const sentence = stepSentence(result.steps.at(-1) ?? { step: 'no-session-tag' });
    expect(sentence).toContain(
      'missing on 23 of 27 Linux/macOS nodes checked (2 without fresh inventory not counted);',
    );
    expect(sentence).toContain(`${missing.slice(0, 20).join(', ')} and 3 more.`);
    expect(sentence).not.toContain(missing[20] ?? 'none');
  });

  it('names the default user as what to correct for a preferences posture', () => {
    // Prepare
    const decision = decidePreferencesPosture({
      documentName: 'SSM-SessionManagerRunShell',
      document: ON,
      judgedVersion: '$LATEST',
      deniedUsers: new Set(['root']),
    });

    // Act
    const result = withFleetPresence(decision, { checked: 1, missing: nodes(1), unknown: 0 });

    // Assess
    expect(result.outcome).toBe('MISSING_RUN_AS_USER');
    expect(result.expectedUserSource).toBe('preferences');
    expect(remediationOf(result)).toContain('or correct the runAsDefaultUser.');
    expect(stepSentence(result.steps.at(-1) ?? { step: 'no-session-tag' })).toContain(
      '"ec2-user" is missing on 1 of 1 Linux/macOS nodes',
    );
  });
});
