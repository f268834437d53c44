/**
 * The state table's adapter for a function: one DynamoDB client in the function's own Region (the
 * table is the stack's), paced like every client so that replay's event time never moves while a
 * call is on the wire, retrying in the SDK's adaptive mode. Absent when no table is configured.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StatePorts } from '../app/statePorts.ts';
import { createDynamoStateTable } from '../aws/dynamoStateTable.ts';
import { type Pacer, pace } from '../aws/pacing.ts';
import type { Config } from '../config.ts';
import type { ClientOptions } from './clients.ts';

export const createStateTable = (
  config: Config,
  options: ClientOptions,
  pacer: Pacer,
): StatePorts | undefined => {
  if (config.stateTableName === undefined) return undefined;
  const client = new DynamoDBClient({
    region: config.region,
    ...(options.retryStrategy === undefined
      ? { retryMode: 'adaptive' }
      : { retryStrategy: options.retryStrategy }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
  pace(client, pacer, { account: 'state-table', region: config.region, service: 'dynamodb' });
  return createDynamoStateTable(DynamoDBDocumentClient.from(client), {
    tableName: config.stateTableName,
    ...(options.stateNow === undefined ? {} : { now: options.stateNow }),
  });
};
