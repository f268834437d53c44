import { readFile, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../src/local/tools/build.ts';
import { functionsOf } from '../../../src/local/tools/samFunctions.ts';
import { loadTemplate } from '../../../src/local/tools/template.ts';
import { LocalWorld } from '../../../src/local/world/localWorld.ts';
import { parseWorld, WorldError } from '../../../src/local/world/world.ts';
import { worldJsonSchema } from '../../../src/local/world/worldSchema.ts';
import { ACCOUNT } from './localAwsHelpers.ts';

const SESSION = 'alice-0a1b2c3d4e5f6a7b8';
const group = {
  name: '/ssm/sessions',
  streams: [
    { name: SESSION, events: [{ timestamp: '2026-03-01T00:05:03Z', message: { runAsUser: 'alice' } }] },
  ],
};

describe('the world JSON Schema', () => {
  it('is committed as npm run world-schema writes it', async () => {
    // Prepare
    const committed: unknown = JSON.parse(
      await readFile(new URL('../../../src/local/world/world.schema.json', import.meta.url), 'utf8'),
    );

    // Act
    const current = worldJsonSchema();

    // Assess
    expect(committed, 'src/local/world/world.schema.json is stale: run npm run world-schema').toEqual(
      current,
    );
  });

  it('describes every key a world and a Region may hold, and closes them', () => {
    // Act
    const schema = worldJsonSchema() as {
      properties: Record<string, { additionalProperties?: { properties?: Record<string, unknown> } }>;
      additionalProperties: boolean;
    };

    // Assess
    expect(Object.keys(schema.properties)).toEqual([
      'accountId',
      'partition',
      'now',
      'inventoryTypeName',
      'iam',
      'regions',
      'organization',
      'accounts',
      'faults',
      'quotas',
    ]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.regions?.additionalProperties?.properties ?? {})).toEqual([
      'documents',
      'nodes',
      'sessions',
      'cloudTrail',
      'logGroups',
    ]);
  });
});

describe('world logGroups', () => {
  it('serves each Region its own log groups, none where the world gives none', () => {
    // Prepare
    const world = parseWorld({
      accountId: ACCOUNT,
      regions: { 'us-east-1': { logGroups: [group] }, 'eu-west-1': {} },
    });

    // Act
    const local = new LocalWorld(world);

    // Assess
    expect(local.logGroupsIn('us-east-1')).toEqual([
      {
        name: '/ssm/sessions',
        readable: true,
        streams: [
          {
            name: SESSION,
            events: [{ timestamp: Date.parse('2026-03-01T00:05:03Z'), message: '{"runAsUser":"alice"}' }],
          },
        ],
      },
    ]);
    expect(local.logGroupsIn('eu-west-1')).toEqual([]);
    expect(local.logGroupsIn('ap-south-1')).toEqual([]);
  });

  it('names the path of a bad log group inside the world', () => {
    // Act
    const attempt = () =>
      parseWorld({
        accountId: ACCOUNT,
        regions: { 'us-east-1': { logGroups: [group, { ...group, name: 'a:b' }] } },
      });

    // Assess
    expect(attempt).toThrow(WorldError);
    expect(attempt).toThrow(/^regions\.us-east-1\.logGroups\[1\]\.name: expected a log group name/);
  });
});

describe('the Lambda bundles', () => {
  it('carry neither the schema library nor the local tools', async () => {
    // Prepare
    const functions = functionsOf(
      await loadTemplate(new URL('../../../template.yaml', import.meta.url).pathname),
    );

    // Act
    const inputs: string[] = [];
    for (const fn of functions) {
      const bundle = await bundleFunction(fn, { minify: false });
      inputs.push(...Object.keys(bundle.metafile.inputs));
      await rm(bundle.outdir, { recursive: true, force: true });
    }

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    expect(inputs.some((input) => input.includes('handlers/'))).toBe(true);
    expect(inputs.filter((input) => /node_modules\/zod\/|src\/local\//.test(input))).toEqual([]);
  });
});
