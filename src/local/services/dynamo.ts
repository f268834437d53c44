/**
 * A real DynamoDB for local runs: dynalite (DynamoDB's JSON protocol on an in-memory LevelDB),
 * on 127.0.0.1 and an ephemeral port, its tables created through the real SDK from table specs,
 * so the product's `@aws-sdk/client-dynamodb` / `lib-dynamodb` calls run unchanged against it.
 *
 * What dynalite does, as test/unit/local/dynamo.test.ts checks:
 * - GetItem, PutItem, UpdateItem, DeleteItem with condition expressions (a failed condition is
 *   `ConditionalCheckFailedException`, HTTP 400), Query on a composite key and on a global
 *   secondary index, BatchWriteItem, DynamoDB's validation and its 400 KB item limit.
 * - Time to live: the attribute is stored like any other and nothing ever expires;
 *   UpdateTimeToLive is an UnknownOperationException and DescribeTimeToLive always says DISABLED.
 *   DynamoDB itself deletes expired items only eventually (typically within days), so a reader
 *   compares the attribute with its clock in both places.
 * What it does not do: TransactWriteItems / TransactGetItems (UnknownOperationException), streams,
 * point-in-time recovery, encryption settings, returning the old item on a failed condition
 * (`ReturnValuesOnConditionCheckFailure` is accepted and ignored), and separate tables per account
 * or Region: one instance is one namespace.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: 'S' | 'N' | 'B';
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface SecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeyElement[];
  readonly Projection: {
    readonly ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    readonly NonKeyAttributes?: readonly string[];
  };
}

/**
 * One on-demand table, in the shape of the Properties of a template's `AWS::DynamoDB::Table`
 * with its name resolved, so that the template can become the only source of table specs once it
 * declares a table. Encryption, point-in-time recovery, streams and tags have no local effect and
 * are not part of the spec.
 */
export interface TableSpec {
  readonly TableName: string;
  readonly AttributeDefinitions: readonly AttributeDefinition[];
  readonly KeySchema: readonly KeyElement[];
  readonly GlobalSecondaryIndexes?: readonly SecondaryIndex[];
  readonly LocalSecondaryIndexes?: readonly SecondaryIndex[];
  /** Documents the table's expiry attribute; dynalite never expires items (see above). */
  readonly TimeToLiveSpecification?: { readonly AttributeName: string; readonly Enabled: boolean };
}

/** Where to count calls (`dynamodb:GetItem` → n), as the local AWS endpoint's CallLog does. */
export interface CallRecorder {
  record(key: string): void;
}

export interface LocalDynamoOptions {
  readonly tables?: readonly TableSpec[];
  readonly host?: string;
  readonly port?: number;
  /** Counts the product's calls; the table creation at start is not counted. */
  readonly calls?: CallRecorder;
}

export interface LocalDynamo {
  /** For AWS_ENDPOINT_URL_DYNAMODB or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly tables: readonly TableSpec[];
  close(): Promise<void>;
}

/** A table spec DynamoDB refused, or a local DynamoDB that did not start. */
export class LocalDynamoError extends Error {
  override readonly name = 'LocalDynamoError';
}

const TARGET = /^DynamoDB_20120810\.(\w+)$/;
const TABLE_READY_WAIT = { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.1 } as const;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function createTable(client: DynamoDBClient, spec: TableSpec): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: spec.TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...spec.AttributeDefinitions],
        KeySchema: [...spec.KeySchema],
        ...(spec.GlobalSecondaryIndexes === undefined
          ? {}
          : { GlobalSecondaryIndexes: spec.GlobalSecondaryIndexes.map(indexInput) }),
        ...(spec.LocalSecondaryIndexes === undefined
          ? {}
          : { LocalSecondaryIndexes: spec.LocalSecondaryIndexes.map(indexInput) }),
      }),
    );
    await waitUntilTableExists({ client, ...TABLE_READY_WAIT }, { TableName: spec.TableName });
  } catch (error) {
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LocalDynamoError(`cannot create table ${spec.TableName}: ${problem}`, { cause: error });
  }
}

function indexInput(index: SecondaryIndex) {
  const { ProjectionType, NonKeyAttributes } = index.Projection;
  return {
    IndexName: index.IndexName,
    KeySchema: [...index.KeySchema],
    Projection: {
      ProjectionType,
      ...(NonKeyAttributes === undefined ? {} : { NonKeyAttributes: [...NonKeyAttributes] }),
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // dynalite's close() reports success as null, Node's as undefined.
    server.close((error?: Error | null) =>
      error === undefined || error === null ? resolve() : reject(error),
    );
    // Keep-alive sockets of SDK clients would otherwise hold close() until they time out.
    server.closeAllConnections();
  });
}

/** Starts an in-memory DynamoDB and creates `tables` (each ACTIVE when this resolves). */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  // Tables become ACTIVE at once instead of after dynalite's default half second.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tables = [...(options.tables ?? [])];
  const admin = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDLOCALDYNAMO', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    for (const spec of tables) await createTable(admin, spec);
  } catch (error) {
    await closeServer(server);
    throw error;
  } finally {
    admin.destroy();
  }
  const { calls } = options;
  if (calls !== undefined) {
    server.prependListener('request', (req: IncomingMessage) => {
      const target = req.headers['x-amz-target'];
      const operation = typeof target === 'string' ? TARGET.exec(target)?.[1] : undefined;
      if (operation !== undefined) calls.record(`dynamodb:${operation}`);
    });
  }
  return { endpoint, port, tables, close: () => closeServer(server) };
}
