import { describe, expect, it } from 'vitest';
import { principalFromArn } from '../../../src/app/principalFromArn.ts';

const ACCOUNT = '111122223333';

describe('principalFromArn', () => {
  it.each([
    [`arn:aws:iam::${ACCOUNT}:user/alice`, { kind: 'user', name: 'alice', path: '/', accountId: ACCOUNT }],
    [`arn:aws:iam::${ACCOUNT}:role/ops/Operators`, { kind: 'role', name: 'Operators', path: '/ops/' }],
    [
      `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Users_0a1b`,
      { kind: 'role', name: 'AWSReservedSSO_Users_0a1b', path: '/aws-reserved/sso.amazonaws.com/' },
    ],
    [`arn:aws-us-gov:iam::444455556666:user/bob`, { kind: 'user', name: 'bob', accountId: '444455556666' }],
    [`arn:aws:iam::${ACCOUNT}:root`, { kind: 'root', name: 'root' }],
    [`arn:aws:sts::${ACCOUNT}:federated-user/fed-ops`, { kind: 'federated-user', name: 'fed-ops' }],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`, { kind: 'other', name: 'alice' }],
    [`arn:aws:iam::${ACCOUNT}:user/a;reboot`, { kind: 'other' }],
    ['ssm.amazonaws.com', { kind: 'other', name: 'ssm.amazonaws.com', accountId: ACCOUNT }],
  ])('%s', (arn, expected) => {
    const principal = principalFromArn(arn, ACCOUNT);

    expect(principal).toMatchObject({ arn, callerArn: arn, accessKeyId: '', ...expected });
  });
});
