import { describe, expect, it } from 'vitest';
import { inUsers, isSafeUserName, isUid, sameUser, shellTrimmed } from '../../../src/domain/userName.ts';

describe('isSafeUserName', () => {
  it.each<[string, boolean]>([
    ['ec2-user', true],
    ['alice@corp.example', true],
    ['HOST01$', true],
    ['_svc.ops-1', true],
    ['9lives', true],
    ['1000', true],
    ['a'.repeat(256), true],
    ['', false],
    ['a'.repeat(257), false],
    ['-rf', false],
    ['.hidden', false],
    ['@corp', false],
    ['a;reboot', false],
    ['$(id)', false],
    ['a b', false],
    [' alice', false],
    ['alice ', false],
    ['a$$', false],
    ['CORP\\alice', false],
    ['alice\n', false],
  ])('%j → %s', (name, safe) => {
    // Act + Assess
    expect(isSafeUserName(name)).toBe(safe);
  });
});

describe('uids and names as the node compares them', () => {
  it.each<[string, boolean]>([
    ['1000', true],
    ['0', true],
    ['00', true],
    ['1000a', false],
    ['-1', false],
    ['', false],
    ['12345678901', false],
  ])('isUid(%j) is %s', (value, expected) => {
    // Act + Assess
    expect(isUid(value)).toBe(expected);
  });

  it.each<[string, string]>([
    [' alice', 'alice'],
    ['\talice\n', 'alice'],
    ['alice bob', 'alice bob'],
    // Only the shell's blanks: a no-break space is part of the word.
    ['\u00a0alice', '\u00a0alice'],
  ])('shellTrimmed(%j) is %j', (value, expected) => {
    // Act + Assess
    expect(shellTrimmed(value)).toBe(expected);
  });

  it('compares exactly on Linux and ignoring case on macOS', () => {
    // Act + Assess
    expect(sameUser('Alice', 'alice', 'exact')).toBe(false);
    expect(sameUser('Alice', 'alice', 'ignore-case')).toBe(true);
    expect(inUsers(new Set(['root', 'admin']), 'ADMIN', 'exact')).toBe(false);
    expect(inUsers(new Set(['root', 'admin']), 'ADMIN', 'ignore-case')).toBe(true);
  });
});
