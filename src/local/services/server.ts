/**
 * The local AWS endpoint: one HTTP server that speaks IAM (awsQuery), SSM and CloudTrail
 * (awsJson1_1) and Security Hub (restJson1) well enough for the real SDK v3 clients, serving a
 * LocalWorld. The Region comes from the SigV4 credential scope; signatures are not verified.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalWorld } from '../world/localWorld.ts';
import type { StoredFinding, World } from '../world/world.ts';
import { CallLog } from './callLog.ts';
import { cloudTrailOperation } from './cloudtrail.ts';
import type { LocalDynamo, LocalDynamoOptions } from './dynamo.ts';
import { type FaultDecision, type FaultService, Faults } from './faults.ts';
import { iamOperation, renderQueryError, renderQueryResponse } from './iam.ts';
import { type Clock, type QuotaConfig, Quotas, THROTTLING_ERRORS } from './quotas.ts';
import { type Protocol, route, signedRegion } from './routing.ts';
import { securityHubInput, securityHubOperation } from './securityHub.ts';
import { ssmOperation } from './ssm.ts';
import { AwsApiError, type CallContext, isJsonObject, JsonInput, type JsonObject } from './wire.ts';

/** Placeholder credentials so the SDK signs its requests; the local endpoint never checks them. */
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
  /** AWS_ENDPOINT_URL_<SERVICE> for the four services, all pointing here. */
  endpointEnv(): Record<string, string>;
  readonly world: LocalWorld;
  readonly faults: Faults;
  readonly calls: CallLog;
  /** Request-rate quotas (token buckets); not enforced unless the world or `options.quotas` says so. */
  readonly quotas: Quotas;
  /** The local DynamoDB, when started with `options.dynamo`. */
  readonly dynamo?: LocalDynamo;
  /** Findings Security Hub stores, one Region or all. */
  findings(region?: string): StoredFinding[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

const FAULT_ERRORS: Readonly<
  Record<
    FaultService,
    Readonly<Record<NonNullable<FaultDecision['error']>, { code: string; status: number }>>
  >
> = {
  iam: {
    throttle: THROTTLING_ERRORS.iam,
    'server-error': { code: 'ServiceFailure', status: 500 },
    'access-denied': { code: 'AccessDenied', status: 403 },
  },
  ssm: {
    throttle: THROTTLING_ERRORS.ssm,
    'server-error': { code: 'InternalServerError', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 400 },
  },
  cloudtrail: {
    throttle: THROTTLING_ERRORS.cloudtrail,
    'server-error': { code: 'InternalFailure', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 403 },
  },
  securityhub: {
    throttle: THROTTLING_ERRORS.securityhub,
    'server-error': { code: 'InternalException', status: 500 },
    'access-denied': { code: 'AccessDeniedException', status: 403 },
  },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsApiError('RequestEntityTooLarge', 'Request body exceeds 10 MB.', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonBody(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new AwsApiError('SerializationException', 'The request body is not valid JSON.', 400, {
      cause: error,
    });
  }
  if (!isJsonObject(parsed))
    throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, protocol: Protocol, error: AwsApiError, requestId: string): void {
  if (protocol === 'query') {
    send(res, error.status, 'text/xml', renderQueryError(error, requestId), {
      'x-amzn-requestid': requestId,
    });
    return;
  }
  const body =
    protocol === 'json'
      ? { __type: error.code, message: error.message }
      : { Code: error.code, Message: error.message };
  const contentType = protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json';
  send(res, error.status, contentType, JSON.stringify(body), {
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': requestId,
  });
}

function unknownOperation(protocol: Protocol, operation: string): AwsApiError {
  return protocol === 'query'
    ? new AwsApiError('InvalidAction', `Could not find operation ${operation} for version 2010-05-08`)
    : new AwsApiError(
        'UnknownOperationException',
        `The local endpoint does not implement ${operation}.`,
        protocol === 'json' ? 400 : 404,
      );
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  state: Pick<LocalAws, 'world' | 'faults' | 'calls' | 'quotas'>,
): Promise<void> {
  const requestId = randomUUID();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  let protocol: Protocol = 'rest-json';
  try {
    const body = await readBody(req);
    const r = route(req, path, body);
    protocol = r.protocol;
    const service = r.service;
    if (service === undefined) throw unknownOperation(protocol, r.operation);
    state.calls.record(`${service}:${r.operation}`);
    const region = signedRegion(req);
    if (region === undefined) {
      throw new AwsApiError(
        'MissingAuthenticationToken',
        'Request is missing a SigV4 Authorization header.',
        403,
      );
    }
    const throttled = state.quotas.admit({
      // The world's one account; a world of several accounts would pick it by the access key.
      account: state.world.accountId,
      region,
      service,
      operation: r.operation,
    });
    if (throttled !== undefined) throw throttled;
    const decision = state.faults.onCall({ service, operation: r.operation, region });
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.error !== undefined) {
      const { code, status } = FAULT_ERRORS[service][decision.error];
      throw new AwsApiError(code, `Injected ${decision.error} fault for ${service}:${r.operation}.`, status);
    }
    const ctx: CallContext = { world: state.world, region, service, operation: r.operation, requestId };
    const headers = { 'x-amzn-requestid': requestId };
    switch (service) {
      case 'iam': {
        const operation = iamOperation(r.operation);
        if (operation === undefined) throw unknownOperation(protocol, r.operation);
        const xml = renderQueryResponse(r.operation, operation(new URLSearchParams(body), ctx), requestId);
        send(res, 200, 'text/xml', xml, headers);
        return;
      }
      case 'securityhub': {
        const operation = securityHubOperation(r.operation);
        if (operation === undefined) throw unknownOperation(protocol, r.operation);
        const output = operation(securityHubInput(parseJsonBody(body)), ctx);
        send(res, 200, 'application/json', JSON.stringify(output), headers);
        return;
      }
      case 'ssm': {
        const operation = ssmOperation(r.operation);
        if (operation === undefined) throw unknownOperation(protocol, r.operation);
        const output = operation(new JsonInput(parseJsonBody(body)), { ...ctx, faults: state.faults });
        send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(output), headers);
        return;
      }
      case 'cloudtrail': {
        const operation = cloudTrailOperation(r.operation);
        if (operation === undefined) throw unknownOperation(protocol, r.operation);
        const output = operation(new JsonInput(parseJsonBody(body)), ctx);
        send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(output), headers);
        return;
      }
    }
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
    if (!res.headersSent) sendError(res, protocol, apiError, requestId);
  }
}

export async function startLocalAws(
  world: LocalWorld | World,
  options: {
    port?: number;
    host?: string;
    /** The quotas' clock; real time by default. */
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
  const state = { world: localWorld, faults, calls, quotas };
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
    faults,
    calls,
    quotas,
    ...(dynamo === undefined ? {} : { dynamo }),
    endpointEnv: () => ({
      AWS_ENDPOINT_URL_IAM: url,
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ENDPOINT_URL_CLOUDTRAIL: url,
      AWS_ENDPOINT_URL_SECURITYHUB: url,
      ...(dynamo === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint }),
    }),
    findings: (region?: string) => localWorld.findings(region),
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
