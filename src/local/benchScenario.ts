/**
 * The benchmark's synthetic account: principals (IAM users and role sessions), Linux nodes with
 * an OS users inventory, session documents and the StartSession events that touch them, all
 * drawn from a seeded PRNG so every run audits exactly the same sessions.
 */
import { parseWorld, toIsoSeconds, type World } from './world.ts';

export interface ScenarioOptions {
  readonly events: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  readonly seed?: number;
}

export const BENCH_ACCOUNT = '111122223333';
export const BENCH_REGION = 'us-east-1';
/** The world's `now`: the inventory capture time; events start a minute later. */
export const BENCH_START = '2026-03-01T12:00:00Z';
export const DEFAULT_SEED = 20260301;
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const DEFAULT_USER = 'ec2-user';
const RUN_AS_TAG = 'SSMSessionRunAs';
/** Share of StartSession calls that name no document (the Region's preferences apply). */
const PREFERENCES_SHARE = 0.6;
/** Chance that a node's inventory lacks a given mapped user. */
const MISSING_USER_CHANCE = 0.05;
/** Role sessions began this long before the first event (their AssumeRole records are then). */
const ROLE_SESSION_LEAD_MS = 10 * 60 * 1000;

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

export type ExpectedOutcome = 'COMPLIANT' | 'MISSING_RUN_AS_USER';

export interface ScenarioEvent {
  /** The EventBridge event, shaped like events/startsession-compliant-iamuser-tag.json. */
  readonly event: Readonly<Record<string, unknown>>;
  readonly principal: number;
  readonly node: number;
  readonly document: string;
  /** What Session Manager would run the session as (DESIGN.md §2), by construction. */
  readonly expectedUser: string;
  readonly expectedOutcome: ExpectedOutcome;
}

export interface Scenario {
  readonly options: Required<ScenarioOptions>;
  readonly world: World;
  readonly principals: readonly ScenarioPrincipal[];
  readonly nodeIds: readonly string[];
  readonly documentNames: readonly string[];
  readonly events: readonly ScenarioEvent[];
}

/** mulberry32: small, fast and good enough to spread events; the same seed gives the same run. */
export const createRng = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const pick = (rng: () => number, count: number): number => Math.min(count - 1, Math.floor(rng() * count));

const hex = (rng: () => number, length: number): string => {
  let out = '';
  while (out.length < length) out += Math.floor(rng() * 16).toString(16);
  return out;
};

const uuid = (rng: () => number): string =>
  `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${(8 + pick(rng, 4)).toString(16)}${hex(rng, 3)}-${hex(rng, 12)}`;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** 40% roles, one in eight principals untagged, every other role tagged again per session. */
const makePrincipal = (index: number): ScenarioPrincipal => {
  const id = pad(index, 4);
  const kind = index % 5 === 1 || index % 5 === 3 ? 'role' : 'user';
  const tagged = index % 8 !== 7;
  const runAsTag = tagged ? `runas${id}` : undefined;
  const tagPart = runAsTag === undefined ? {} : { runAsTag };
  if (kind === 'user') {
    const name = `bench-user-${id}`;
    const arn = `arn:aws:iam::${BENCH_ACCOUNT}:user/${name}`;
    return {
      kind,
      name,
      arn,
      callerArn: arn,
      accessKeyId: `AKIABENCH${pad(index, 11)}`,
      sessionName: name,
      ...tagPart,
    };
  }
  const name = `BenchRole${id}`;
  const sessionName = `bench-session-${id}`;
  return {
    kind,
    name,
    arn: `arn:aws:iam::${BENCH_ACCOUNT}:role/${name}`,
    callerArn: `arn:aws:sts::${BENCH_ACCOUNT}:assumed-role/${name}/${sessionName}`,
    accessKeyId: `ASIABENCH${pad(index, 11)}`,
    sessionName,
    ...tagPart,
    ...(index % 10 === 3 ? { sessionTag: `sess${id}` } : {}),
  };
};

/** The OS user Session Manager resolves: session tag, then principal tag, then the document default. */
export const mappedUserOf = (principal: ScenarioPrincipal): string | undefined =>
  principal.sessionTag ?? principal.runAsTag;

const nodeId = (index: number): string => `i-${(0xbe0000000 + index).toString(16).padStart(17, '0')}`;

