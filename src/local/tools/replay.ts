/**
 * Replay: route each EventBridge event as the template's rules would (to a function's queue, or
 * to the function), apply change events to the local world as they arrive, and run the real
 * handlers, with the real SDK clients, against the local AWS endpoint. Queued events are delivered
 * as the event source mapping would: in batches by size and window over event time, redelivered
 * after a failure, dead-lettered after maxReceiveCount receives; a share of deliveries can be
 * duplicated, as EventBridge and SQS may do. The quota clock moves with event time, so pacing and
 * throttling come out the same on every run.
 */
import path from 'node:path';
import { type RunFailure, runFailureOf } from '../../app/runFailure.ts';
import type { ClientOptions } from '../../composition/clients.ts';
import type { ReportEvaluation, ReportInput, ReportRun } from '../../report/reportInput.ts';
import { startLocalDynamo } from '../services/dynamo.ts';
import { ManualClock } from '../services/quotas.ts';
import { type LocalAws, localCredentials, startLocalAws } from '../services/server.ts';
import type { StoredFinding, World } from '../world/world.ts';
import { type DeliveryPath, deliveryPathsOf } from './deliveryPath.ts';
import type { ReplayEvent } from './eventInput.ts';
import { matchesPattern } from './eventPattern.ts';
import { type Arrival, drain, EventSourceMapping, type RecordReport } from './eventSourceMapping.ts';
import { createContainers } from './lambdaContainers.ts';
import { organizationOf, routeInOrganization } from './orgRouting.ts';
import { createRng } from './random.ts';
import { arrivalTimes, envelopeProblem, field } from './replayEnvelope.ts';
import { queueUrlsFor, registerQueues } from './replayQueues.ts';
import { functionsOf, resolveEnvironment } from './samFunctions.ts';
import { tableEnvironment, tableSpecsOf } from './tableSpec.ts';
import { loadTemplate, type SamEnvVars } from './template.ts';
import { jumpingTimeline, virtualPacingClock } from './virtualTime.ts';

export type { ReplayEvent };

/** One function's run of an event, as every report reads it, with the queue's delivery counts. */
export interface FunctionRun extends ReportRun {
  readonly error?: RunFailure;
  /** Queued functions: how many times the event was received (redeliveries included) and in how many messages. */
  readonly receives?: number;
  readonly deliveries?: number;
}

export interface ReplayEvaluation extends ReportEvaluation {
  readonly runs: readonly FunctionRun[];
  /**
   * Why no function ran: the envelope names a Region or an account that cannot exist, so no
   * stack could have received the event. The other events are replayed all the same.
   */
  readonly rejected?: string;
}

/** A message that would end in a function's dead-letter queue. */
export interface DeadLetter {
  readonly event: string;
  readonly logicalId: string;
  readonly region: string;
  readonly receives: number;
  readonly duplicate: boolean;
  readonly error: RunFailure;
}

/** What every report reads, with the calls, throttles and dead letters of the run. */
export interface ReplayResult extends ReportInput {
  readonly evaluations: readonly ReplayEvaluation[];
  /** The findings as the local Security Hub stores them after all events. */
  readonly findings: readonly StoredFinding[];
  /** Calls the local endpoint received, per operation (throttled ones included). */
  readonly calls: Readonly<Record<string, number>>;
  /** Calls a quota refused, per operation. */
  readonly throttled: Readonly<Record<string, number>>;
  readonly deadLetters: readonly DeadLetter[];
}

export interface ReplayOptions {
  readonly world: World;
  readonly events: readonly ReplayEvent[];
  readonly envVars?: SamEnvVars;
  readonly templatePath?: string;
  /** Template parameter overrides (batch size, window, maxReceiveCount, …). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Share of deliveries (0 to 1) that arrive twice. */
  readonly duplicates?: number;
  /** Seed of the duplicate choice. */
  readonly seed?: number;
  /** A running endpoint to reuse (tests inject faults on it); one is started otherwise. */
  readonly local?: LocalAws;
  readonly clientOptions?: ClientOptions;
  /** An organization world: the Region of the audit stack, where members forward (default us-east-1). */
  readonly auditRegion?: string;
}

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Environment the SDK needs to talk to the local endpoint, and never to anything else. */
const localSdkEnvironment = (local: LocalAws): Record<string, string> => ({
  ...local.endpointEnv(),
  ...localCredentials,
  AWS_SESSION_TOKEN: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
});

