/**
 * The CloudTrail shapes of the benchmark's account: the AssumeRole record of a role session and
 * the StartSession event, drawn from a seeded PRNG so every run audits the same sessions.
 */

export const BENCH_ACCOUNT = '111122223333';
export const BENCH_REGION = 'us-east-1';
/** The world's `now`: the inventory capture time; events start a minute later. */
export const BENCH_START = '2026-03-01T12:00:00Z';
export const DEFAULT_SEED = 20260301;
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const DEFAULT_USER = 'ec2-user';
export const RUN_AS_TAG = 'SSMSessionRunAs';

export interface ScenarioPrincipal {
  readonly kind: 'user' | 'role';
  /** IAM user or role name. */
  readonly name: string;
  /** The IAM user or role ARN (the principal whose tags decide). */
  readonly arn: string;
  /** userIdentity.arn in CloudTrail: the user, or the assumed-role session. */
  readonly callerArn: string;
  /** Fixed per principal: a role session keeps its key for all its StartSession calls. */
  readonly accessKeyId: string;
  readonly sessionName: string;
  /** SSMSessionRunAs on the IAM user or role; absent when untagged. */
  readonly runAsTag?: string;
  /** SSMSessionRunAs passed as an AssumeRole session tag (overrides the role's tag). */
  readonly sessionTag?: string;
}

export { createRng } from './random.ts';

export const pick = (rng: () => number, count: number): number =>
  Math.min(count - 1, Math.floor(rng() * count));

export const hex = (rng: () => number, length: number): string => {
  let out = '';
  while (out.length < length) out += Math.floor(rng() * 16).toString(16);
  return out;
};

export const uuid = (rng: () => number): string =>
  `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${(8 + pick(rng, 4)).toString(16)}${hex(rng, 3)}-${hex(rng, 12)}`;

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const assumeRoleRecord = (principal: ScenarioPrincipal, createdAt: string, rng: () => number) => ({
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDABENCHASSUMER0001',
    arn: `arn:aws:iam::${BENCH_ACCOUNT}:user/bench-assumer`,
    accountId: BENCH_ACCOUNT,
    accessKeyId: 'AKIABENCHASSUMER0001',
    userName: 'bench-assumer',
  },
  eventTime: createdAt,
  eventSource: 'sts.amazonaws.com',
  eventName: 'AssumeRole',
  awsRegion: BENCH_REGION,
  sourceIPAddress: '203.0.113.200',
  userAgent: 'aws-cli/2.27.31 md/command#sts.assume-role',
  requestParameters: {
    roleArn: principal.arn,
    roleSessionName: principal.sessionName,
    durationSeconds: 43200,
    // Every role session passes a session tag (a Run As one, or only a project tag): its record
    // reaches the identity function, as the STS records of a tagging organisation do.
    tags: [
      principal.sessionTag === undefined
        ? { key: 'Project', value: 'bench' }
        : { key: RUN_AS_TAG, value: principal.sessionTag },
    ],
  },
  responseElements: {
    credentials: {
      accessKeyId: principal.accessKeyId,
      sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEBENCH',
      expiration: 'Mar 2, 2026, 12:00:00 AM',
    },
    assumedRoleUser: {
      assumedRoleId: `AROABENCH${principal.name.slice(-4)}:${principal.sessionName}`,
      arn: principal.callerArn,
    },
  },
  requestID: uuid(rng),
  eventID: uuid(rng),
  readOnly: true,
  resources: [{ accountId: BENCH_ACCOUNT, type: 'AWS::IAM::Role', ARN: principal.arn }],
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: BENCH_ACCOUNT,
  eventCategory: 'Management',
});

export const userIdentityOf = (principal: ScenarioPrincipal, createdAt: string): Record<string, unknown> =>
  principal.kind === 'user'
    ? {
        type: 'IAMUser',
        principalId: `AIDABENCH${pad(Number(principal.name.slice(-4)), 11)}`,
        arn: principal.arn,
        accountId: BENCH_ACCOUNT,
        accessKeyId: principal.accessKeyId,
        userName: principal.name,
      }
    : {
        type: 'AssumedRole',
        principalId: `AROABENCH${principal.name.slice(-4)}:${principal.sessionName}`,
        arn: principal.callerArn,
        accountId: BENCH_ACCOUNT,
        accessKeyId: principal.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: `AROABENCH${principal.name.slice(-4)}`,
            arn: principal.arn,
            accountId: BENCH_ACCOUNT,
            userName: principal.name,
          },
          webIdFederationData: {},
          attributes: { creationDate: createdAt, mfaAuthenticated: 'false' },
        },
      };

export const startSessionEvent = (
  principal: ScenarioPrincipal,
  roleCreatedAt: string,
  target: string,
  document: string,
  eventTime: string,
  rng: () => number,
): Record<string, unknown> => {
  const sessionId = `${principal.sessionName}-${hex(rng, 17)}`;
  return {
    version: '0',
    id: uuid(rng),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ssm',
    account: BENCH_ACCOUNT,
    time: eventTime,
    region: BENCH_REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: userIdentityOf(principal, roleCreatedAt),
      eventTime,
      eventSource: 'ssm.amazonaws.com',
      eventName: 'StartSession',
      awsRegion: BENCH_REGION,
      sourceIPAddress: `203.0.113.${1 + pick(rng, 254)}`,
      userAgent: 'aws-cli/2.27.31 md/command#ssm.start-session',
      requestParameters: document === PREFERENCES_DOCUMENT ? { target } : { target, documentName: document },
      responseElements: {
        sessionId,
        tokenValue: 'Value hidden due to security reasons.',
        streamUrl: `wss://ssmmessages.${BENCH_REGION}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`,
      },
      requestID: uuid(rng),
      eventID: uuid(rng),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: BENCH_ACCOUNT,
      eventCategory: 'Management',
    },
  };
};

/** A CloudTrail record as EventBridge delivers it (source from its event source, e.g. aws.sts). */
export const eventBridgeEventOf = (record: Record<string, unknown>, rng: () => number) => ({
  version: '0',
  id: uuid(rng),
  'detail-type': 'AWS API Call via CloudTrail',
  source: `aws.${String(record.eventSource).split('.')[0]}`,
  account: BENCH_ACCOUNT,
  time: record.eventTime,
  region: BENCH_REGION,
  resources: [],
  detail: record,
});
