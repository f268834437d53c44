import { describe, expect, it } from 'vitest';
import { functionsOf } from '../../../src/local/tools/samFunctions.ts';
import { tableEnvironment, tableSpecOf, tableSpecsOf } from '../../../src/local/tools/tableSpec.ts';
import { loadTemplate, parseTemplate, TemplateError } from '../../../src/local/tools/template.ts';

const TEMPLATE = new URL('../../../template.yaml', import.meta.url).pathname;

const withTable = (properties: string, extra = ''): string =>
  [
    'Parameters:',
    '  Env: { Type: String, Default: dev }',
    'Resources:',
    '  Table:',
    '    Type: AWS::DynamoDB::Table',
    '    Properties:',
    ...properties.split('\n').map((line) => `      ${line}`),
    extra,
  ].join('\n');

const KEYS = [
  'AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]',
  'KeySchema: [{ AttributeName: id, KeyType: HASH }]',
].join('\n');

describe('the state table of template.yaml', () => {
  it('names it in the variables every function sets from it, as a local run passes them', async () => {
    // Prepare
    const template = await loadTemplate(TEMPLATE);

    // Act
    const env = tableEnvironment(template, functionsOf(template));

    // Assess
    expect(env).toEqual({ STATE_TABLE_NAME: 'StateTable' });
  });

  it('is the only table, and its local spec is what the template declares', async () => {
    // Prepare
    const template = await loadTemplate(TEMPLATE);

    // Act
    const specs = tableSpecsOf(template);

    // Assess
    expect(specs).toEqual([
      {
        TableName: 'StateTable',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    ]);
  });

  it('is on demand, retained, encrypted, recoverable, and named in the Outputs', async () => {
    // Prepare
    const template = await loadTemplate(TEMPLATE);

    // Act
    const table = template.body.Resources.StateTable;
    const output = template.body.Outputs?.StateTableName as { Value: unknown } | undefined;

    // Assess
    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
    expect(table?.Properties).not.toHaveProperty('TableName');
    expect(output?.Value).toEqual({ Ref: 'StateTable' });
  });
});

describe('tableSpecOf', () => {
  it('resolves the table name and keeps indexes', () => {
    // Prepare
    const template = parseTemplate(
      withTable(
        [
          'TableName: !Join ["-", [!Ref Env, state]]',
          'BillingMode: PAY_PER_REQUEST',
          KEYS,
          'GlobalSecondaryIndexes:',
          '  - IndexName: byOther',
          '    KeySchema: [{ AttributeName: id, KeyType: HASH }]',
          '    Projection: { ProjectionType: INCLUDE, NonKeyAttributes: [a] }',
        ].join('\n'),
      ),
    );

    // Act
    const spec = tableSpecOf(template, 'Table');

    // Assess
    expect(spec).toEqual({
      TableName: 'dev-state',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byOther',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a'] },
        },
      ],
    });
  });

  it.each([
    ['provisioned capacity', `BillingMode: PROVISIONED\n${KEYS}`, 'BillingMode must be PAY_PER_REQUEST'],
    ['no billing mode', KEYS, 'BillingMode must be PAY_PER_REQUEST'],
    ['no key schema', 'BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: []', 'KeySchema must be a list'],
    [
      'a bad key type',
      'BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: []\nKeySchema: [{ AttributeName: id, KeyType: SORT }]',
      'KeySchema[0].KeyType must be one of HASH, RANGE',
    ],
    [
      'a bad attribute type',
      'BillingMode: PAY_PER_REQUEST\nAttributeDefinitions: [{ AttributeName: id, AttributeType: M }]\nKeySchema: []',
      'AttributeDefinitions[0].AttributeType must be one of S, N, B',
    ],
    [
      'an incomplete TTL',
      `BillingMode: PAY_PER_REQUEST\n${KEYS}\nTimeToLiveSpecification: { Enabled: true }`,
      'TimeToLiveSpecification needs',
    ],
    [
      'a provisioned index',
      `BillingMode: PAY_PER_REQUEST\n${KEYS}\nGlobalSecondaryIndexes: [{ IndexName: i, KeySchema: [], Projection: { ProjectionType: ALL }, ProvisionedThroughput: {} }]`,
      'has ProvisionedThroughput',
    ],
  ])('refuses %s, naming the property', (_case, properties, message) => {
    // Prepare
    const template = parseTemplate(withTable(properties));

    // Act
    const act = () => tableSpecOf(template, 'Table');

    // Assess
    expect(act).toThrow(TemplateError);
    expect(act).toThrow(message);
  });

  it('refuses a resource that is not a table', () => {
    // Prepare
    const template = parseTemplate('Resources:\n  Queue:\n    Type: AWS::SQS::Queue');

    // Act
    const act = () => tableSpecOf(template, 'Queue');

    // Assess
    expect(act).toThrow('Resources.Queue is not an AWS::DynamoDB::Table');
  });
});
