/** The bundled change fixtures (events/iam-*.json, events/ssm-*.json) parse to the commands they are meant to be. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocumentChangeEvent } from '../../../src/events/documentChange.ts';
import { parsePrincipalChangeEvent } from '../../../src/events/principalChange.ts';

const EVENTS = path.resolve(import.meta.dirname, '../../../events');
const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(path.join(EVENTS, name), 'utf8')) as unknown;

const ACCOUNT = '111122223333';
const ACTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`;

describe('IAM change fixtures', () => {
  it.each([
    ['iam-tagrole-runas-root.json', 'TagRole', 'role', 'Operators', '/', true, '2026-03-01T13:00:00.000Z'],
    ['iam-tagrole-runas-fixed.json', 'TagRole', 'role', 'Operators', '/', true, '2026-03-01T13:05:00.000Z'],
    ['iam-untaguser-runas.json', 'UntagUser', 'user', 'alice', '/', true, '2026-03-01T13:10:00.000Z'],
    ['iam-untagrole-runas.json', 'UntagRole', 'role', 'Operators', '/', true, '2026-03-01T13:15:00.000Z'],
    ['iam-taguser-runas.json', 'TagUser', 'user', 'sam', '/', true, '2026-03-01T13:20:00.000Z'],
    [
      'iam-createuser-with-runas-tag.json',
      'CreateUser',
      'user',
      'dave',
      '/contractors/',
      true,
      '2026-03-01T13:30:00.000Z',
    ],
    ['iam-deleteuser.json', 'DeleteUser', 'user', 'dave', '/', false, '2026-03-01T13:35:00.000Z'],
    [
      'iam-createrole-with-runas-tag.json',
      'CreateRole',
      'role',
      'DbAdmins',
      '/',
      true,
      '2026-03-01T13:40:00.000Z',
    ],
    ['iam-deleterole.json', 'DeleteRole', 'role', 'DbAdmins', '/', false, '2026-03-01T13:45:00.000Z'],
  ] as const)('%s', async (name, eventName, kind, principalName, iamPath, runAsTagInvolved, eventTime) => {
    const intake = parsePrincipalChangeEvent(await fixture(name));

    expect(intake).toMatchObject({
      inScope: true,
      command: {
        eventName,
        eventTime,
        accountId: ACCOUNT,
        principal: { kind, name: principalName, path: iamPath },
        runAsTagInvolved,
        deleted: eventName.startsWith('Delete'),
        changedBy: ACTOR,
      },
    });
  });
});

describe('SSM document change fixtures', () => {
  it.each([
    [
      'ssm-updatedocument-runshell-off.json',
      'UpdateDocument',
      'SSM-SessionManagerRunShell',
      { defaultVersion: '1', latestVersion: '2' },
    ],
    [
      'ssm-updatedocumentdefaultversion-runshell.json',
      'UpdateDocumentDefaultVersion',
      'SSM-SessionManagerRunShell',
      { defaultVersion: '2' },
    ],
    [
      'ssm-updatedocumentdefaultversion-runshell-on.json',
      'UpdateDocumentDefaultVersion',
      'SSM-SessionManagerRunShell',
      { defaultVersion: '3' },
    ],
    [
      'ssm-updatedocument-runshell-on.json',
      'UpdateDocument',
      'SSM-SessionManagerRunShell',
      { defaultVersion: '2', latestVersion: '3' },
    ],
    [
      'ssm-createdocument-session.json',
      'CreateDocument',
      'RootDefault-Shell',
      { documentType: 'Session', defaultVersion: '1' },
    ],
    ['ssm-deletedocument-session.json', 'DeleteDocument', 'RootDefault-Shell', { deleted: true }],
  ] as const)('%s', async (name, eventName, documentName, extra) => {
    const intake = parseDocumentChangeEvent(await fixture(name));

    expect(intake).toMatchObject({
      inScope: true,
      command: {
        eventName,
        documentName,
        region: 'us-east-1',
        accountId: ACCOUNT,
        changedBy: ACTOR,
        ...extra,
      },
    });
  });
});