const documentContent = (description: string) => ({
  schemaVersion: '1.0',
  description,
  sessionType: 'Standard_Stream',
  inputs: {
    runAsEnabled: true,
    runAsDefaultUser: DEFAULT_USER,
    cloudWatchLogGroupName: '/ssm/session-logs',
    cloudWatchStreamingEnabled: true,
    idleSessionTimeout: '20',
  },
});

const assumeRoleRecord = (principal: ScenarioPrincipal, createdAt: string, rng: () => number) => ({
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
    ...(principal.sessionTag === undefined
      ? {}
      : { tags: [{ key: RUN_AS_TAG, value: principal.sessionTag }] }),
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

const userIdentityOf = (principal: ScenarioPrincipal, createdAt: string): Record<string, unknown> =>
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

const startSessionEvent = (
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

const positive = (value: number, name: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
};

export const generateScenario = (input: ScenarioOptions): Scenario => {
  const options: Required<ScenarioOptions> = {
    events: positive(input.events, 'events'),
    principals: positive(input.principals, 'principals'),
    nodes: positive(input.nodes, 'nodes'),
    documents: positive(input.documents, 'documents'),
    seed: input.seed ?? DEFAULT_SEED,
  };
  const rng = createRng(options.seed);
  const start = Date.parse(BENCH_START);
  const roleCreatedAt = toIsoSeconds(start - ROLE_SESSION_LEAD_MS);

  const principals = Array.from({ length: options.principals }, (_, i) => makePrincipal(i));
  const mappedUsers = principals.flatMap((p) => {
    const user = mappedUserOf(p);
    return user === undefined ? [] : [user];
  });

  const nodeIds = Array.from({ length: options.nodes }, (_, j) => nodeId(j));
  const nodeUsers = nodeIds.map(
    (): ReadonlySet<string> =>
      new Set(['root', DEFAULT_USER, 'ssm-user', ...mappedUsers.filter(() => rng() >= MISSING_USER_CHANCE)]),
  );

  const documentNames = [
    PREFERENCES_DOCUMENT,
    ...Array.from({ length: options.documents - 1 }, (_, k) => `BenchShell-${k + 1}`),
  ];

  const world = parseWorld({
    accountId: BENCH_ACCOUNT,
    now: BENCH_START,
    iam: {
      users: principals
        .filter((p) => p.kind === 'user')
        .map((p) => ({
          userName: p.name,
          tags: p.runAsTag === undefined ? {} : { [RUN_AS_TAG]: p.runAsTag },
        })),
      roles: principals
        .filter((p) => p.kind === 'role')
        .map((p) => ({
          roleName: p.name,
          tags: p.runAsTag === undefined ? {} : { [RUN_AS_TAG]: p.runAsTag },
        })),
    },
    regions: {
      [BENCH_REGION]: {
        documents: documentNames.map((name, k) => ({
          name,
          content: documentContent(
            k === 0 ? 'Regional Session Manager preferences' : `Benchmark shell ${k} (Run As on)`,
          ),
        })),
        nodes: nodeIds.map((id, j) => ({
          id,
          platform: 'Linux',
          pingStatus: 'Online',
          users: [...(nodeUsers[j] ?? [])],
          inventoryCaptureTime: BENCH_START,
        })),
        cloudTrail: principals
          .filter((p) => p.kind === 'role')
          .map((p) => assumeRoleRecord(p, roleCreatedAt, rng)),
      },
    },
  });

  let time = start + 60_000;
  const events = Array.from({ length: options.events }, (): ScenarioEvent => {
    // Whole seconds, as CloudTrail records them, and strictly increasing.
    time += (1 + pick(rng, 3)) * 1000;
    const principalIndex = pick(rng, options.principals);
    const node = pick(rng, options.nodes);
    const document =
      options.documents === 1 || rng() < PREFERENCES_SHARE
        ? PREFERENCES_DOCUMENT
        : (documentNames[1 + pick(rng, options.documents - 1)] ?? PREFERENCES_DOCUMENT);
    const principal = principals[principalIndex] ?? makePrincipal(principalIndex);
    const expectedUser = mappedUserOf(principal) ?? DEFAULT_USER;
    return {
      event: startSessionEvent(
        principal,
        roleCreatedAt,
        nodeIds[node] ?? nodeId(node),
        document,
        toIsoSeconds(time),
        rng,
      ),
      principal: principalIndex,
      node,
      document,
      expectedUser,
      expectedOutcome: nodeUsers[node]?.has(expectedUser) === true ? 'COMPLIANT' : 'MISSING_RUN_AS_USER',
    };
  });

  return { options, world, principals, nodeIds, documentNames, events };
};