const runOf = (logicalId: string, report: RecordReport | undefined): FunctionRun =>
  report === undefined
    ? { logicalId, error: { errorType: 'NotDelivered', errorMessage: 'the event was never delivered' } }
    : report.ok
      ? { logicalId, result: report.result }
      : { logicalId, error: runFailureOf(report.error) };

interface Tag {
  readonly index: number;
  readonly logicalId: string;
  readonly region: string;
  readonly duplicate: boolean;
  /** A message a function sent (replayQueues.ts), not a delivery of the event itself. */
  readonly followUp?: true;
}

export const replay = async (options: ReplayOptions): Promise<ReplayResult> => {
  const clock =
    options.local?.quotas.clock instanceof ManualClock ? options.local.quotas.clock : new ManualClock();
  const template = await loadTemplate(options.templatePath ?? path.join(ROOT, 'template.yaml'));
  const tables = tableSpecsOf(template);
  const local = options.local ?? (await startLocalAws(options.world, { clock, dynamo: { tables } }));
  // A local endpoint given without a DynamoDB gets one of its own (its calls counted with the rest).
  const ownDynamo =
    local.dynamo === undefined ? await startLocalDynamo({ tables, calls: local.calls }) : undefined;
  const organization = await organizationOf(
    local.world,
    options.auditRegion ?? 'us-east-1',
    path.join(ROOT, 'member-template.yaml'),
  );
  // The audit stack of an organization is deployed with its id (unless the caller says otherwise).
  const parameters = { ...(organization && { OrganizationId: organization.org.id }), ...options.parameters };
  const paths = deliveryPathsOf(template, functionsOf(template), parameters);
  const sdkEnv = {
    ...localSdkEnvironment(local),
    AWS_ENDPOINT_URL_DYNAMODB: (local.dynamo ?? ownDynamo)?.endpoint ?? '',
  };
  const tableEnv = tableEnvironment(template, functionsOf(template));
  // The handler modules build Lambda's handler at import, from the process environment.
  for (const [key, value] of Object.entries({ ...tableEnv, ...sdkEnv })) {
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
  process.env.AWS_REGION ??= 'us-east-1';
  // Handler logs and metrics would interleave with the table or the JSON on stdout; export
  // POWERTOOLS_LOG_LEVEL=INFO (POWERTOOLS_METRICS_DISABLED=false) to see them.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  const timeline = jumpingTimeline(clock);
  const containers = createContainers({
    envFor: (fn, region) => {
      const env = resolveEnvironment(template, fn, options.envVars, {
        parameterOverrides: parameters,
        accountId: local.world.accountId,
        region,
      });
      // A table's name, unless --env-vars names one.
      for (const [key, name] of Object.entries(tableEnv)) if (env[key] === '') env[key] = name;
      return {
        ...env,
        ...queueUrlsFor(fn, paths, local.url, local.world.accountId),
        ...sdkEnv,
        AWS_REGION: region,
      };
    },
    clientOptions: {
      ...options.clientOptions,
      pacingClock: virtualPacingClock(clock),
      // Items expire and claims lapse in event time, as they would have when the events happened.
      stateNow: () => clock.now(),
    },
    eventClock: () => clock.now(),
  });
  // One queue per function and Region: `<logicalId>/<region>`.
  const esm = new EventSourceMapping(timeline, async (queue, records) => {
    const fn = paths.find((p) => queue.key === `${p.fn.logicalId}/${queue.region}`)?.fn;
    if (fn === undefined) throw new Error(`no function polls ${queue.key}`);
    return containers.invokeBatch(fn, queue.region, local.world.accountId, records);
  });
  const eventIds = options.events.map(({ event }) => field(field(event, 'detail'), 'eventID'));
  registerQueues(local, esm, paths, (eventId) => eventIds.indexOf(eventId));
  const random = createRng(options.seed ?? 1);
  const direct = new Map<string, RecordReport>();
  const rejected = options.events.map(({ event }) => envelopeProblem(event));
  // In an organization, an event reaches the audit stack only if its member stack forwards it.
  const forwarded = (event: unknown): boolean =>
    organization === undefined ||
    routeInOrganization(organization.member, organization.org, {
      ...(event as object),
      account: String(field(event, 'account') ?? local.world.accountId),
      region: String(field(event, 'region') ?? 'us-east-1'),
    }).kind === 'audit';
  const routes: DeliveryPath[][] = options.events.map(({ event }, i) =>
    rejected[i] === undefined && forwarded(event)
      ? paths.filter((p) => p.patterns.some((pattern) => matchesPattern(pattern, event)))
      : [],
  );
  const times = arrivalTimes(options.events);
  const first = times.find((t) => Number.isFinite(t));
  if (first !== undefined && clock.now() < first) clock.set(first);

  const arrivals: Arrival[] = options.events.map(({ event }, index) => ({
    at: Number.isFinite(times[index]) ? (times[index] as number) : clock.now(),
    deliver: async () => {
      if (rejected[index] !== undefined) return;
      const detail = field(event, 'detail');
      const eventAccount = (field(event, 'account') as string | undefined) || local.world.accountId;
      if (detail !== undefined) (local.world.account(eventAccount) ?? local.world).applyChange(detail);
      // An organization's functions run in the audit account and Region, whatever the event's.
      const region =
        organization?.org.auditRegion ?? ((field(event, 'region') as string | undefined) || 'us-east-1');
      const account = organization === undefined ? eventAccount : local.world.accountId;
      for (const route of routes[index] ?? []) {
        const { logicalId } = route.fn;
        if (route.queue === undefined) {
          direct.set(`${index}/${logicalId}`, await containers.invokeEvent(route.fn, region, account, event));
          continue;
        }
        const spec = {
          key: `${logicalId}/${region}`,
          arn: `arn:aws:sqs:${region}:${account}:${route.queue.logicalId}`,
          region,
          mapping: route.queue.mapping,
        };
        const send = (duplicate: boolean, at: number) => {
          esm.send(spec, event, { index, logicalId, region, duplicate } satisfies Tag, at);
        };
        const at = arrivals[index]?.at ?? clock.now();
        send(false, at);
        if (random() < (options.duplicates ?? 0)) {
          // A second copy up to two batching windows later: in the same batch or a later one.
          const windowMs = route.queue.mapping.windowSeconds * 1000;
          send(true, at + Math.floor(random() * (2 * windowMs + 1000)));
        }
      }
    },
  }));

  try {
    await drain(esm, timeline, arrivals, { sequential: true });
    const fates = esm.fates().map((fate) => ({ fate, tag: fate.tag as Tag }));
    const evaluations = options.events.map(({ name }, index): ReplayEvaluation => {
      const problem = rejected[index];
      if (problem !== undefined) return { event: name, runs: [], rejected: problem };
      const followUps = fates
        .filter(({ tag }) => tag.index === index && tag.followUp === true)
        .map(({ fate, tag }) => ({
          ...runOf(tag.logicalId, fate.last),
          receives: fate.receives,
          deliveries: 1,
        }));
      const runs = (routes[index] ?? []).map((route): FunctionRun => {
        const { logicalId } = route.fn;
        if (route.queue === undefined) return runOf(logicalId, direct.get(`${index}/${logicalId}`));
        const mine = fates.filter(({ tag }) => tag.index === index && tag.logicalId === logicalId);
        const original = mine.find(({ tag }) => !tag.duplicate)?.fate;
        return {
          ...runOf(logicalId, original?.last),
          receives: mine.reduce((sum, { fate }) => sum + fate.receives, 0),
          deliveries: mine.length,
        };
      });
      return { event: name, runs: [...runs, ...followUps] };
    });
    const deadLetters = fates
      .filter(({ fate }) => fate.state === 'dead-letter')
      .map(({ fate, tag }) => ({
        event: options.events[tag.index]?.name ?? '',
        logicalId: tag.logicalId,
        region: tag.region,
        receives: fate.receives,
        duplicate: tag.duplicate,
        error: runFailureOf(fate.last?.ok === false ? fate.last.error : new Error('no outcome')),
      }));
    return {
      evaluations,
      findings: local.findings(),
      calls: local.calls.snapshot(),
      throttled: local.quotas.throttled(),
      deadLetters,
    };
  } finally {
    await ownDynamo?.close();
    if (options.local === undefined) await local.close();
  }
};
