/**
 * SessionDocuments over SSM GetDocument. Document content never appears in CloudTrail, so
 * this is the only way to learn a document's Run As settings.
 */
import { GetDocumentCommand, type GetDocumentCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import type { SessionDocuments } from '../app/ports.ts';
import { type DocumentRead, type Known, known, unknown } from '../domain/facts.ts';
import { createTtlCache } from './cache.ts';
import { classifySdkError, NOT_FOUND, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface SsmSessionDocumentsOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
}

export const createSsmSessionDocuments = (
  ssm: SSMClient,
  options: SsmSessionDocumentsOptions,
): SessionDocuments => {
  const cache = createTtlCache<Known<DocumentRead | null>>({
    ttlMs: options.ttlMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const read = async (nameOrArn: string, version: string): Promise<Known<DocumentRead | null>> => {
    const asked = `${nameOrArn} version ${version}`;
    let response: GetDocumentCommandOutput;
    try {
      response = await ssm.send(
        new GetDocumentCommand({
          Name: nameOrArn,
          DocumentVersion: version,
          DocumentFormat: 'JSON',
        }),
      );
    } catch (err) {
      switch (classifySdkError(err, NOT_FOUND.ssmDocument)) {
        case 'access-denied':
          return unknown(`the auditor is not allowed ssm:GetDocument on ${asked} (${sdkErrorName(err)})`);
        case 'not-found':
          return known(null);
        default:
          if (sdkErrorName(err) === 'InvalidDocumentVersion') {
            return unknown(`document ${nameOrArn} has no version ${version}`);
          }
          throw toAwsCallError('ssm:GetDocument', err);
      }
    }
    if (typeof response.Content !== 'string') return unknown(`GetDocument returned no content for ${asked}`);
    let content: unknown;
    try {
      content = JSON.parse(response.Content);
    } catch {
      return unknown(`content of document ${asked} is not valid JSON`);
    }
    return known({
      name: response.Name ?? nameOrArn,
      content,
      documentType: response.DocumentType ?? '',
      version: response.DocumentVersion ?? '',
    });
  };

  return {
    documentOf: (nameOrArn, version) =>
      cache.get(`${nameOrArn}\u0000${version}`, () => read(nameOrArn, version)),
  };
};
