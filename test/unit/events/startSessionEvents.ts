/**
 * Builders of sanitised, real-shaped EventBridge StartSession events (account 111122223333,
 * addresses from 203.0.113.0/24), modelled on the public CloudTrail samples.
 */
export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const EVENT_ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const SESSION_ID = 'alice-0a1b2c3d4e5f6a7b8';

type Json = Record<string, unknown>;

export const iamUser = (name = 'alice', path = '/'): Json => ({
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSERID0001',
  arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAEXAMPLEKEY000001',
  userName: name,
});

export const assumedRole = (
  roleName = 'Operators',
  sessionName = 'alice',
  rolePath = '/',
  account = ACCOUNT,
): Json => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLEROLEID0001:${sessionName}`,
  arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
  accountId: account,
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEROLEID0001',
      arn: `arn:aws:iam::${account}:role${rolePath}${roleName}`,
      accountId: account,
      userName: roleName,
    },
    webIdFederationData: {},
    attributes: { creationDate: '2026-03-01T09:30:00Z', mfaAuthenticated: 'false' },
  },
});

export const rootUser = (): Json => ({
  type: 'Root',
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEKEY000002',
});

export const federatedUser = (name = 'bob'): Json => ({
  type: 'FederatedUser',
  principalId: `${ACCOUNT}:${name}`,
  arn: `arn:aws:sts::${ACCOUNT}:federated-user/${name}`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEKEY000003',
  sessionContext: {
    sessionIssuer: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSERID0002',
      arn: `arn:aws:iam::${ACCOUNT}:user/federator`,
      accountId: ACCOUNT,
      userName: 'federator',
    },
    attributes: { creationDate: '2026-03-01T09:00:00Z', mfaAuthenticated: 'false' },
  },
});

export const awsService = (): Json => ({ type: 'AWSService', invokedBy: 'ssm.amazonaws.com' });

export const startSessionDetail = (detail: Json = {}): Json => ({
  eventVersion: '1.08',
  userIdentity: iamUser(),
  eventTime: '2026-03-01T10:00:00Z',
  eventSource: 'ssm.amazonaws.com',
  eventName: 'StartSession',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
  requestParameters: { target: 'i-0123456789abcdef0' },
  responseElements: {
    sessionId: SESSION_ID,
    tokenValue: 'Value hidden due to security reasons.',
    streamUrl: `wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/${SESSION_ID}?role=publish_subscribe`,
  },
  requestID: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  eventID: EVENT_ID,
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: ACCOUNT,
  eventCategory: 'Management',
  ...detail,
});

export const startSessionEvent = (detail: Json = {}, envelope: Json = {}): Json => ({
  version: '0',
  id: '2f3e4d5c-6b7a-4980-a1b2-c3d4e5f6a7b8',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.ssm',
  account: ACCOUNT,
  time: '2026-03-01T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: startSessionDetail(detail),
  ...envelope,
});

/** A copy of `value` with the property at a dotted path removed. */
export const without = (value: Json, path: string): Json => {
  const copy = structuredClone(value);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node: Json = copy;
  for (const key of keys) node = node[key] as Json;
  delete node[last];
  return copy;
};

/** A copy of `value` with the property at a dotted path set. */
export const withValue = (value: Json, path: string, replacement: unknown): Json => {
  const copy = structuredClone(value);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node: Json = copy;
  for (const key of keys) node = node[key] as Json;
  node[last] = replacement;
  return copy;
};
