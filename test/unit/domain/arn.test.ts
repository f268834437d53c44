import { describe, expect, it } from 'vitest';
import {
  assumedRolePrefix,
  documentNameOf,
  iamPrincipalArn,
  isDocumentReference,
  parseArn,
  parseDocumentArn,
  parsePrincipalArn,
} from '../../../src/domain/arn.ts';
import {
  isAccountId,
  isEc2InstanceId,
  isHybridNodeId,
  isIamName,
  isIamPath,
  isManagedNodeId,
  isRegion,
  partitionOf,
} from '../../../src/domain/identifiers.ts';

describe('the ARN grammar', () => {
  it('splits any ARN of a supported partition', () => {
    // Act + Assess
    expect(parseArn('arn:aws-cn:ssm:cn-north-1:111122223333:document/X')).toEqual({
      partition: 'aws-cn',
      service: 'ssm',
      region: 'cn-north-1',
      accountId: '111122223333',
      resource: 'document/X',
    });
    expect(parseArn('arn:aws-iso:iam::111122223333:root')).toBeUndefined();
    expect(parseArn('arn:aws:iam::1234:root')).toBeUndefined();
    expect(parseArn('not an arn')).toBeUndefined();
  });

  it.each<[string, unknown]>([
    [
      'arn:aws:iam::111122223333:user/alice',
      { kind: 'user', accountId: '111122223333', path: '/', name: 'alice' },
    ],
    [
      'arn:aws:iam::111122223333:role/ops/team/Operators',
      { kind: 'role', path: '/ops/team/', name: 'Operators' },
    ],
    ['arn:aws-us-gov:iam::111122223333:root', { kind: 'root', partition: 'aws-us-gov' }],
    [
      'arn:aws:sts::111122223333:assumed-role/Operators/alice',
      { kind: 'assumed-role', roleName: 'Operators', sessionName: 'alice' },
    ],
    ['arn:aws:sts::111122223333:federated-user/bob', { kind: 'federated-user', name: 'bob' }],
  ])('reads the principal %s', (text, expected) => {
    // Act
    const parsed = parsePrincipalArn(text);

    // Assess
    expect(parsed).toMatchObject({ ok: true, arn: expected });
  });

  it.each<[string, string]>([
    ['arn:aws:iam::111122223333:user/bad$name', 'bad-name'],
    ['arn:aws:iam::111122223333:role/a//Operators', 'bad-path'],
    [`arn:aws:iam::111122223333:role/${'p'.repeat(600)}/Operators`, 'bad-path'],
    ['arn:aws:iam::111122223333:group/admins', 'not-a-principal'],
    ['arn:aws:sts::111122223333:assumed-role/Operators', 'not-a-principal'],
    ['arn:aws:iam:us-east-1:111122223333:user/alice', 'not-an-arn'],
    ['nope', 'not-an-arn'],
  ])('rejects %s (%s)', (text, problem) => {
    // Act + Assess
    expect(parsePrincipalArn(text)).toEqual({ ok: false, problem });
  });

  it('builds principal ARNs the parser reads back', () => {
    // Act
    const arn = iamPrincipalArn('aws', '111122223333', 'role', '/ops/', 'Operators');

    // Assess
    expect(arn).toBe('arn:aws:iam::111122223333:role/ops/Operators');
    expect(parsePrincipalArn(arn)).toMatchObject({
      ok: true,
      arn: { kind: 'role', path: '/ops/', name: 'Operators' },
    });
    expect(assumedRolePrefix('aws', '111122223333', 'Operators')).toBe(
      'arn:aws:sts::111122223333:assumed-role/Operators/',
    );
  });

  it('reads document names and document ARNs', () => {
    // Act + Assess
    expect(parseDocumentArn('arn:aws:ssm:us-east-1:111122223333:document/Custom-Shell')).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '111122223333',
      name: 'Custom-Shell',
    });
    expect(parseDocumentArn('arn:aws:ssm:us-east-1::document/AWS-StartSSHSession')?.accountId).toBe('');
    expect(parseDocumentArn('arn:aws:ssm:us-east-1:111122223333:document/a b')).toBeUndefined();
    expect(documentNameOf('arn:aws:ssm:us-east-1:111122223333:document/Custom-Shell')).toBe('Custom-Shell');
    expect(documentNameOf('Custom-Shell')).toBe('Custom-Shell');
    expect(isDocumentReference('SSM-SessionManagerRunShell')).toBe(true);
    expect(isDocumentReference('x')).toBe(false);
    expect(isDocumentReference('arn:aws:ssm:us-east-1:111122223333:instance/i-1')).toBe(false);
  });
});

describe('identifier grammars', () => {
  it.each<[string, boolean]>([
    ['us-east-1', true],
    ['ap-southeast-5', true],
    ['us-gov-west-1', true],
    ['eu-central-2', true],
    ['cn-north-1', true],
    ['us-isob-east-1', false],
    ['mars', false],
    ['us-east-100', false],
  ])('isRegion(%j) is %s', (value, expected) => {
    // Act + Assess
    expect(isRegion(value)).toBe(expected);
  });

  it('maps Regions to partitions', () => {
    // Act + Assess
    expect([partitionOf('cn-northwest-1'), partitionOf('us-gov-east-1'), partitionOf('eu-west-1')]).toEqual([
      'aws-cn',
      'aws-us-gov',
      'aws',
    ]);
  });

  it('knows node ids, account ids, IAM names and paths', () => {
    // Act + Assess
    expect([
      isEc2InstanceId('i-0123abcd'),
      isEc2InstanceId('i-0123456789abcdef0'),
      isEc2InstanceId('i-0123456789'),
    ]).toEqual([true, true, false]);
    expect([
      isHybridNodeId('mi-0123456789abcdef0'),
      isManagedNodeId('ecs:c_t_c'),
      isManagedNodeId('i-NOTHEX1'),
    ]).toEqual([true, false, false]);
    expect([isAccountId('111122223333'), isAccountId('11112222333')]).toEqual([true, false]);
    expect([isIamName('ops+team=1,a.b@c-d_e'), isIamName('a b'), isIamName('x'.repeat(129))]).toEqual([
      true,
      false,
      false,
    ]);
    expect([
      isIamPath('/'),
      isIamPath('/a/b/'),
      isIamPath('a/'),
      isIamPath('//'),
      isIamPath(`/${'p'.repeat(511)}/`),
    ]).toEqual([true, true, false, false, false]);
  });
});
