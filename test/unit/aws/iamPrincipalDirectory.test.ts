import {
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIamPrincipalDirectory } from '../../../src/aws/iamPrincipalDirectory.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { iamRolePrincipal } from '../principals.ts';
import { serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1' });
const directory = () => createIamPrincipalDirectory(client, { accountId: ACCOUNT });

const iamError = serviceError(IAMServiceException);

const created = new Date('2026-01-01T00:00:00Z');

beforeEach(() => {
  iam.reset();
});

describe('createIamPrincipalDirectory', () => {
  it('reads a role with GetRole: its ARN carries the path', async () => {
    // Prepare
    iam.on(GetRoleCommand, { RoleName: 'operators' }).resolves({
      Role: {
        RoleName: 'Operators',
        Path: '/ops/',
        Arn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`,
        RoleId: 'AROAEXAMPLE',
        CreateDate: created,
      },
    });

    // Act
    const found = await directory().principalOf('role', 'operators');

    // Assess: IAM's own spelling of the name wins.
    expect(found).toEqual({
      known: true,
      value: iamRolePrincipal('Operators', '/ops/'),
    });
  });

  it('reads a user with GetUser', async () => {
    iam.on(GetUserCommand, { UserName: 'alice' }).resolves({
      User: {
        UserName: 'alice',
        Path: '/',
        Arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        UserId: 'AIDA',
        CreateDate: created,
      },
    });

    const found = await directory().principalOf('user', 'alice');

    expect(found).toMatchObject({
      known: true,
      value: { kind: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
    });
    expect(iam).not.toReceiveCommand(GetRoleCommand);
  });

  it('says null for a principal that does not exist', async () => {
    iam
      .on(GetRoleCommand)
      .rejects(new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: 'no' }));

    expect(await directory().principalOf('role', 'DbAdmins')).toEqual({ known: true, value: null });
  });

  it('says unknown, with the reason, when the auditor may not look', async () => {
    iam.on(GetUserCommand).rejects(iamError('AccessDenied', 403));

    const found = await directory().principalOf('user', 'alice');

    expect(found).toEqual({
      known: false,
      reason: 'the auditor is not allowed iam:GetUser on user alice (AccessDenied)',
    });
  });

  it('says unknown when IAM answers without an ARN', async () => {
    iam.on(GetUserCommand).resolves({});

    expect(await directory().principalOf('user', 'alice')).toMatchObject({ known: false });
  });

  it('throws throttling and server errors', async () => {
    iam.on(GetRoleCommand).rejects(iamError('Throttling', 400));

    await expect(directory().principalOf('role', 'Operators')).rejects.toBeInstanceOf(AwsCallError);
  });
});
