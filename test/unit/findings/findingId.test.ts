import { describe, expect, it } from 'vitest';
import { capFindingId, findingId, productArn } from '../../../src/findings/findingId.ts';

describe('productArn', () => {
  it.each([
    ['aws', 'us-east-1', 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default'],
    ['aws-cn', 'cn-north-1', 'arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default'],
    [
      'aws-us-gov',
      'us-gov-west-1',
      'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default',
    ],
  ] as const)('is the default product of the account in %s', (partition, region, expected) => {
    // Act
    const arn = productArn(partition, region, '111122223333');

    // Assess
    expect(arn).toBe(expected);
  });
});

describe('findingId', () => {
  it('is <account>/<region>/ssm-runas/<check>/<subject>', () => {
    // Act
    const id = findingId('111122223333', 'eu-west-1', 'principal', 'arn:aws:iam::111122223333:role/Ops');

    // Assess
    expect(id).toBe('111122223333/eu-west-1/ssm-runas/principal/arn:aws:iam::111122223333:role/Ops');
  });

  it.each([
    ['space', 'a b', 'a_b'],
    ['newline', 'a\nb', 'a_b'],
    ['non-ASCII', 'jürgen', 'j_rgen'],
    ['bidi override', 'a\u202Eb', 'a_b'],
  ])('replaces a %s in the subject with _', (_case, subject, expected) => {
    // Act
    const id = findingId('111122223333', 'us-east-1', 'session', subject);

    // Assess
    expect(id).toBe(`111122223333/us-east-1/ssm-runas/session/${expected}`);
  });

  it('caps a long id at 512 characters, deterministically, keeping distinct subjects distinct', () => {
    // Prepare
    const first = `${'s'.repeat(600)}-1`;
    const second = `${'s'.repeat(600)}-2`;

    // Act
    const a = findingId('111122223333', 'us-east-1', 'session', first);
    const again = findingId('111122223333', 'us-east-1', 'session', first);
    const b = findingId('111122223333', 'us-east-1', 'session', second);

    // Assess
    expect(a).toHaveLength(512);
    expect(a.startsWith('111122223333/us-east-1/ssm-runas/session/sss')).toBe(true);
    expect(again).toBe(a);
    expect(b).not.toBe(a);
  });

  it('leaves an id of exactly 512 printable characters alone', () => {
    // Prepare
    const id = 'x'.repeat(512);

    // Act
    const capped = capFindingId(id);

    // Assess
    expect(capped).toBe(id);
  });
});
