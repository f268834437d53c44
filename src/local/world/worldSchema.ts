/**
 * The world file's schema: what each key may hold, its default, and the rules between keys. It
 * validates a world (parseWorld) and is published as JSON Schema for world authors
 * (world.schema.json, written by `npm run world-schema`). A new world key is one entry of
 * worldInputSchema, with its schema in the module that serves it (as faults and quotas are); a
 * new per-Region key goes in worldRegionSchema.ts.
 */
import { z } from 'zod';
import { ACCOUNT_ID, isIamName, isIamPath } from '../../domain/identifiers.ts';
import { faultRuleSchema } from '../services/faults.ts';
import { quotaConfigSchema } from '../services/quotas.ts';
import { closed, flag, list, oneOf, text, uniqueBy } from './inputSchema.ts';
import type { World } from './world.ts';
import { datedNode, regionsSchema, time } from './worldRegionSchema.ts';

const DEFAULT_NOW = '2026-01-01T00:00:00Z';
const DEFAULT_INVENTORY_TYPE_NAME = 'Custom:OSUsers';

const tagsSchema = z
  .record(z.string(), text(), { error: 'expected an object of tag key → string value' })
  .superRefine((tags, ctx) => {
    const seen = new Set<string>();
    for (const key of Object.keys(tags)) {
      if (key.length === 0 || key.length > 128)
        ctx.addIssue({ code: 'custom', path: [], message: 'tag keys are 1–128 characters' });
      // IAM tag keys are case-insensitive: two spellings of one key cannot coexist.
      if (seen.has(key.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'duplicate tag key (keys are case-insensitive)',
        });
      seen.add(key.toLowerCase());
    }
  })
  .default({});

const iamPath = () => text('an IAM path like "/" or "/ops/"', isIamPath).default('/');

const userSchema = closed({
  userName: text('an IAM user name', isIamName),
  path: iamPath(),
  tags: tagsSchema,
});
const roleSchema = closed({
  roleName: text('an IAM role name', isIamName),
  path: iamPath(),
  tags: tagsSchema,
});

const iamSchema = closed({
  users: list(userSchema)
    .superRefine(uniqueBy((u) => u.userName.toLowerCase(), 'user'))
    .default([]),
  roles: list(roleSchema)
    .superRefine(uniqueBy((r) => r.roleName.toLowerCase(), 'role'))
    .default([]),
  denyTagReads: flag().default(false),
});

/** The whole world file. */
export const worldInputSchema = closed({
  accountId: text('a 12-digit account id', ACCOUNT_ID).describe('The account the endpoint serves.'),
  partition: oneOf(['aws', 'aws-cn', 'aws-us-gov']).default('aws'),
  now: time()
    .default(DEFAULT_NOW)
    .describe("The world's clock wherever AWS would use the current time (ISO time)."),
  inventoryTypeName: text('an inventory type name', /^(AWS|Custom):[\w.-]+$/)
    .default(DEFAULT_INVENTORY_TYPE_NAME)
    .describe("The inventory type listing a node's OS users (the auditor's INVENTORY_TYPE_NAME)."),
  iam: iamSchema
    .default({ users: [], roles: [], denyTagReads: false })
    .describe(
      'IAM users and roles with their tags; denyTagReads makes ListUserTags/ListRoleTags answer AccessDenied.',
    ),
  regions: regionsSchema
    .default({})
    .describe('Per Region name: its documents, nodes, sessions, CloudTrail records and log groups.'),
  faults: list(faultRuleSchema)
    .default([])
    .describe(
      'Injected failures: API throttling, 5xx, access denied, latency; Run Command probes that stay pending.',
    ),
  quotas: quotaConfigSchema
    .exactOptional()
    .describe('Request-rate quotas (token buckets); writing the key turns enforcement on.'),
});

export const worldSchema: z.ZodType<World, unknown> = worldInputSchema.transform((world) => ({
  ...world,
  regions: Object.fromEntries(
    Object.entries(world.regions).map(([name, region]) => [
      name,
      { ...region, nodes: region.nodes.map(datedNode(world.now)) },
    ]),
  ),
}));

/** The JSON Schema world authors validate against: what a world file may hold, before defaults. */
export const worldJsonSchema = (): Record<string, unknown> => ({
  ...z.toJSONSchema(worldInputSchema, { io: 'input', unrepresentable: 'any' }),
  title: 'ssm-runas-auditor world',
  description:
    'AWS state the local endpoint serves: one account, its IAM principals, and per Region its documents, nodes, sessions, CloudTrail records and session log groups.',
});
