/** The adapters auditing history adds: StartSession records from LookupEvents, and IAM's principals. */
import {
  CloudTrailClient,
  CloudTrailServiceException,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { IAMClient, IAMServiceException, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { type AwsSecurityFinding, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCloudTrailStartSessions } from '../../../src/aws/cloudTrailStartSessions.ts';
import { createIamPrincipalLister } from '../../../src/aws/iamPrincipalLister.ts';
import { createSecurityHubFindingReader } from '../../../src/aws/securityHubFindingSink.ts';
import { AwsCallError } from '../../../src/errors.ts';
import { servePages, serviceError } from './sdkMocks.ts';

const ACCOUNT = '111122223333';
const ct = mockClient(CloudTrailClient);
const iam = mockClient(IAMClient);
const sh = mockClient(SecurityHubClient);

beforeEach(() => {
  ct.reset();
  iam.reset();
  sh.reset();
});

const collect = async <T>(pages: AsyncIterable<readonly T[]>): Promise<T[][]> => {
  const out: T[][] = [];
  for await (const page of pages) out.push([...page]);
  return out;
};

describe('createCloudTrailStartSessions', () => {
  const window = { from: '2026-02-22T12:00:00.000Z', to: '2026-03-01T12:00:00.000Z' };

  it('asks LookupEvents for StartSession in the window, 50 a page, and hands on each record', async () => {
    // Prepare
    const record = { eventName: 'StartSession', eventID: 'e-1' };
    const sent = servePages(ct.on(LookupEventsCommand), [
      { Events: [{ EventId: 'e-1', CloudTrailEvent: JSON.stringify(record) }], NextToken: 't' },
      { Events: [{ EventId: 'e-2', CloudTrailEvent: '{not json' }, { EventId: 'e-3' }] },
    ]);
    const history = createCloudTrailStartSessions(new CloudTrailClient({ region: 'eu-west-1' }), 'eu-west-1');

    // Act
    const pages = await collect(history.pages(window));

    // Assess
    expect(sent[0]).toEqual({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'StartSession' }],
      StartTime: new Date(window.from),
      EndTime: new Date(window.to),
      MaxResults: 50,
    });
    expect(sent[1]?.NextToken).toBe('t');
    expect(pages).toEqual([
      [{ name: 'LookupEvents eu-west-1 e-1', record }],
      [
        { name: 'LookupEvents eu-west-1 e-2', record: undefined, problem: 'its CloudTrailEvent is not JSON' },
        {
          name: 'LookupEvents eu-west-1 e-3',
          record: undefined,
          problem: 'LookupEvents returned no CloudTrailEvent',
        },
      ],
    ]);
  });

  it.each([
    ['denied', 'AccessDeniedException', 400],
    ['throttled after the retries', 'ThrottlingException', 400],
  ])(
    'throws an AwsCallError naming LookupEvents when %s: there is no history without it',
    async (_n, code, status) => {
      // Prepare
      ct.on(LookupEventsCommand).rejects(serviceError(CloudTrailServiceException)(code, status));
      const history = createCloudTrailStartSessions(
        new CloudTrailClient({ region: 'us-east-1', maxAttempts: 1 }),
        'us-east-1',
      );

      // Act
      const error = await collect(history.pages(window)).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(AwsCallError);
      expect((error as AwsCallError).operation).toBe('cloudtrail:LookupEvents');
    },
  );
});

describe('createIamPrincipalLister', () => {
  it('lists every user and role, all pages, with the ARN and path IAM gives them', async () => {
    // Prepare
    servePages(iam.on(ListUsersCommand), [
      {
        Users: [{ UserName: 'alice', Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, Path: '/' }],
        IsTruncated: true,
        Marker: 'm',
      },
      {
        Users: [
          { UserName: 'erin', Arn: `arn:aws:iam::${ACCOUNT}:user/engineering/erin`, Path: '/engineering/' },
        ],
        IsTruncated: false,
      },
    ]);
    servePages(iam.on(ListRolesCommand), [
      {
        Roles: [
          { RoleName: 'Operators', Arn: `arn:aws:iam::${ACCOUNT}:role/ops/Operators`, Path: '/ops/' },
          { RoleName: 'NoArn' },
        ],
      },
    ]);
    const lister = createIamPrincipalLister(new IAMClient({ region: 'us-east-1' }), { accountId: ACCOUNT });

    // Act
    const listed = await lister.listPrincipals();

    // Assess
    expect(listed.known && listed.value.map((p) => [p.kind, p.path, p.name, p.arn])).toEqual([
      ['user', '/', 'alice', `arn:aws:iam::${ACCOUNT}:user/alice`],
      ['user', '/engineering/', 'erin', `arn:aws:iam::${ACCOUNT}:user/engineering/erin`],
      ['role', '/ops/', 'Operators', `arn:aws:iam::${ACCOUNT}:role/ops/Operators`],
    ]);
    expect(iam.commandCalls(ListUsersCommand)).toHaveLength(2);
  });

  it('is unknown, naming the action, when IAM denies it, and throws anything else', async () => {
    // Prepare
    iam.on(ListUsersCommand).resolves({ Users: [] });
    iam.on(ListRolesCommand).rejects(serviceError(IAMServiceException)('AccessDenied', 403));
    const denied = createIamPrincipalLister(new IAMClient({ region: 'us-east-1' }), { accountId: ACCOUNT });
    const listedDenied = await denied.listPrincipals();
    iam.on(ListUsersCommand).rejects(serviceError(IAMServiceException)('ServiceFailure', 500));
    const broken = createIamPrincipalLister(new IAMClient({ region: 'us-east-1', maxAttempts: 1 }), {
      accountId: ACCOUNT,
    });

    // Act
    const error = await broken.listPrincipals().catch((e: unknown) => e);

    // Assess
    expect(listedDenied).toEqual({
      known: false,
      reason: 'the auditor is not allowed iam:ListRoles (AccessDenied)',
    });
    expect((error as AwsCallError).operation).toBe('iam:ListUsers');
  });
});

describe('the finding reader, before a time', () => {
  it('asks GetFindings for the ACTIVE findings of a generator updated up to the time, and keeps those before it', async () => {
    // Prepare
    const finding = (Id: string, UpdatedAt: string): AwsSecurityFinding => ({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      AwsAccountId: ACCOUNT,
      CreatedAt: UpdatedAt,
      Title: 't',
      Description: 'd',
      Resources: [],
      Types: [],
      Id,
      GeneratorId: 'ssm-runas-auditor/principal',
      UpdatedAt,
      RecordState: 'ACTIVE',
    });
    sh.on(GetFindingsCommand).resolves({
      Findings: [finding('old', '2026-01-01T00:00:00.000Z'), finding('edge', '2026-01-30T12:00:00.000Z')],
    });
    const reader = createSecurityHubFindingReader(new SecurityHubClient({ region: 'us-east-1' }));

    // Act
    const stale = await reader.activeFindings({
      generatorId: 'ssm-runas-auditor/principal',
      updatedBefore: '2026-01-30T12:00:00.000Z',
    });

    // Assess
    expect(sh.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters).toEqual({
      GeneratorId: [{ Value: 'ssm-runas-auditor/principal', Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      UpdatedAt: [{ End: '2026-01-30T12:00:00.000Z' }],
    });
    expect(stale.map((f) => f.Id)).toEqual(['old']);
  });
});
