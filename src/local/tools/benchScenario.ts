/**
 * The benchmark's synthetic account: principals (IAM users and role sessions), Linux nodes with
 * an OS users inventory, session documents and the StartSession events that touch them, all
 * drawn from a seeded PRNG so every run audits exactly the same sessions.
 */

import { parseWorld, toIsoSeconds, type World } from '../world/world.ts';
import {
  assumeRoleRecord,
  BENCH_ACCOUNT,
  BENCH_REGION,
  BENCH_START,
  createRng,
  DEFAULT_SEED,
  DEFAULT_USER,
  eventBridgeEventOf,
  PREFERENCES_DOCUMENT,
  pad,
  pick,
  RUN_AS_TAG,
  type ScenarioPrincipal,
  startSessionEvent,
} from './benchRecords.ts';

export interface ScenarioOptions {
  readonly events: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
  readonly seed?: number;
  /** All events within this many seconds (a burst); absent: 1 to 4 s apart, as a busy account's day. */
  readonly burstSeconds?: number;
  /**
   * Documents stream sessions to CloudWatch Logs, and each session that starts a shell has its
   * stream (the agent's record of the expected user, 3 s after StartSession); refused ones none.
   */
  readonly sessionLogs?: boolean;
}

/** Share of StartSession calls that name no document (the Region's preferences apply). */
const PREFERENCES_SHARE = 0.6;
/** Chance that a node's inventory lacks a given mapped user. */
const MISSING_USER_CHANCE = 0.05;
/** Role sessions began this long before the first event (their AssumeRole records are then). */
const ROLE_SESSION_LEAD_MS = 10 * 60 * 1000;

export type ExpectedOutcome = 'COMPLIANT' | 'MISSING_RUN_AS_USER';

export interface ScenarioEvent {
  /** The EventBridge event, shaped like events/startsession-compliant-iamuser-tag.json. */
  readonly event: Readonly<Record<string, unknown>>;
  readonly principal: number;
  readonly node: number;
  readonly document: string;
  /** What Session Manager would run the session as, by construction: the session tag, else the principal's tag, else the preferences' default user. */
  readonly expectedUser: string;
  readonly expectedOutcome: ExpectedOutcome;
}

export interface Scenario {
  readonly options: Required<Omit<ScenarioOptions, 'burstSeconds'>> & Pick<ScenarioOptions, 'burstSeconds'>;
  readonly world: World;
  readonly principals: readonly ScenarioPrincipal[];
  readonly nodeIds: readonly string[];
  readonly documentNames: readonly string[];
  readonly events: readonly ScenarioEvent[];
  /** The role sessions' AssumeRole records as EventBridge delivers them to the identity function. */
  readonly stsEvents: readonly Readonly<Record<string, unknown>>[];
}

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

const SESSION_LOG_GROUP = '/ssm/session-logs';
/** When the agent's first event of a started shell is written, after StartSession. */
const STREAM_LAG_MS = 3_000;

const documentContent = (description: string, streams: boolean) => ({
  schemaVersion: '1.0',
  description,
  sessionType: 'Standard_Stream',
  inputs: {
    runAsEnabled: true,
    runAsDefaultUser: DEFAULT_USER,
    cloudWatchLogGroupName: SESSION_LOG_GROUP,
    cloudWatchStreamingEnabled: streams,
    idleSessionTimeout: '20',
  },
});

/** The agent's stream for a session that started a shell as `user`. */
const sessionStream = (event: ScenarioEvent, principal: ScenarioPrincipal) => {
  const detail = event.event.detail as { eventTime: string; responseElements: { sessionId: string } };
  const { sessionId } = detail.responseElements;
  const time = new Date(Date.parse(detail.eventTime) + STREAM_LAG_MS).toISOString();
  const message = {
    eventVersion: '1.0',
    eventTime: time.replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: BENCH_REGION,
    target: {
      id: (event.event.detail as { requestParameters: { target: string } }).requestParameters.target,
    },
    userIdentity: { arn: principal.callerArn },
    runAsUser: event.expectedUser,
    sessionId,
    sessionData: [`[${event.expectedUser}@bench ~]$ `],
  };
  return { name: sessionId, events: [{ timestamp: time, message }] };
};

const positive = (value: number, name: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
};

export const generateScenario = (input: ScenarioOptions): Scenario => {
  const options: Scenario['options'] = {
    events: positive(input.events, 'events'),
    principals: positive(input.principals, 'principals'),
    nodes: positive(input.nodes, 'nodes'),
    documents: positive(input.documents, 'documents'),
    seed: input.seed ?? DEFAULT_SEED,
    sessionLogs: input.sessionLogs ?? false,
    ...(input.burstSeconds === undefined
      ? {}
      : { burstSeconds: positive(input.burstSeconds, 'burstSeconds') }),
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

  const stsRecords = principals
    .filter((p) => p.kind === 'role')
    .map((p) => assumeRoleRecord(p, roleCreatedAt, rng));
  const worldJson = {
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
            options.sessionLogs,
          ),
        })),
        nodes: nodeIds.map((id, j) => ({
          id,
          platform: 'Linux',
          pingStatus: 'Online',
          users: [...(nodeUsers[j] ?? [])],
          inventoryCaptureTime: BENCH_START,
        })),
        cloudTrail: stsRecords,
      },
    },
  };

  let time = start + 60_000;
  const { burstSeconds } = options;
  const events = Array.from({ length: options.events }, (_, i): ScenarioEvent => {
    // Whole seconds, as CloudTrail records them, and strictly increasing (a burst: many per second).
    time += (1 + pick(rng, 3)) * 1000;
    if (burstSeconds !== undefined) {
      time = start + 60_000 + Math.floor((i * burstSeconds) / options.events) * 1000;
    }
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

  const logGroups = options.sessionLogs
    ? [
        {
          name: SESSION_LOG_GROUP,
          streams: events
            .filter((e) => e.expectedOutcome === 'COMPLIANT')
            .map((e) => sessionStream(e, principals[e.principal] ?? makePrincipal(e.principal))),
        },
      ]
    : [];
  const region = worldJson.regions[BENCH_REGION];
  const world = parseWorld({ ...worldJson, regions: { [BENCH_REGION]: { ...region, logGroups } } });
  const stsEvents = stsRecords.map((record) => eventBridgeEventOf(record, rng));
  return { options, world, principals, nodeIds, documentNames, events, stsEvents };
};
