import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  paginateGetFindings,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, baseWorld, clientConfig, rejection, withLocal } from './localAwsHelpers.ts';

const PRODUCT = (region: string) => `arn:aws:securityhub:${region}:${ACCOUNT}:product/${ACCOUNT}/default`;
const TYPES = ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'];

function finding(
  id: string,
  overrides: Partial<AwsSecurityFinding> = {},
  region = 'us-east-1',
): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: `${ACCOUNT}/${region}/ssm-runas/session/${id}`,
    ProductArn: PRODUCT(region),
    GeneratorId: 'ssm-runas-auditor/session',
    AwsAccountId: ACCOUNT,
    Types: TYPES,
    CreatedAt: '2026-03-01T00:00:00Z',
    UpdatedAt: '2026-03-01T00:00:00Z',
    Severity: { Label: 'HIGH' },
    Title: `Session ${id} ran as ssm-user`,
    Description: 'Run As is disabled in SSM-SessionManagerRunShell.',
    Resources: [
      {
        Type: 'Other',
        Id: `arn:aws:ssm:${region}:${ACCOUNT}:session/${id}`,
        Partition: 'aws',
        Region: region,
      },
    ],
    ProductFields: { 'RunAs/Check': 'session', 'RunAs/Outcome': 'RAN_AS_SSM_USER', 'RunAs/SessionId': id },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: TYPES },
    ...overrides,
  };
}

const long = (n: number): string => 'x'.repeat(n);

