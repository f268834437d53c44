import { GetDocumentCommand, InvalidDocument, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSsmSessionDocuments } from '../../../src/aws/ssmSessionDocuments.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { serviceError } from './sdkMocks.ts';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const preferences = {
  schemaVersion: '1.0',
  description: 'Session Manager preferences',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: true, runAsDefaultUser: 'ec2-user' },
};

const found = (content: unknown, version = '3') => ({
  Name: 'SSM-SessionManagerRunShell',
  Content: typeof content === 'string' ? content : JSON.stringify(content),
  DocumentType: 'Session' as const,
  DocumentVersion: version,
  DocumentFormat: 'JSON' as const,
});

const ssmError = serviceError(SSMServiceException);

const adapter = (ttlMs = 60_000, now?: () => number) =>
  createSsmSessionDocuments(client, { ttlMs, ...(now === undefined ? {} : { now }) });

beforeEach(() => {
  ssm.reset();
});

describe('createSsmSessionDocuments', () => {
  it('reads the version asked for as JSON and parses the content', async () => {
    // Prepare
    ssm.on(GetDocumentCommand).resolves(found(preferences));

    // Act
    const doc = await adapter().documentOf('SSM-SessionManagerRunShell', '$LATEST');

    // Assess
    expect(doc).toEqual({
      known: true,
      value: {
        name: 'SSM-SessionManagerRunShell',
        content: preferences,
        documentType: 'Session',
        version: '3',
      },
    });
    expect(ssm).toReceiveNthCommandWith(GetDocumentCommand, 1, {
      Name: 'SSM-SessionManagerRunShell',
      DocumentVersion: '$LATEST',
      DocumentFormat: 'JSON',
    });
  });

  it.each(['$LATEST', '$DEFAULT', '7'])('passes the asked version %s through unchanged', async (version) => {
    // Prepare
    ssm.on(GetDocumentCommand).resolves(found(preferences, '7'));
    const arn = 'arn:aws:ssm:us-east-1:111122223333:document/Ops-Shell';

    // Act
    await adapter().documentOf(arn, version);

    // Assess
    expect(ssm).toReceiveNthCommandWith(GetDocumentCommand, 1, {
      Name: arn,
      DocumentVersion: version,
      DocumentFormat: 'JSON',
    });
  });

  it('answers null for a document that does not exist (InvalidDocument)', async () => {
    // Prepare
    ssm
      .on(GetDocumentCommand)
      .rejects(
        new InvalidDocument({ $metadata: { httpStatusCode: 400 }, message: 'Document does not exist.' }),
      );

    // Act
    const doc = await adapter().documentOf('Ops-Shell', '$DEFAULT');

    // Assess
    expect(doc).toEqual({ known: true, value: null });
  });

  it.each([
    {
      label: 'AccessDeniedException',
      setup: () => ssm.on(GetDocumentCommand).rejects(ssmError('AccessDeniedException', 400)),
      reason: 'the auditor is not allowed ssm:GetDocument on Ops-Shell version 2 (AccessDeniedException)',
    },
    {
      label: 'a missing version (InvalidDocumentVersion)',
      setup: () => ssm.on(GetDocumentCommand).rejects(ssmError('InvalidDocumentVersion', 400)),
      reason: 'document Ops-Shell has no version 2',
    },
    {
      label: 'unparseable content',
      setup: () => ssm.on(GetDocumentCommand).resolves(found('schemaVersion: "1.0"')),
      reason: 'content of document Ops-Shell version 2 is not valid JSON',
    },
    {
      label: 'no content',
      setup: () => ssm.on(GetDocumentCommand).resolves({ Name: 'Ops-Shell' }),
      reason: 'GetDocument returned no content for Ops-Shell version 2',
    },
  ])('answers unknown for $label', async ({ setup, reason }) => {
    // Prepare
    setup();

    // Act
    const doc = await adapter().documentOf('Ops-Shell', '2');

    // Assess
    expect(doc).toEqual({ known: false, reason });
  });

  it.each([
    { label: 'ThrottlingException', err: ssmError('ThrottlingException', 400) },
    { label: 'InternalServerError', err: ssmError('InternalServerError', 500) },
  ])('throws AwsCallError on $label', async ({ err }) => {
    // Prepare
    ssm.on(GetDocumentCommand).rejects(err);

    // Act
    const result = adapter().documentOf('Ops-Shell', '$DEFAULT');

    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsCallError);
    await expect(adapter().documentOf('Ops-Shell', '$DEFAULT')).rejects.toMatchObject({
      operation: 'ssm:GetDocument',
      cause: err,
    });
  });

  describe('cache (by name and version)', () => {
    it('caches per name and version until the TTL expires', async () => {
      // Prepare
      let clock = 0;
      ssm.on(GetDocumentCommand).resolves(found(preferences));
      const docs = adapter(1_000, () => clock);

      // Act
      await docs.documentOf('A', '$DEFAULT');
      await docs.documentOf('A', '$DEFAULT');
      await docs.documentOf('A', '$LATEST');
      await docs.documentOf('B', '$DEFAULT');
      const beforeExpiry = ssm.commandCalls(GetDocumentCommand).length;
      clock = 1_000;
      await docs.documentOf('A', '$DEFAULT');

      // Assess
      expect(beforeExpiry).toBe(3);
      expect(ssm).toReceiveCommandTimes(GetDocumentCommand, 4);
    });

    it('makes one call for concurrent look-ups and none cached after a failure', async () => {
      // Prepare
      ssm
        .on(GetDocumentCommand)
        .rejectsOnce(ssmError('ThrottlingException', 400))
        .resolves(found(preferences));
      const docs = adapter();

      // Act
      await expect(docs.documentOf('A', '$DEFAULT')).rejects.toBeInstanceOf(AwsCallError);
      const results = await Promise.all([docs.documentOf('A', '$DEFAULT'), docs.documentOf('A', '$DEFAULT')]);

      // Assess
      expect(results.every((r) => r.known)).toBe(true);
      expect(ssm).toReceiveCommandTimes(GetDocumentCommand, 2);
    });

    it('calls SSM every time with ttl 0', async () => {
      // Prepare
      ssm.on(GetDocumentCommand).resolves(found(preferences));
      const docs = adapter(0);

      // Act
      await docs.documentOf('A', '$DEFAULT');
      await docs.documentOf('A', '$DEFAULT');

      // Assess
      expect(ssm).toReceiveCommandTimes(GetDocumentCommand, 2);
    });
  });
});
