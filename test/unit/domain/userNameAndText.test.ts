import { describe, expect, it } from 'vitest';
import { nameText, quote } from '../../../src/domain/pathText.ts';
import { isSafeUserName } from '../../../src/domain/userName.ts';

describe('isSafeUserName', () => {
  it.each<[string, boolean]>([
    ['ec2-user', true],
    ['alice@corp.example', true],
    ['HOST01$', true],
    ['_svc.ops-1', true],
    ['9lives', true],
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

describe('path text', () => {
  it.each<[string, string]>([
    ['alice', '"alice"'],
    ['tab\there', '"tab\\there"'],
    ['\u001b[2J', '"\\u001b[2J"'],
    ['"quoted"', '"\\"quoted\\""'],
    ['x'.repeat(64), `"${'x'.repeat(64)}"`],
    ['x'.repeat(65), `"${'x'.repeat(64)}…"`],
    // Cut by code point: an emoji is never split into a lone surrogate.
    [`${'x'.repeat(63)}😀😀`, `"${'x'.repeat(63)}😀…"`],
  ])('quote(%j) is %s', (value, expected) => {
    // Act + Assess
    expect(quote(value)).toBe(expected);
  });

  it.each<[string, string]>([
    ['Operators', 'Operators'],
    [
      'arn:aws:ssm:us-east-1:111122223333:document/Custom-Shell',
      'arn:aws:ssm:us-east-1:111122223333:document/Custom-Shell',
    ],
    ['Bad Name', '"Bad Name"'],
    ['x\ny', '"x\\ny"'],
  ])('nameText(%j) is %s', (name, expected) => {
    // Act + Assess
    expect(nameText(name)).toBe(expected);
  });
});
