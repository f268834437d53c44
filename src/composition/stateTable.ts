/**
 * The state table's adapters, from STATE_TABLE_NAME: one DynamoDB client in the function's own
 * Region (the table is the stack's, whatever account a session is in), paced like every client so
 * that replay's event time never moves while a call is on the wire, retrying in the SDK's adaptive
 * mode. The endpoint comes from the SDK's own AWS_ENDPOINT_URL_DYNAMODB (the local DynamoDB in
 * local runs). Absent when no table is configured.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityStore, Ledger, TagHistory } from '../app/statePorts.ts';
import { createDynamoLedger, createDynamoLedgerMarks, createDynamoWatermarks } from '../aws/dynamoLedger.ts';
import { createDynamoStateTable } from '../aws/dynamoStateTable.ts';
import { type Pacer, pace } from '../aws/pacing.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { type ClientOptions, sdkConfig } from './clients.ts';

/** What the session audit and the identity function keep in the table. */
export interface StateTableWiring {
  readonly identities: IdentityStore;
  readonly tagHistory: TagHistory;
  /** The ledger's write alone (PutItem): every audit path marks what it audited. */
  readonly ledger: Pick<Ledger, 'mark'>;
}

/** One client per container (its pacer): the sweep's ledger and its audits' state share it. */
const clients = new WeakMap<Pacer, DynamoDBDocumentClient>();

const documentClient = (config: Config, options: ClientOptions, pacer: Pacer): DynamoDBDocumentClient => {
  const known = clients.get(pacer);
  if (known !== undefined) return known;
  const client = new DynamoDBClient(sdkConfig(config.region, options));
  pace(client, pacer, { account: 'state-table', region: config.region, service: 'dynamodb' });
  const doc = DynamoDBDocumentClient.from(client);
  clients.set(pacer, doc);
  return doc;
};

/** The table, and the clock its items expire by (replay's event time, or the SDK's). */
const tableOptionsOf = (tableName: string, options: ClientOptions) => ({
  tableName,
  ...(options.stateNow === undefined ? {} : { now: options.stateNow }),
});

export const createStateTable = (
  config: Config,
  options: ClientOptions,
  pacer: Pacer,
): StateTableWiring | undefined => {
  if (config.stateTableName === undefined) return undefined;
  const doc = documentClient(config, options, pacer);
  const tableOptions = tableOptionsOf(config.stateTableName, options);
  return {
    ...createDynamoStateTable(doc, tableOptions),
    ledger: createDynamoLedgerMarks(doc, tableOptions),
  };
};

/** The sweep's ledger and watermarks: the sweep cannot run without the state table. */
export const createSweepState = (config: Config, options: ClientOptions, pacer: Pacer) => {
  if (config.stateTableName === undefined) {
    throw new ConfigError(
      'STATE_TABLE_NAME must name the state table: the sweep keeps its ledger and watermarks there',
    );
  }
  const doc = documentClient(config, options, pacer);
  const tableOptions = tableOptionsOf(config.stateTableName, options);
  return {
    ledger: createDynamoLedger(doc, tableOptions),
    watermarks: createDynamoWatermarks(doc, tableOptions),
  };
};
