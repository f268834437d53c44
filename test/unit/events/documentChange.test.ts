import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../src/errors.ts';
import { type DocumentChangeCommand, parseDocumentChangeEvent } from '../../../src/events/documentChange.ts';
import { ACCOUNT, EVENT_ID, ssmEvent, withValue } from './changeEvents.ts';

const commandOf = (event: unknown): DocumentChangeCommand => {
  const intake = parseDocumentChangeEvent(event);
  if (!intake.inScope) throw new Error(`expected in scope, got: ${intake.reason}`);
  return intake.command;
};

const thrownBy = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const description = (documentVersion: string, latestVersion: string, defaultVersion: string) => ({
  documentDescription: {
    name: 'SSM-SessionManagerRunShell',
    documentType: 'Session',
    documentFormat: 'JSON',
    documentVersion,
    latestVersion,
    defaultVersion,
    status: 'Updating',
  },
});

const updateDocument = ssmEvent(
  'UpdateDocument',
  { name: 'SSM-SessionManagerRunShell', content: HIDDEN, documentVersion: '$LATEST', documentFormat: 'JSON' },
  { responseElements: description('2', '2', '1') },
);

describe('parseDocumentChangeEvent: each event name', () => {
  it.each([
    [
      'CreateDocument',
      ssmEvent(
        'CreateDocument',
        { name: 'RootDefault-Shell', content: HIDDEN, documentType: 'Session' },
        { responseElements: description('1', '1', '1') },
      ),
      {
        documentName: 'RootDefault-Shell',
        documentType: 'Session',
        deleted: false,
        defaultVersion: '1',
        latestVersion: '1',
      },
    ],
    [
      'UpdateDocument',
      updateDocument,
      {
        documentName: 'SSM-SessionManagerRunShell',
        documentType: 'Session',
        defaultVersion: '1',
        latestVersion: '2',
      },
    ],
    [
      'UpdateDocumentDefaultVersion',
      ssmEvent(
        'UpdateDocumentDefaultVersion',
        { name: 'SSM-SessionManagerRunShell', documentVersion: '2' },
        { responseElements: { description: { name: 'SSM-SessionManagerRunShell', defaultVersion: '2' } } },
      ),
      {
        documentName: 'SSM-SessionManagerRunShell',
        documentType: 'unknown',
        deleted: false,
        defaultVersion: '2',
      },
    ],
    [
      'DeleteDocument',
      ssmEvent('DeleteDocument', { name: 'RootDefault-Shell' }),
      { documentName: 'RootDefault-Shell', documentType: 'unknown', deleted: true },
    ],
  ])('%s', (eventName, event, expected) => {
    const command = commandOf(event);

    expect(command).toMatchObject({
      eventId: EVENT_ID,
      eventTime: '2026-03-01T13:00:00.000Z',
      eventName,
      accountId: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws',
      changedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/admin`,
      ...expected,
    });
  });
});

describe('parseDocumentChangeEvent: details', () => {
  it('reduces a document ARN to its name', () => {
    const event = ssmEvent('DeleteDocument', {
      name: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/RootDefault-Shell`,
    });

    expect(commandOf(event).documentName).toBe('RootDefault-Shell');
  });

  it('does not call the deletion of one version a deleted document', () => {
    const event = ssmEvent('DeleteDocument', { name: 'RunAsOff-Shell', documentVersion: '3' });

    expect(commandOf(event).deleted).toBe(false);
  });

  it('leaves the versions out when the response is null', () => {
    const command = commandOf(withValue(updateDocument, 'detail.responseElements', null));

    expect(command.documentType).toBe('unknown');
    expect(command).not.toHaveProperty('defaultVersion');
    expect(command).not.toHaveProperty('latestVersion');
  });
});

describe('parseDocumentChangeEvent: out of scope', () => {
  it.each([
    [
      'a failed call',
      withValue(updateDocument, 'detail.errorCode', 'InvalidDocumentContent'),
      'UpdateDocument failed (InvalidDocumentContent)',
    ],
    [
      'another SSM API',
      ssmEvent('StartSession', { target: 'i-0a1b2c3d4e5f60001' }),
      'StartSession does not change a session document',
    ],
    [
      'a Command document',
      ssmEvent('CreateDocument', { name: 'Patch-Things', content: HIDDEN, documentType: 'Command' }),
      'document Patch-Things is a Command document, not a Session document',
    ],
    [
      'a document created without a type (the API makes it a Command document)',
      ssmEvent('CreateDocument', { name: 'Patch-Things', content: HIDDEN }),
      'document Patch-Things is a Command document, not a Session document',
    ],
    [
      'an update the response calls an Automation document',
      withValue(updateDocument, 'detail.responseElements.documentDescription.documentType', 'Automation'),
      'document SSM-SessionManagerRunShell is a Automation document, not a Session document',
    ],
  ])('%s', (_name, event, reason) => {
    expect(parseDocumentChangeEvent(event)).toEqual({ inScope: false, reason });
  });
});

describe('parseDocumentChangeEvent: malformed events name the field', () => {
  it.each([
    [
      'no name',
      withValue(updateDocument, 'detail.requestParameters.name', undefined),
      'detail.requestParameters.name',
    ],
    [
      'a name SSM forbids',
      withValue(updateDocument, 'detail.requestParameters.name', 'a b'),
      'detail.requestParameters.name',
    ],
    [
      'a version that is no version',
      withValue(updateDocument, 'detail.requestParameters.documentVersion', 'latest'),
      'detail.requestParameters.documentVersion',
    ],
    [
      'a latestVersion that is not a number',
      withValue(updateDocument, 'detail.responseElements.documentDescription.latestVersion', '$LATEST'),
      'detail.responseElements.documentDescription.latestVersion',
    ],
    [
      'a documentType that is not a type',
      withValue(updateDocument, 'detail.responseElements.documentDescription.documentType', 'Session; rm'),
      'detail.responseElements.documentDescription.documentType',
    ],
    [
      'responseElements that is a string',
      withValue(updateDocument, 'detail.responseElements', 'ok'),
      'detail.responseElements',
    ],
    [
      'no requestParameters',
      withValue(updateDocument, 'detail.requestParameters', null),
      'detail.requestParameters',
    ],
    ['an IAM source', withValue(updateDocument, 'source', 'aws.iam'), 'source'],
  ])('%s', (_name, event, field) => {
    const error = thrownBy(() => parseDocumentChangeEvent(event));

    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).field).toBe(field);
  });
});
