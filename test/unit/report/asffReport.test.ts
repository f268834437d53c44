import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { asffFindings, asffReport } from '../../../src/report/asffReport.ts';
import { baseWorld, clientConfig, withLocal } from '../local/localAwsHelpers.ts';
import { input, principalFinding, sessionFinding } from './reportFixtures.ts';

/** What Security Hub adds to a stored finding, or what only its customers may change. */
const SERVICE_MANAGED = {
  ProductName: 'Default',
  CompanyName: 'Personal',
  ProcessedAt: '2026-03-01T12:00:05.000Z',
  AwsAccountName: 'prod',
  Sample: false,
  Note: { Text: 'looked at it', UpdatedBy: 'analyst', UpdatedAt: '2026-03-02T00:00:00.000Z' },
  UserDefinedFields: { ticket: 'SEC-1' },
  VerificationState: 'TRUE_POSITIVE',
  Workflow: { Status: 'NOTIFIED' },
  WorkflowState: 'IN_PROGRESS',
} as const;

const asStoredByAws = () => {
  const finding = sessionFinding();
  return {
    ...finding,
    ...SERVICE_MANAGED,
    Severity: { ...(finding.Severity as object), Normalized: 70 },
    Compliance: { Status: 'FAILED', SecurityControlId: 'SSM.1', AssociatedStandards: [{ StandardsId: 'x' }] },
    ProductFields: {
      ...(finding.ProductFields as Record<string, string>),
      'aws/securityhub/FindingId': 'arn:aws:securityhub:us-east-1:111122223333:finding/1',
      'aws/securityhub/ProductName': 'Default',
    },
  };
};

describe('asffReport', () => {
  it('keeps only what a finding provider sends', () => {
    // Act
    const [finding] = asffFindings(input(asStoredByAws()));

    // Assess
    if (finding === undefined) throw new Error('no finding');
    for (const key of [...Object.keys(SERVICE_MANAGED), 'Region']) expect(finding).not.toHaveProperty(key);
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'RAN_AS_SSM_USER' });
    expect(finding.Compliance).toEqual({ Status: 'FAILED' });
    const fields = finding.ProductFields as Record<string, string>;
    expect(Object.keys(fields).some((key) => key.startsWith('aws/'))).toBe(false);
    expect(fields['RunAs/Outcome']).toBe('RAN_AS_SSM_USER');
    expect(finding.Resources).toEqual(sessionFinding().Resources);
    expect(finding.FindingProviderFields).toEqual(sessionFinding().FindingProviderFields);
  });

  it('keeps Normalized only when a severity has no Label', () => {
    // Act
    const [finding] = asffFindings(input({ ...sessionFinding(), Severity: { Normalized: 40 } }));

    // Assess
    expect(finding?.Severity).toEqual({ Normalized: 40 });
  });

  it('prints a JSON array, one entry per finding, in order', () => {
    // Act
    const parsed = JSON.parse(asffReport(input(sessionFinding(), principalFinding()))) as { Id: string }[];

    // Assess
    expect(parsed.map((f) => f.Id)).toEqual([sessionFinding().Id, principalFinding().Id]);
  });

  it('is accepted by BatchImportFindings (the local Security Hub, through the real SDK)', async () => {
    // Prepare
    const findings = asffFindings(input(asStoredByAws(), principalFinding()));

    await withLocal(baseWorld(), async (local) => {
      const client = new SecurityHubClient(clientConfig(local, 'us-east-1'));

      // Act
      const imported = await client.send(new BatchImportFindingsCommand({ Findings: findings as never }));
      const stored = await client.send(new GetFindingsCommand({}));

      // Assess
      expect(imported).toMatchObject({ SuccessCount: 2, FailedCount: 0 });
      expect(stored.Findings?.map((f) => f.Id).sort()).toEqual(
        [principalFinding().Id, sessionFinding().Id].sort(),
      );
      expect(stored.Findings?.find((f) => f.Id === sessionFinding().Id)?.Region).toBe('us-east-1');
    });
  });
});
