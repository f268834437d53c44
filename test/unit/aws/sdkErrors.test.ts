import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { SecurityHubServiceException } from '@aws-sdk/client-securityhub';
import { InvalidDocument, SSMServiceException, ThrottlingException } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import {
  classifySdkError,
  NOT_FOUND,
  type SdkErrorKind,
  toAwsCallError,
} from '../../../src/aws/sdkErrors.ts';
import { AwsCallError, MemberRoleError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const iamError = serviceError(IAMServiceException);

const networkError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

describe('classifySdkError', () => {
  it.each<{ label: string; err: unknown; notFound?: readonly string[]; kind: SdkErrorKind }>([
    { label: 'IAM AccessDenied', err: iamError('AccessDenied', 403), kind: 'access-denied' },
    {
      label: 'SSM AccessDeniedException',
      err: new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
      kind: 'access-denied',
    },
    { label: 'UnauthorizedOperation', err: iamError('UnauthorizedOperation', 403), kind: 'access-denied' },
    {
      label: 'IAM NoSuchEntityException at an IAM call site',
      err: new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: 'gone' }),
      notFound: NOT_FOUND.iamEntity,
      kind: 'not-found',
    },
    {
      label: 'wire code NoSuchEntity',
      err: iamError('NoSuchEntity', 404),
      notFound: NOT_FOUND.iamEntity,
      kind: 'not-found',
    },
    {
      label: 'InvalidDocument at a GetDocument call site',
      err: new InvalidDocument({ $metadata: { httpStatusCode: 400 }, message: 'no such document' }),
      notFound: NOT_FOUND.ssmDocument,
      kind: 'not-found',
    },
    {
      label: 'InvalidDocument where absence is not expected',
      err: new InvalidDocument({ $metadata: { httpStatusCode: 400 }, message: 'no such document' }),
      kind: 'other',
    },
    { label: 'IAM Throttling', err: iamError('Throttling', 400), kind: 'retryable' },
    {
      label: 'SSM ThrottlingException',
      err: new ThrottlingException({
        $metadata: { httpStatusCode: 400 },
        message: 'slow down',
        Message: 'slow down',
      }),
      kind: 'retryable',
    },
    {
      label: 'Security Hub LimitExceededException',
      err: new SecurityHubServiceException({
        name: 'LimitExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 429 },
      }),
      kind: 'retryable',
    },
    { label: 'IAM ServiceFailure 500', err: iamError('ServiceFailure', 500), kind: 'retryable' },
    { label: 'unnamed 503', err: iamError('Unknown', 503), kind: 'retryable' },
    {
      label: 'TimeoutError',
      err: Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      kind: 'retryable',
    },
    { label: 'ECONNRESET', err: networkError('ECONNRESET'), kind: 'retryable' },
    { label: 'ENOTFOUND', err: networkError('ENOTFOUND'), kind: 'retryable' },
    { label: 'ValidationError', err: iamError('ValidationError', 400), kind: 'other' },
    { label: 'expired credentials', err: iamError('ExpiredToken', 403), kind: 'other' },
    { label: 'a plain Error', err: new Error('bug'), kind: 'other' },
    { label: 'a string', err: 'weird', kind: 'other' },
  ])('$label → $kind', ({ err, notFound, kind }) => {
    // Act
    const result = classifySdkError(err, notFound);

    // Assess
    expect(result).toBe(kind);
  });
});

describe('toAwsCallError', () => {
  it('names the operation and the error, counts the attempts and keeps the cause', () => {
    // Prepare
    const err = new IAMServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 3 },
      message: 'Rate exceeded',
    });

    // Act
    const wrapped = toAwsCallError('iam:ListRoleTags', err);

    // Assess
    expect(wrapped).toBeInstanceOf(AwsCallError);
    expect((wrapped as AwsCallError).operation).toBe('iam:ListRoleTags');
    expect(wrapped.message).toBe('iam:ListRoleTags failed: Throttling: Rate exceeded (after 3 attempts)');
    expect(wrapped.cause).toBe(err);
    expect(wrapped.retryable).toBe(true);
  });

  it('passes an auditor error (a member account whose role was refused) through unchanged', () => {
    // Prepare
    const refused = new MemberRoleError(
      '222233334444',
      'arn:aws:iam::222233334444:role/ssm-runas-auditor-member',
      'AccessDenied: not authorized',
    );

    // Act
    const passed = toAwsCallError('ssm:GetDocument', refused);

    // Assess
    expect(passed).toBe(refused);
  });

  it('describes a non-Error failure', () => {
    // Act
    const wrapped = toAwsCallError('ssm:GetDocument', 'socket closed');

    // Assess
    expect(wrapped.message).toBe('ssm:GetDocument failed: UnknownError: socket closed');
  });
});
