import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batchFindings,
  createSecurityHubFindingImporter,
  createSecurityHubFindingReader,
  MAX_BYTES_PER_CALL,
} from '../../../src/aws/securityHubFindingSink.ts';
import { AwsCallError } from '../../../src/errors.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const sh = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: REGION });

const finding = (n: number, extra: Partial<Pick<AsffFinding, 'Description'>> = {}): AsffFinding => ({
  SchemaVersion: '2018-10-08',
  Id: `${ACCOUNT}/${REGION}/ssm-runas/session/s-${n}`,
  ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
  GeneratorId: 'ssm-runas-auditor/session',
  AwsAccountId: ACCOUNT,
  Region: REGION,
  Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  CreatedAt: '2026-01-01T00:00:00Z',
  UpdatedAt: '2026-01-01T00:00:00Z',
  Severity: { Label: 'HIGH' },
  Title: 'Session ran as ssm-user',
  Description: 'Run As is disabled in SSM-SessionManagerRunShell.',
  ProductFields: { 'RunAs/Check': 'session', 'RunAs/Outcome': 'RAN_AS_SSM_USER' },
  Resources: [
    {
      Type: 'Other',
      Id: `arn:aws:ssm:${REGION}:${ACCOUNT}:session/s-${n}`,
      Partition: 'aws',
      Region: REGION,
    },
  ],
  Compliance: { Status: 'FAILED' },
  RecordState: 'ACTIVE',
  FindingProviderFields: {
    Severity: { Label: 'HIGH' },
    Types: ['Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As'],
  },
  ...extra,
});

const findings = (count: number): AsffFinding[] => Array.from({ length: count }, (_, i) => finding(i));

