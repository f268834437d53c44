import { describe, expect, it } from 'vitest';
import {
  evaluateTrust,
  parseTrustPolicy,
  TrustPolicyError,
  type TrustRequest,
} from '../../../src/local/services/stsTrust.ts';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ops/Auditor`;

const request = (overrides: Partial<TrustRequest> = {}): TrustRequest => ({
  action: 'sts:AssumeRole',
  principalArn: ROLE,
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/run-1`,
  accountId: ACCOUNT,
  partition: 'aws',
  context: { 'aws:PrincipalArn': ROLE, 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
  ...overrides,
});

const allowWith = (statement: Record<string, unknown>) =>
  parseTrustPolicy({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', ...statement }],
  });

describe('trust policy principals and actions', () => {
  it.each([
    ['"*"', '*', 'allow'],
    ['the account id', ACCOUNT, 'allow'],
    ['the account root', `arn:aws:iam::${ACCOUNT}:root`, 'allow'],
    ['the role (any of its sessions)', ROLE, 'allow'],
    ['the exact session', `arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/run-1`, 'allow'],
    ['another session of the role', `arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/run-2`, 'implicit-deny'],
    ['another account', '444455556666', 'implicit-deny'],
    ['the role without its path', `arn:aws:iam::${ACCOUNT}:role/Auditor`, 'implicit-deny'],
  ])('Principal AWS %s → %s', (_name, principal, expected) => {
    // Prepare
    const policy = parseTrustPolicy({
      Statement: [
        {
          Effect: 'Allow',
          Principal: principal === '*' ? '*' : { AWS: principal },
          Action: 'sts:AssumeRole',
        },
      ],
    });

    // Act
    const decision = evaluateTrust(policy, request());

    // Assess
    expect(decision).toBe(expected);
  });

  it.each([
    ['sts:AssumeRole', 'allow'],
    ['STS:assumerole', 'allow'],
    ['sts:*', 'allow'],
    ['sts:Assume*', 'allow'],
    ['sts:TagSession', 'implicit-deny'],
  ])('Action %s → %s', (action, expected) => {
    // Act
    const decision = evaluateTrust(allowWith({ Action: action }), request());

    // Assess
    expect(decision).toBe(expected);
  });

  it('lets an explicit Deny win over an Allow', () => {
    // Prepare
    const policy = parseTrustPolicy({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'sts:*' },
      ],
    });

    // Act
    const decision = evaluateTrust(policy, request());

    // Assess
    expect(decision).toBe('explicit-deny');
  });

  it('never matches a service or federated principal to an AWS caller', () => {
    // Prepare
    const policy = parseTrustPolicy({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com', Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });

    // Act
    const decision = evaluateTrust(policy, request());

    // Assess
    expect(decision).toBe('implicit-deny');
  });
});

