/**
 * The state table's clients and adapters, from STATE_TABLE_NAME. The endpoint comes from the SDK's
 * own AWS_ENDPOINT_URL_DYNAMODB (the local DynamoDB in local runs); DynamoDB is not paced: on demand,
 * it takes far more than these functions send.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createDynamoLedger,
  createDynamoLedgerMarks,
  createDynamoWatermarks,
  type DynamoLedger,
} from '../aws/dynamoLedger.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ClientOptions } from './clients.ts';

const documentClient = (config: Config, options: ClientOptions): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: config.region,
      ...(options.retryStrategy === undefined
        ? { retryMode: 'adaptive' }
        : { retryStrategy: options.retryStrategy }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    }),
  );

/** The ledger the session audit marks, or none when no state table is configured. */
export const createLedger = (
  config: Config,
  options: ClientOptions,
): Pick<DynamoLedger, 'mark'> | undefined =>
  config.stateTableName === ''
    ? undefined
    : createDynamoLedgerMarks(documentClient(config, options), { tableName: config.stateTableName });

/** The sweep's ledger and watermarks: the sweep cannot run without the state table. */
export const createSweepState = (config: Config, options: ClientOptions, now: () => number = Date.now) => {
  if (config.stateTableName === '') {
    throw new ConfigError(
      'STATE_TABLE_NAME must name the state table: the sweep keeps its ledger and watermarks there',
    );
  }
  const doc = documentClient(config, options);
  const tableOptions = { tableName: config.stateTableName, now };
  return {
    ledger: createDynamoLedger(doc, tableOptions),
    watermarks: createDynamoWatermarks(doc, tableOptions),
  };
};