const shError = (name: string, status: number) =>
  new SecurityHubServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} happened`,
  });

const importer = () => createSecurityHubFindingImporter(client);

/** What BatchImportFindings is sent: the finding without the Region Security Hub fills in itself. */
const asSent = (f: AsffFinding) => {
  const { Region: _region, ...rest } = f;
  return rest;
};

const batchSizes = () =>
  sh.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length ?? 0);

beforeEach(() => {
  sh.reset();
});

describe('createSecurityHubFindingImporter', () => {
  it('imports 250 findings in 3 calls of 100, 100 and 50, in order, and says so', async () => {
    // Prepare
    sh.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 100, FailedFindings: [] });
    const all = findings(250);

    // Act
    const report = await importer().importFindings(all);

    // Assess
    expect(batchSizes()).toEqual([100, 100, 50]);
    expect(report).toEqual({ failed: [], calls: [100, 100, 50] });
    const sent = sh.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    expect(sent).toEqual(all.map(asSent));
  });

  it('never sends the top-level Region, which Security Hub fills and BatchImportFindings cannot set', async () => {
    // Prepare
    sh.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });

    // Act
    await importer().importFindings(findings(1));

    // Assess
    const [sent] = sh.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(sent).not.toHaveProperty('Region');
    expect(sent?.Resources?.[0]?.Region).toBe(REGION);
  });

  it('makes no call for no findings', async () => {
    // Act
    const report = await importer().importFindings([]);

    // Assess
    expect(sh.calls()).toHaveLength(0);
    expect(report).toEqual({ failed: [], calls: [] });
  });

  it('keeps every call under 6 MB', async () => {
    // Prepare: each finding is about 2.5 MB, so only two fit in one call
    sh.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 2 });
    const big = [1, 2, 3, 4, 5].map((n) => finding(n, { Description: 'x'.repeat(2_500_000) }));

    // Act
    await importer().importFindings(big);

    // Assess
    expect(batchSizes()).toEqual([2, 2, 1]);
    for (const call of sh.commandCalls(BatchImportFindingsCommand)) {
      expect(Buffer.byteLength(JSON.stringify(call.args[0].input))).toBeLessThanOrEqual(MAX_BYTES_PER_CALL);
    }
  });

  it('reports every FailedFindings entry after sending every batch', async () => {
    // Prepare
    const all = findings(150);
    sh.on(BatchImportFindingsCommand)
      .resolvesOnce({
        FailedCount: 2,
        SuccessCount: 98,
        FailedFindings: [
          { Id: all[3]?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Title too long' },
          { Id: all[7]?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Bad resource' },
        ],
      })
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 49,
        FailedFindings: [{ Id: all[120]?.Id, ErrorCode: 'AccessDenied', ErrorMessage: 'wrong account' }],
      });

    // Act
    const report = await importer().importFindings(all);

    // Assess
    expect(report.failed).toEqual([
      { id: all[3]?.Id, code: 'InvalidInput', message: 'Title too long' },
      { id: all[7]?.Id, code: 'InvalidInput', message: 'Bad resource' },
      { id: all[120]?.Id, code: 'AccessDenied', message: 'wrong account' },
    ]);
    expect(batchSizes()).toEqual([100, 50]);
  });

  it.each([
    { label: 'LimitExceededException (throttling)', err: shError('LimitExceededException', 429) },
    { label: 'InternalException', err: shError('InternalException', 500) },
    {
      label: 'InvalidAccessException (Security Hub not enabled)',
      err: shError('InvalidAccessException', 401),
    },
  ])('a call failing with $label fails exactly the findings it carried', async ({ err }) => {
    // Prepare: the second of three calls fails.
    const all = findings(250);
    sh.on(BatchImportFindingsCommand)
      .resolvesOnce({ FailedCount: 0, SuccessCount: 100 })
      .rejectsOnce(err)
      .resolvesOnce({ FailedCount: 0, SuccessCount: 50 });

    // Act
    const report = await importer().importFindings(all);

    // Assess
    expect(batchSizes()).toEqual([100, 100, 50]);
    expect(report.failed.map((f) => f.id)).toEqual(all.slice(100, 200).map((f) => f.Id));
    expect(report.failed[0]?.error).toBeInstanceOf(AwsCallError);
    expect(report.failed[0]?.error).toMatchObject({
      operation: 'securityhub:BatchImportFindings',
      cause: err,
    });
  });
});

describe('batchFindings', () => {
  it('puts a single oversized finding in its own batch rather than dropping it', () => {
    // Prepare
    const huge = finding(1, { Description: 'x'.repeat(MAX_BYTES_PER_CALL) });

    // Act
    const batches = batchFindings([finding(0), huge, finding(2)]);

    // Assess
    expect(batches.map((b) => b.map((f) => f.Id))).toEqual([[finding(0).Id], [huge.Id], [finding(2).Id]]);
  });
});

const stored = (id: string, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding => ({
  ...(finding(0) as unknown as AwsSecurityFinding),
  Id: id,
  ...extra,
});

describe('createSecurityHubFindingReader', () => {
  it('looks findings up by id, 20 ids per GetFindings call', async () => {
    // Prepare
    const ids = Array.from({ length: 45 }, (_, i) => `${ACCOUNT}/${REGION}/ssm-runas/session/s-${i}`);
    sh.on(GetFindingsCommand).callsFake((input: { Filters?: { Id?: { Value?: string }[] } }) => ({
      Findings: (input.Filters?.Id ?? [])
        .map((f) => f.Value ?? '')
        .filter((id) => !id.endsWith('-44'))
        .map((id) => stored(id, { UpdatedAt: '2026-01-02T00:00:00Z' })),
    }));

    // Act
    const found = await createSecurityHubFindingReader(client).findingsByIds([...ids, ids[0] ?? '']);

    // Assess
    const calls = sh.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => input.Filters?.Id?.length)).toEqual([20, 20, 5]);
    expect(calls[0]?.Filters?.Id?.[0]).toEqual({ Value: ids[0], Comparison: 'EQUALS' });
    expect(calls[0]?.MaxResults).toBe(100);
    expect(found.size).toBe(44);
    expect(found.has(`${ACCOUNT}/${REGION}/ssm-runas/session/s-44`)).toBe(false);
    expect(found.get(ids[1] ?? '')).toEqual({
      Id: ids[1],
      GeneratorId: 'ssm-runas-auditor/session',
      CreatedAt: '2026-01-01T00:00:00Z',
      UpdatedAt: '2026-01-02T00:00:00Z',
      RecordState: 'ACTIVE',
      ProductFields: { 'RunAs/Check': 'session', 'RunAs/Outcome': 'RAN_AS_SSM_USER' },
      Compliance: { Status: 'FAILED' },
      Resources: [{ Type: 'Other', Id: `arn:aws:ssm:${REGION}:${ACCOUNT}:session/s-0` }],
    });
  });

  it('makes no call for no ids', async () => {
    // Act
    const found = await createSecurityHubFindingReader(client).findingsByIds([]);

    // Assess
    expect(found.size).toBe(0);
    expect(sh.calls()).toHaveLength(0);
  });

  it('lists the ACTIVE findings of a generator across 3 pages, filtered by ProductFields', async () => {
    // Prepare
    sh.on(GetFindingsCommand)
      .resolvesOnce({ Findings: [stored('a')], NextToken: 't1' })
      .resolvesOnce({ Findings: [stored('b')], NextToken: 't2' })
      .resolvesOnce({ Findings: [stored('c', { ProductFields: { 'RunAs/Check': 'principal' } })] });

    // Act
    const active = await createSecurityHubFindingReader(client).activeFindings({
      generatorId: 'ssm-runas-auditor/session',
      productFields: { 'RunAs/Check': 'session' },
    });

    // Assess
    expect(active.map((f) => f.Id)).toEqual(['a', 'b']);
    const inputs = sh.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      Filters: {
        GeneratorId: [{ Value: 'ssm-runas-auditor/session', Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
        ProductFields: [{ Key: 'RunAs/Check', Value: 'session', Comparison: 'EQUALS' }],
      },
      MaxResults: 100,
    });
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 't1', 't2']);
  });

  it('throws AwsCallError when GetFindings fails', async () => {
    // Prepare
    sh.on(GetFindingsCommand).rejects(shError('TooManyRequestsException', 429));

    // Act
    const result = createSecurityHubFindingReader(client).activeFindings({ generatorId: 'g' });

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'AwsCallError',
      operation: 'securityhub:GetFindings',
    });
  });
});
