/**
 * The subset of the AWS Security Finding Format this project writes. Structurally
 * compatible with the SDK's AwsSecurityFinding so adapters pass it through unchanged.
 */
export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition: string;
  readonly Region: string;
  readonly Details?: { readonly Other?: Readonly<Record<string, string>> };
}

export interface AsffFinding {
  readonly SchemaVersion: '2018-10-08';
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt?: string;
  readonly LastObservedAt?: string;
  readonly Severity: { readonly Label: string; readonly Original?: string };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly Compliance: {
    readonly Status: string;
    readonly StatusReasons?: readonly { readonly ReasonCode: string; readonly Description?: string }[];
  };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: string; readonly Original?: string };
    readonly Types: readonly string[];
  };
}
