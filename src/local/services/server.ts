/**
 * The local AWS endpoint: one HTTP server that speaks IAM and STS (awsQuery), SSM, CloudTrail and
 * CloudWatch Logs (awsJson1_1), SQS (awsJson1_0) and Security Hub (restJson1) well enough for the
 * real SDK v3 clients, serving a LocalWorld. The Region comes from the SigV4 credential scope and
 * the account from the signing access key (callers.ts); signatures are not verified.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalWorld } from '../world/localWorld.ts';
import type { StoredFinding, World } from '../world/world.ts';
import { callerOf, registerWorldKeys } from './callers.ts';
import { CallLog } from './callLog.ts';
import { CredentialRegistry } from './credentials.ts';
import type { LocalDynamo, LocalDynamoOptions } from './dynamo.ts';
import { Faults, faultError } from './faults.ts';
import { readBody, send, sendError, unknownOperation } from './http.ts';
import { type ServiceState, serve } from './operations.ts';
import { type Clock, type QuotaConfig, Quotas } from './quotas.ts';
import { type Protocol, route, signedRegion } from './routing.ts';
import { LocalQueues } from './sqs.ts';
import { STS_XMLNS } from './sts.ts';
import { stsDirectoryOfWorld } from './stsDirectory.ts';
import { AwsApiError, type CallContext } from './wire.ts';

/**
 * Placeholder credentials so the SDK signs its requests. The endpoint did not issue them, so they
 * act as the audit functions' role session in the world's default account (callers.ts).
 */
export const localCredentials: Readonly<Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', string>> = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'local-endpoint-not-a-secret',
};

export interface LocalAws {
  /** What a client on this machine connects to: 127.0.0.1 (or ::1) when listening on every interface. */
  readonly url: string;
  /** The address the server listens on, as given (`0.0.0.0` for every interface). */
  readonly host: string;
  readonly port: number;
  /** AWS_ENDPOINT_URL_<SERVICE> for the services served, all pointing here. */
  endpointEnv(): Record<string, string>;
  /** The default account (an organization's audit account); `world.account(id)` reaches the others. */
  readonly world: LocalWorld;
  /** Access keys the endpoint knows: the world users' keys, what its STS issued, what a test adds. */
  readonly credentials: CredentialRegistry;
  readonly faults: Faults;
  readonly calls: CallLog;
  /** Request-rate quotas (token buckets); not enforced unless the world or `options.quotas` says so. */
  readonly quotas: Quotas;
  /** The SQS queues SendMessage delivers to (a replay registers its event source mappings' queues). */
  readonly queues: LocalQueues;
  /** The local DynamoDB, when started with `options.dynamo`. */
  readonly dynamo?: LocalDynamo;
  /** Findings Security Hub stores, one Region or all; every account's unless `accountId` names one. */
  findings(region?: string, accountId?: string): StoredFinding[];
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  state: Pick<LocalAws, 'world' | 'faults' | 'calls' | 'quotas'> & ServiceState,
): Promise<void> {
  let xmlns: string | undefined;
  const requestId = randomUUID();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  let protocol: Protocol = 'rest-json';
  try {
    const body = await readBody(req);
    const r = route(req, path, body);
    protocol = r.protocol;
    const service = r.service;
    if (service === undefined) throw unknownOperation(protocol, r.operation);
    if (service === 'sts') xmlns = STS_XMLNS;
    state.calls.record(`${service}:${r.operation}`);
    const region = signedRegion(req);
    if (region === undefined) {
      throw new AwsApiError(
        'MissingAuthenticationToken',
        'Request is missing a SigV4 Authorization header.',
        403,
      );
    }
    const caller = callerOf(state.credentials, state.world, req.headers, state.quotas.clock.now(), protocol);
    const throttled = state.quotas.admit({
      // Quotas are the calling credentials' account's, as AWS counts them.
      account: caller.world.accountId,
      region,
      service,
      operation: r.operation,
    });
    if (throttled !== undefined) throw throttled;
    const call = { service, operation: r.operation, region, account: caller.world.accountId };
    const decision = state.faults.onCall(call);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.error !== undefined) throw faultError(call, decision.error);
    const ctx: CallContext = {
      world: caller.world,
      region,
      service,
      operation: r.operation,
      requestId,
      caller: caller.principal,
    };
    const output = serve(r.operation, body, ctx, state);
    if (output === undefined)
      throw unknownOperation(protocol, r.operation, service === 'sts' ? '2011-06-15' : undefined);
    const [contentType, text] = output;
    send(res, 200, contentType, text, { 'x-amzn-requestid': requestId });
  } catch (error) {
    const apiError =
      error instanceof AwsApiError
        ? error
        : new AwsApiError(
            'InternalFailure',
            `Local endpoint failure: ${error instanceof Error ? error.message : String(error)}`,
            500,
            { cause: error },
          );
    if (!res.headersSent) sendError(res, protocol, apiError, requestId, xmlns);
  }
}

