/**
 * Builders of sanitised, real-shaped EventBridge IAM and SSM document-change events (account
 * 111122223333, addresses from 203.0.113.0/24), modelled on the published TagRole and CreateUser
 * records and the API request shapes.
 */
export const ACCOUNT = '111122223333';
export const EVENT_ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';

type Json = Record<string, unknown>;

const admin: Json = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEADMIN0001:admin',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/admin`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEADMIN0001',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEADMIN0001',
      arn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
      accountId: ACCOUNT,
      userName: 'Admin',
    },
    attributes: { creationDate: '2026-03-01T12:30:00Z', mfaAuthenticated: 'true' },
  },
};

const envelope = (source: string, region: string, detail: Json): Json => ({
  version: '0',
  id: '0d1c2b3a-4f5e-6d7c-8b9a-0f1e2d3c4b5a',
  'detail-type': 'AWS API Call via CloudTrail',
  source,
  account: ACCOUNT,
  time: '2026-03-01T13:00:00Z',
  region,
  resources: [],
  detail: {
    eventVersion: '1.08',
    userIdentity: admin,
    eventTime: '2026-03-01T13:00:00Z',
    awsRegion: region,
    sourceIPAddress: '203.0.113.20',
    userAgent: 'aws-cli/2.27.31',
    requestID: '11112222-3333-4444-5555-666677778888',
    eventID: EVENT_ID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...detail,
  },
});

export const iamEvent = (
  eventName: string,
  requestParameters: Json | null,
  extra: Json = {},
  region = 'us-east-1',
): Json =>
  envelope('aws.iam', region, {
    eventSource: 'iam.amazonaws.com',
    eventName,
    requestParameters,
    responseElements: null,
    ...extra,
  });

export const ssmEvent = (
  eventName: string,
  requestParameters: Json | null,
  extra: Json = {},
  region = 'us-east-1',
): Json =>
  envelope('aws.ssm', region, {
    eventSource: 'ssm.amazonaws.com',
    eventName,
    requestParameters,
    responseElements: null,
    ...extra,
  });

/** Sets a value at a dotted path (array indexes as numbers), creating nothing: the parent must exist. */
export const withValue = (event: Json, path: string, value: unknown): Json => {
  const copy = structuredClone(event);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys.at(-1) ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
};