describe('trust policy conditions', () => {
  it.each([
    ['StringEquals on the org id', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }, {}, 'allow'],
    [
      'StringEquals with another org',
      { StringEquals: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } },
      {},
      'implicit-deny',
    ],
    [
      'condition key names in any case',
      { StringEquals: { 'AWS:principalorgid': 'o-a1b2c3d4e5' } },
      {},
      'allow',
    ],
    [
      'StringEquals is case-sensitive',
      { StringEquals: { 'aws:PrincipalOrgID': 'O-A1B2C3D4E5' } },
      {},
      'implicit-deny',
    ],
    [
      'StringEqualsIgnoreCase',
      { StringEqualsIgnoreCase: { 'aws:PrincipalOrgID': 'O-A1B2C3D4E5' } },
      {},
      'allow',
    ],
    [
      'any listed value matches',
      { StringEquals: { 'aws:PrincipalOrgID': ['o-zzzzzzzzzz', 'o-a1b2c3d4e5'] } },
      {},
      'allow',
    ],
    [
      'ArnLike with a wildcard name',
      { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ops/Aud*` } },
      {},
      'allow',
    ],
    [
      'ArnLike in another account',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/*' } },
      {},
      'implicit-deny',
    ],
    [
      'ArnLike: * does not cross a colon',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } },
      {},
      'implicit-deny',
    ],
    ['ArnNotLike', { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/*` } }, {}, 'allow'],
    ['StringLike with ?', { StringLike: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e?' } }, {}, 'allow'],
    [
      'a missing key fails a positive operator',
      { StringEquals: { 'sts:ExternalId': 'x-1' } },
      {},
      'implicit-deny',
    ],
    [
      'the external id given',
      { StringEquals: { 'sts:ExternalId': 'x-1' } },
      { 'sts:ExternalId': 'x-1' },
      'allow',
    ],
    [
      'a missing key passes a negated operator',
      { StringNotEquals: { 'sts:ExternalId': 'x-1' } },
      {},
      'allow',
    ],
    ['IfExists passes a missing key', { StringEqualsIfExists: { 'sts:ExternalId': 'x-1' } }, {}, 'allow'],
    [
      'IfExists still tests a present key',
      { StringEqualsIfExists: { 'sts:ExternalId': 'x-1' } },
      { 'sts:ExternalId': 'x-2' },
      'implicit-deny',
    ],
    ['Null true: the key is absent', { Null: { 'sts:ExternalId': 'true' } }, {}, 'allow'],
    ['Null false: the key is present', { Null: { 'sts:ExternalId': 'false' } }, {}, 'implicit-deny'],
    [
      'Bool',
      { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      { 'aws:MultiFactorAuthPresent': 'true' },
      'allow',
    ],
    [
      'ForAllValues within the allowed keys',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['SSMSessionRunAs', 'Team'] } },
      { 'aws:TagKeys': ['Team'] },
      'allow',
    ],
    [
      'ForAllValues with another key',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['SSMSessionRunAs'] } },
      { 'aws:TagKeys': ['Team', 'SSMSessionRunAs'] },
      'implicit-deny',
    ],
    [
      'ForAllValues with no keys at all',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['SSMSessionRunAs'] } },
      {},
      'allow',
    ],
    [
      'ForAnyValue with one match',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'Team' } },
      { 'aws:TagKeys': ['Team', 'X'] },
      'allow',
    ],
    [
      'ForAnyValue with no keys at all',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'Team' } },
      {},
      'implicit-deny',
    ],
    [
      'every operator must hold',
      {
        StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' },
      },
      {},
      'implicit-deny',
    ],
  ])('%s', (_name, condition, extra, expected) => {
    // Prepare
    const base = request();

    // Act
    const decision = evaluateTrust(allowWith({ Condition: condition }), {
      ...base,
      context: { ...base.context, ...extra },
    });

    // Assess
    expect(decision).toBe(expected);
  });
});

describe('trust policy parsing', () => {
  it('reads the JSON text IAM stores', () => {
    // Act
    const policy = parseTrustPolicy(
      JSON.stringify({
        Statement: { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' },
      }),
    );

    // Assess
    expect(evaluateTrust(policy, request())).toBe('allow');
  });

  it.each([
    ['text that is not JSON', '{', 'doc is not JSON'],
    [
      'an Effect other than Allow/Deny',
      { Statement: [{ Effect: 'allow', Principal: '*', Action: '*' }] },
      'doc.Statement[0].Effect must be Allow or Deny',
    ],
    [
      'NotPrincipal',
      { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: ACCOUNT }, Action: '*' }] },
      'doc.Statement[0].NotPrincipal is not supported',
    ],
    [
      'NotAction',
      { Statement: [{ Effect: 'Allow', Principal: '*', NotAction: 'iam:*' }] },
      'doc.Statement[0].NotAction is not supported',
    ],
    [
      'an unknown principal type',
      { Statement: [{ Effect: 'Allow', Principal: { User: 'x' }, Action: '*' }] },
      'doc.Statement[0].Principal.User is not a principal type',
    ],
    [
      'an operator the evaluator lacks',
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: '*',
            Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
          },
        ],
      },
      'doc.Statement[0].Condition.IpAddress: operator not supported',
    ],
    [
      'a policy variable',
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: '*',
            Condition: { StringEquals: { 'sts:RoleSessionName': `\${aws:username}` } },
          },
        ],
      },
      'doc.Statement[0].Condition.StringEquals.sts:RoleSessionName: policy variables are not supported',
    ],
  ])('refuses %s, naming where', (_name, document, message) => {
    // Act
    const parse = () => parseTrustPolicy(document, 'doc');

    // Assess
    expect(parse).toThrow(TrustPolicyError);
    expect(parse).toThrow(message);
  });
});
