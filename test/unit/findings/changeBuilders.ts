/** Builders for the findings written after a change. */
import type { Decision } from '../../../src/domain/decision.ts';
import {
  type DocumentRead,
  type Known,
  known,
  type Principal,
  type Tags,
} from '../../../src/domain/facts.ts';
import { decidePreferencesPosture, decidePrincipalPosture } from '../../../src/domain/posture.ts';
import { PREFS_ON, read } from '../domain/runAsFixtures.ts';
import { iamRolePrincipal, iamUserPrincipal } from '../principals.ts';

export const ACCOUNT = '111122223333';
export const T0 = '2026-02-01T00:00:00.000Z';
export const T1 = '2026-03-01T13:00:00.000Z';
export const change = { eventId: 'e-1', eventName: 'TagRole', eventTime: T1 };
export const placement = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT } as const;
export const denied: ReadonlySet<string> = new Set(['root']);

export const operators: Principal = iamRolePrincipal('Operators', '/ops/');

export const alice: Principal = iamUserPrincipal('alice');

export const principalPosture = (
  tags: Tags,
  preferences: Known<DocumentRead | null> = read(PREFS_ON),
  principal = operators,
): Decision =>
  decidePrincipalPosture({
    preferences,
    judgedVersion: '$LATEST',
    principal,
    principalTags: known(tags),
    deniedUsers: denied,
  });

export const documentPosture = (
  content: unknown,
  name = 'SSM-SessionManagerRunShell',
  other?: Known<DocumentRead | null>,
): Decision =>
  decidePreferencesPosture({
    documentName: name,
    document: read(content, '3', name),
    ...(other === undefined ? {} : { otherVersion: other }),
    judgedVersion: '$LATEST',
    deniedUsers: denied,
  });

/** i-…0001, i-…0002, … (17 hex digits, as EC2 ids are). */
export const nodes = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `i-0a1b2c3d4e5f${String(i + 1).padStart(5, '0')}`);