describe('local Security Hub BatchImportFindings through the real SDK', () => {
  it('stores valid findings per Region of the signature', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const east = await new SecurityHubClient(clientConfig(local, 'us-east-1')).send(
        new BatchImportFindingsCommand({ Findings: [finding('s-1'), finding('s-2')] }),
      );
      await new SecurityHubClient(clientConfig(local, 'eu-west-1')).send(
        new BatchImportFindingsCommand({ Findings: [finding('s-3', {}, 'eu-west-1')] }),
      );

      // Assess
      expect(east).toMatchObject({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
      expect(local.findings('us-east-1').map((f) => f.Id)).toEqual([finding('s-1').Id, finding('s-2').Id]);
      expect(local.findings('eu-west-1').map((f) => f.Id)).toEqual([finding('s-3', {}, 'eu-west-1').Id]);
      expect(local.findings()).toHaveLength(3);
      expect(local.findings('us-east-1')[0]).toMatchObject({
        Region: 'us-east-1',
        Workflow: { Status: 'NEW' },
        RecordState: 'ACTIVE',
      });
    });
  });

  it.each([
    ['Id over 512', { Id: long(513) }, 'Id'],
    ['Title over 256', { Title: long(257) }, 'Title'],
    ['Description over 1024', { Description: long(1025) }, 'Description'],
    ['no Resources', { Resources: [] }, 'Resources'],
    [
      '33 Resources',
      { Resources: Array.from({ length: 33 }, (_, i) => ({ Type: 'Other', Id: `r-${i}` })) },
      'Resources',
    ],
    [
      '51 ProductFields',
      { ProductFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      '50 pairs',
    ],
    ['a ProductFields key over 128', { ProductFields: { [long(129)]: 'v' } }, '128'],
    ['a ProductFields value over 2048', { ProductFields: { k: long(2049) } }, '2048'],
    ['an aws/ ProductFields key', { ProductFields: { 'aws/securityhub/FindingId': 'x' } }, 'aws/'],
    ['an empty ProductFields value', { ProductFields: { 'RunAs/SessionUser': '' } }, 'must not be empty'],
    ['a blank ProductFields value', { ProductFields: { 'RunAs/SessionUser': '  ' } }, 'must not be empty'],
    [
      'a finding over 240 KB',
      { Resources: [{ Type: 'Other', Id: 'r', Details: { Other: { a: long(250 * 1024) } } }] },
      '240 KB',
    ],
    ['a ProductArn of another Region', { ProductArn: PRODUCT('eu-west-1') }, 'ProductArn'],
    ['a Types namespace Security Hub does not know', { Types: ['Bad Namespace/x'] }, 'Types'],
    [
      'a Severity label Security Hub does not know',
      { Severity: { Label: 'SEVERE' as 'HIGH' } },
      'Severity.Label',
    ],
    ['a CreatedAt that is not a timestamp', { CreatedAt: 'yesterday' }, 'CreatedAt'],
    [
      'a Compliance status Security Hub does not know',
      { Compliance: { Status: 'OK' as 'PASSED' } },
      'Compliance.Status',
    ],
    ['a missing Title', { Title: undefined }, 'Title'],
    ['a missing GeneratorId', { GeneratorId: undefined }, 'GeneratorId'],
  ])('returns %s in FailedFindings', async (_case, overrides, message) => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const bad = finding('bad', overrides);

      // Act
      const out = await new SecurityHubClient(clientConfig(local)).send(
        new BatchImportFindingsCommand({ Findings: [finding('good'), bad] }),
      );

      // Assess
      expect(out.SuccessCount).toBe(1);
      expect(out.FailedCount).toBe(1);
      expect(out.FailedFindings).toEqual([
        { Id: bad.Id ?? '', ErrorCode: 'InvalidInput', ErrorMessage: expect.stringContaining(message) },
      ]);
      expect(local.findings().map((f) => f.Id)).toEqual([finding('good').Id]);
    });
  });

  it.each([
    ['another AwsAccountId', { AwsAccountId: '999999999999' }, PRODUCT('us-east-1')],
    [
      'the default product of another account',
      { ProductArn: 'arn:aws:securityhub:us-east-1:999999999999:product/999999999999/default' },
      'arn:aws:securityhub:us-east-1:999999999999:product/999999999999/default',
    ],
    [
      'a partner product the account has not subscribed to',
      { ProductArn: 'arn:aws:securityhub:us-east-1::product/prowler/prowler' },
      'arn:aws:securityhub:us-east-1::product/prowler/prowler',
    ],
  ])('denies the whole call when a finding names %s, storing nothing', async (_case, overrides, resource) => {
    await withLocal(baseWorld(), async (local) => {
      // Act
      const error = await rejection(
        new SecurityHubClient(clientConfig(local)).send(
          new BatchImportFindingsCommand({ Findings: [finding('good'), finding('foreign', overrides)] }),
        ),
      );

      // Assess
      expect(error.name).toBe('AccessDeniedException');
      expect(error.$metadata?.httpStatusCode).toBe(403);
      expect(error.message).toBe(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/ssm-runas-auditor-local-function/ssm-runas-auditor-local is not authorized to perform: securityhub:BatchImportFindings on resource: ${resource}`,
      );
      expect(local.findings()).toEqual([]);
    });
  });

  it('rejects a call with more than 100 findings with InvalidInputException 400', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const findings = Array.from({ length: 101 }, (_, i) => finding(`s-${i}`));

      // Act
      const error = await rejection(
        new SecurityHubClient(clientConfig(local)).send(
          new BatchImportFindingsCommand({ Findings: findings }),
        ),
      );

      // Assess
      expect(error.name).toBe('InvalidInputException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(local.findings()).toEqual([]);
    });
  });

  it('upserts by (ProductArn, Id) and ignores an update whose UpdatedAt is not newer', async () => {
    await withLocal(baseWorld(), async (local) => {
      const sh = new SecurityHubClient(clientConfig(local));

      // Act
      await sh.send(new BatchImportFindingsCommand({ Findings: [finding('s-1')] }));
      const newer = await sh.send(
        new BatchImportFindingsCommand({
          Findings: [
            finding('s-1', {
              UpdatedAt: '2026-03-02T00:00:00Z',
              Compliance: { Status: 'PASSED' },
              Workflow: { Status: 'RESOLVED' },
            }),
          ],
        }),
      );
      const same = await sh.send(
        new BatchImportFindingsCommand({
          Findings: [finding('s-1', { UpdatedAt: '2026-03-02T00:00:00Z', Title: 'replayed' })],
        }),
      );
      const older = await sh.send(
        new BatchImportFindingsCommand({
          Findings: [finding('s-1', { UpdatedAt: '2026-03-01T12:00:00Z', Title: 'stale' })],
        }),
      );

      // Assess
      expect([newer.SuccessCount, same.SuccessCount, older.SuccessCount]).toEqual([1, 1, 1]);
      const stored = local.findings();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        UpdatedAt: '2026-03-02T00:00:00Z',
        Title: 'Session s-1 ran as ssm-user',
        Compliance: { Status: 'PASSED' },
        // A provider cannot change the workflow of an existing finding.
        Workflow: { Status: 'NEW' },
      });
    });
  });
});

describe('local Security Hub GetFindings through the real SDK', () => {
  async function seeded<T>(run: (sh: SecurityHubClient) => Promise<T>): Promise<T> {
    return withLocal(baseWorld(), async (local) => {
      const sh = new SecurityHubClient(clientConfig(local));
      await sh.send(
        new BatchImportFindingsCommand({
          Findings: [
            finding('s-1', { UpdatedAt: '2026-03-01T00:01:00Z' }),
            finding('s-2', { UpdatedAt: '2026-03-01T00:02:00Z', Compliance: { Status: 'PASSED' } }),
            finding('s-3', {
              UpdatedAt: '2026-03-01T00:03:00Z',
              RecordState: 'ARCHIVED',
              GeneratorId: 'ssm-runas-auditor/principal',
              ProductFields: { 'RunAs/Check': 'principal', 'RunAs/Outcome': 'NO_RUN_AS_USER' },
            }),
          ],
        }),
      );
      return run(sh);
    });
  }

  const id = (n: number): string => finding(`s-${n}`).Id ?? '';

  it.each([
    ['no filter (newest first)', {}, [3, 2, 1]],
    [
      'Id EQUALS (OR of values)',
      {
        Id: [
          { Value: id(1), Comparison: 'EQUALS' },
          { Value: id(3), Comparison: 'EQUALS' },
        ],
      },
      [3, 1],
    ],
    ['GeneratorId PREFIX', { GeneratorId: [{ Value: 'ssm-runas-auditor/pr', Comparison: 'PREFIX' }] }, [3]],
    ['RecordState EQUALS ACTIVE', { RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] }, [2, 1]],
    [
      'ComplianceStatus NOT_EQUALS FAILED',
      { ComplianceStatus: [{ Value: 'FAILED', Comparison: 'NOT_EQUALS' }] },
      [2],
    ],
    ['AwsAccountId EQUALS', { AwsAccountId: [{ Value: ACCOUNT, Comparison: 'EQUALS' }] }, [3, 2, 1]],
    [
      'ProductArn EQUALS another Region',
      { ProductArn: [{ Value: PRODUCT('eu-west-1'), Comparison: 'EQUALS' }] },
      [],
    ],
    ['Title CONTAINS', { Title: [{ Value: 's-2 ran', Comparison: 'CONTAINS' }] }, [2]],
    [
      'ProductFields EQUALS',
      { ProductFields: [{ Key: 'RunAs/Check', Value: 'principal', Comparison: 'EQUALS' }] },
      [3],
    ],
    [
      'ProductFields NOT_EQUALS',
      { ProductFields: [{ Key: 'RunAs/Outcome', Value: 'RAN_AS_SSM_USER', Comparison: 'NOT_EQUALS' }] },
      [3],
    ],
    [
      'PREFIX and PREFIX_NOT_EQUALS on one field',
      {
        Id: [
          { Value: `${ACCOUNT}/us-east-1/`, Comparison: 'PREFIX' },
          { Value: `${ACCOUNT}/us-east-1/ssm-runas/session/s-2`, Comparison: 'PREFIX_NOT_EQUALS' },
        ],
      },
      [3, 1],
    ],
    [
      'UpdatedAt window',
      { UpdatedAt: [{ Start: '2026-03-01T00:01:30Z', End: '2026-03-01T00:02:30Z' }] },
      [2],
    ],
    [
      'ResourceId EQUALS',
      { ResourceId: [{ Value: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/s-1`, Comparison: 'EQUALS' }] },
      [1],
    ],
  ] satisfies [string, AwsSecurityFindingFilters, number[]][])(
    'filters by %s',
    async (_case, filters, expected) => {
      await seeded(async (sh) => {
        // Act
        const out = await sh.send(new GetFindingsCommand({ Filters: filters }));

        // Assess
        expect(out.Findings?.map((f) => f.Id)).toEqual(expected.map(id));
      });
    },
  );

  it('pages with MaxResults / NextToken', async () => {
    await seeded(async (sh) => {
      // Act
      const pages = [];
      for await (const page of paginateGetFindings({ client: sh, pageSize: 1 }, {})) pages.push(page);

      // Assess
      expect(pages.map((p) => p.Findings?.map((f) => f.Id))).toEqual([[id(3)], [id(2)], [id(1)]]);
    });
  });

  it('returns stored findings in the SDK shape', async () => {
    await seeded(async (sh) => {
      // Act
      const out = await sh.send(
        new GetFindingsCommand({ Filters: { Id: [{ Value: id(1), Comparison: 'EQUALS' }] } }),
      );

      // Assess
      expect(out.Findings?.[0]).toMatchObject({
        ProductFields: {
          'RunAs/Check': 'session',
          'RunAs/Outcome': 'RAN_AS_SSM_USER',
          'RunAs/SessionId': 's-1',
        },
        Severity: { Label: 'HIGH' },
        Resources: [{ Type: 'Other', Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/s-1` }],
      });
    });
  });

  it('names the default product as Security Hub does, so a console-style ProductName filter finds it', async () => {
    await seeded(async (sh) => {
      // Act
      const byProduct = await sh.send(
        new GetFindingsCommand({
          Filters: {
            ProductName: [{ Value: 'Default', Comparison: 'EQUALS' }],
            CompanyName: [{ Value: 'Personal', Comparison: 'EQUALS' }],
          },
        }),
      );
      const other = await sh.send(
        new GetFindingsCommand({ Filters: { ProductName: [{ Value: 'GuardDuty', Comparison: 'EQUALS' }] } }),
      );

      // Assess
      expect(byProduct.Findings?.map((f) => f.Id).sort()).toEqual([id(1), id(2), id(3)].sort());
      expect(byProduct.Findings?.[0]).toMatchObject({ ProductName: 'Default', CompanyName: 'Personal' });
      expect(other.Findings).toEqual([]);
    });
  });

  it('keeps the ProductName and CompanyName a custom integration sets', async () => {
    await withLocal(baseWorld(), async (local) => {
      // Prepare
      const sh = new SecurityHubClient(clientConfig(local, 'us-east-1'));
      await sh.send(
        new BatchImportFindingsCommand({
          Findings: [finding('named', { ProductName: 'ssm-runas-auditor', CompanyName: 'Example Corp' })],
        }),
      );

      // Act
      const out = await sh.send(
        new GetFindingsCommand({
          Filters: { ProductName: [{ Value: 'ssm-runas-auditor', Comparison: 'EQUALS' }] },
        }),
      );

      // Assess
      expect(out.Findings?.map((f) => [f.ProductName, f.CompanyName])).toEqual([
        ['ssm-runas-auditor', 'Example Corp'],
      ]);
    });
  });

  it.each([
    [
      '21 values for one field',
      { Id: Array.from({ length: 21 }, (_, i) => ({ Value: `x${i}`, Comparison: 'EQUALS' as const })) },
    ],
    [
      'EQUALS with NOT_EQUALS on one field',
      {
        Id: [
          { Value: 'a', Comparison: 'EQUALS' as const },
          { Value: 'b', Comparison: 'NOT_EQUALS' as const },
        ],
      },
    ],
    ['a filter the endpoint does not implement', { NetworkSourceIpV4: [{ Cidr: '203.0.113.0/24' }] }],
    [
      'PREFIX on a map filter',
      { ProductFields: [{ Key: 'RunAs/Check', Value: 'p', Comparison: 'PREFIX' as 'EQUALS' }] },
    ],
  ])('rejects %s with InvalidInputException', async (_case, filters) => {
    await seeded(async (sh) => {
      // Act
      const error = await rejection(sh.send(new GetFindingsCommand({ Filters: filters })));

      // Assess
      expect(error.name).toBe('InvalidInputException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });
  });
});
