import { describe, expect, it } from 'vitest';
import { assembleFinding } from '../../../src/findings/assembleFinding.ts';
import { findingId, productArn, subjectDigest } from '../../../src/findings/findingId.ts';
import { readFields } from '../../../src/findings/productFields.ts';

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

  it('replaces a subject that would make the Id longer than 512 by a stable digest', () => {
    // Prepare: a legal 492-character IAM path makes a role ARN of more than 512 characters.
    const arn = `arn:aws:iam::111122223333:role/${'p'.repeat(490)}/Ops`;
    const other = `arn:aws:iam::111122223333:role/${'p'.repeat(490)}/Ops2`;

    // Act
    const id = findingId('111122223333', 'us-east-1', 'principal', arn);

    // Assess
    expect(id).toBe(`111122223333/us-east-1/ssm-runas/principal/${subjectDigest(arn)}`);
    expect(id.length).toBeLessThanOrEqual(512);
    expect(findingId('111122223333', 'us-east-1', 'principal', arn)).toBe(id);
    expect(findingId('111122223333', 'us-east-1', 'principal', other)).not.toBe(id);
    expect(subjectDigest(arn)).toMatch(/^sha256-[0-9a-f]{64}$/);
  });

  it('keeps an Id of exactly 512 characters as it is', () => {
    // Prepare
    const prefix = '111122223333/us-east-1/ssm-runas/session/';
    const subject = 'x'.repeat(512 - prefix.length);

    // Act + Assess
    expect(findingId('111122223333', 'us-east-1', 'session', subject)).toBe(`${prefix}${subject}`);
  });

  it('puts the full subject of a digested Id in RunAs/Subject', () => {
    // Prepare
    const arn = `arn:aws:iam::111122223333:role/${'p'.repeat(490)}/Ops`;

    // Act
    const finding = assembleFinding({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '111122223333',
      check: 'principal',
      subject: arn,
      outcome: 'COMPLIANT',
      observedAt: '2026-03-01T00:00:00.000Z',
      title: 'Role Ops',
      description: 'Role Ops.',
      remediation: '',
      resources: [{ Type: 'AwsIamRole', Id: arn, Partition: 'aws', Region: 'us-east-1' }],
      fields: { principal: arn },
    });

    // Assess
    expect(readFields(finding.ProductFields).subject).toBe(arn);
    expect(finding.Id.endsWith(subjectDigest(arn))).toBe(true);
  });
});
