/**
 * The container's clients sign with the credentials of the account they read: the function's own
 * for its own account (and for every account without an organization), the member role's for
 * the organization's other accounts. Real SDK clients against a small HTTP endpoint that records
 * each call's signing key; STS is mocked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSsmSessionDocuments } from '../../../src/aws/ssmSessionDocuments.ts';
import { createContainerWiring } from '../../../src/composition/clients.ts';
import { loadConfig } from '../../../src/config.ts';
import { MemberRoleError } from '../../../src/errors.ts';
import { serviceError } from '../aws/sdkMocks.ts';

const AUDIT = '111122223333';
const MEMBER = '222233334444';
const BROKEN = '999988887777';
const sts = mockClient(STSClient);
const stsError = serviceError(STSServiceException);

/** The access key id that signed each call the endpoint received. */
const signedWith: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((request, response) => {
    const credential = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '');
    signedWith.push(credential?.[1] ?? 'unsigned');
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(
        JSON.stringify({
          Name: 'SSM-SessionManagerRunShell',
          Content: '{}',
          DocumentType: 'Session',
          DocumentVersion: '1',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAAUDITFUNCTION');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'own-secret');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  signedWith.length = 0;
  sts.reset();
  sts
    .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${BROKEN}:role/ssm-runas-auditor-member` })
    .rejects(stsError('AccessDenied', 403))
    .on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member` })
    .resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBERROLE',
        SecretAccessKey: 'member-secret',
        SessionToken: 'member-token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
});

const ORGANIZATION = {
  AWS_REGION: 'eu-west-1',
  ORGANIZATION_ID: 'o-a1b2c3d4e5',
  AUDIT_ACCOUNT_ID: AUDIT,
  AWS_LAMBDA_FUNCTION_NAME: 'audit-AuditSessionFunction-AbC123',
};

const readDocumentIn = (wiring: ReturnType<typeof createContainerWiring>, accountId: string) =>
  createSsmSessionDocuments(wiring.clientsOf({ accountId, region: 'eu-west-1' }).ssm, {
    ttlMs: 0,
  }).documentOf('SSM-SessionManagerRunShell', '$LATEST');

describe('the container’s credentials per account', () => {
  it('reads a member account through its member role and its own account with its own credentials', async () => {
    // Prepare
    const wiring = createContainerWiring(loadConfig(ORGANIZATION), { maxAttempts: 1 });

    // Act
    await readDocumentIn(wiring, MEMBER);
    await readDocumentIn(wiring, AUDIT);
    await readDocumentIn(wiring, MEMBER);

    // Assess
    expect(signedWith).toEqual(['ASIAMEMBERROLE', 'AKIAAUDITFUNCTION', 'ASIAMEMBERROLE']);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${MEMBER}:role/ssm-runas-auditor-member`,
        RoleSessionName: 'audit-AuditSessionFunction-AbC123',
        DurationSeconds: 3600,
      },
    ]);
  });

  it('imports a member account’s findings with its member role', async () => {
    // Prepare
    const wiring = createContainerWiring(loadConfig(ORGANIZATION), { maxAttempts: 1 });

    // Act
    const credentials = await wiring
      .clientsOf({ accountId: MEMBER, region: 'us-east-2' })
      .securityHub.config.credentials();

    // Assess
    expect(credentials.accessKeyId).toBe('ASIAMEMBERROLE');
  });

  it('fails a member whose role is refused with the error naming it, before any call is made', async () => {
    // Prepare
    const wiring = createContainerWiring(loadConfig({ ...ORGANIZATION, MEMBER_EXTERNAL_ID: 'runas-7f3a' }), {
      maxAttempts: 1,
    });

    // Act
    const error = await readDocumentIn(wiring, BROKEN).catch((e: unknown) => e);
    await readDocumentIn(wiring, MEMBER);

    // Assess
    expect(error).toBeInstanceOf(MemberRoleError);
    expect((error as Error).message).toContain(`cannot audit account ${BROKEN}`);
    expect(signedWith).toEqual(['ASIAMEMBERROLE']);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId)).toEqual([
      'runas-7f3a',
      'runas-7f3a',
    ]);
  });

  it('uses its own credentials for every account when no organization is configured', async () => {
    // Prepare
    const wiring = createContainerWiring(loadConfig({ AWS_REGION: 'eu-west-1' }), { maxAttempts: 1 });

    // Act
    await readDocumentIn(wiring, MEMBER);

    // Assess
    expect(signedWith).toEqual(['AKIAAUDITFUNCTION']);
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });
});