export async function startLocalAws(
  world: LocalWorld | World,
  options: {
    port?: number;
    host?: string;
    /**
     * The quotas' clock; real time by default. When given, it is also the world's clock for
     * CloudWatch Logs: a log event (and a stream, with its first event) appears at its own time.
     */
    clock?: Clock;
    /** Replaces the world's `quotas` (the only source when `world` is a LocalWorld). */
    quotas?: QuotaConfig;
    /** Also start a local DynamoDB with these tables; endpointEnv() then points DynamoDB at it. */
    dynamo?: Omit<LocalDynamoOptions, 'calls'>;
  } = {},
): Promise<LocalAws> {
  const localWorld = world instanceof LocalWorld ? world : new LocalWorld(world);
  const faults = new Faults(localWorld.initialFaults);
  const calls = new CallLog();
  const quotas = new Quotas(
    options.quotas ?? (world instanceof LocalWorld ? undefined : world.quotas),
    options.clock,
  );
  const queues = new LocalQueues();
  const credentials = new CredentialRegistry();
  registerWorldKeys(credentials, localWorld);
  const directory = stsDirectoryOfWorld(localWorld, () => quotas.clock.now());
  const state = {
    world: localWorld,
    credentials,
    directory,
    faults,
    calls,
    quotas,
    queues,
    ...(options.clock === undefined ? {} : { logsClock: options.clock }),
  };
  const server = createServer((req, res) => {
    void dispatch(req, res, state);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // 0.0.0.0 and :: are where a server listens, not addresses a client can connect to.
  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${port}`;
  let dynamo: LocalDynamo | undefined;
  if (options.dynamo !== undefined) {
    try {
      // Loaded only when asked for: dynalite and the DynamoDB client take ~100 ms to load.
      dynamo = await (await import('./dynamo.ts')).startLocalDynamo({ ...options.dynamo, calls });
    } catch (error) {
      server.close();
      throw error;
    }
  }
  return {
    url,
    host,
    port,
    world: localWorld,
    credentials,
    faults,
    calls,
    quotas,
    queues,
    ...(dynamo === undefined ? {} : { dynamo }),
    endpointEnv: () => ({
      AWS_ENDPOINT_URL_IAM: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ENDPOINT_URL_CLOUDTRAIL: url,
      AWS_ENDPOINT_URL_SECURITYHUB: url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
      AWS_ENDPOINT_URL_SQS: url,
      ...(dynamo === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint }),
    }),
    findings: (region?: string, accountId?: string) =>
      localWorld
        .accounts()
        .filter((account) => accountId === undefined || account.accountId === accountId)
        .flatMap((account) => account.findings(region)),
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((error) => (error === undefined ? resolve() : reject(error)));
          server.closeAllConnections();
        }),
        dynamo?.close(),
      ]);
    },
  };
}
