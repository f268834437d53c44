/**
 * The state table template.yaml declares, `count` times over (one empty copy per test), in one
 * local DynamoDB (dynalite), with a document client that reaches it and the calls it received.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalDynamo, startLocalDynamo } from '../../../src/local/services/dynamo.ts';
import { tableSpecsOf } from '../../../src/local/tools/tableSpec.ts';
import { loadTemplate } from '../../../src/local/tools/template.ts';

export interface LocalTables {
  readonly dynamo: LocalDynamo;
  readonly doc: DynamoDBDocumentClient;
  /** Calls per `service:Operation` the local DynamoDB received. */
  readonly counts: Record<string, number>;
  /** The name of copy `index`. */
  readonly nameOf: (index: number) => string;
  readonly close: () => Promise<void>;
}

export const startLocalTables = async (count: number): Promise<LocalTables> => {
  const [spec] = tableSpecsOf(
    await loadTemplate(new URL('../../../template.yaml', import.meta.url).pathname),
  );
  if (spec === undefined) throw new Error('template.yaml declares no table');
  const nameOf = (index: number) => `${spec.TableName}${index}`;
  const counts: Record<string, number> = {};
  const dynamo = await startLocalDynamo({
    tables: Array.from({ length: count }, (_, i) => ({ ...spec, TableName: nameOf(i) })),
    calls: {
      record: (key) => {
        counts[key] = (counts[key] ?? 0) + 1;
      },
    },
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    }),
  );
  return {
    dynamo,
    doc,
    counts,
    nameOf,
    close: async () => {
      doc.destroy();
      await dynamo.close();
    },
  };
};
