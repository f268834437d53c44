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
import { parseTrustPolicy, TrustPolicyError } from '../services/stsTrust.ts';
import { closed, flag, list, oneOf, text, uniqueBy, whole } from './inputSchema.ts';
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

const accessKeyId = () => text('an access key id like "AKIA" + 16 characters', /^AKIA[A-Z0-9]{16}$/);

const userSchema = closed({
  userName: text('an IAM user name', isIamName),
  path: iamPath(),
  tags: tagsSchema,
  accessKeyIds: list(accessKeyId())
    .default([])
    .describe('Long-term access key ids whose signed requests act as this user (secrets are not checked).'),
});
const roleSchema = closed({
  roleName: text('an IAM role name', isIamName),
  path: iamPath(),
  tags: tagsSchema,
  trustPolicy: z
    .record(z.string(), z.unknown(), { error: 'expected a trust policy document (an object)' })
    .superRefine((document, ctx) => {
      try {
        parseTrustPolicy(document, 'trustPolicy');
      } catch (error) {
        if (!(error instanceof TrustPolicyError)) throw error;
        ctx.addIssue({ code: 'custom', path: [], message: error.message });
      }
    })
    .exactOptional()
    .describe('Who may assume the role (sts:AssumeRole); absent: its own account.'),
  maxSessionDuration: whole(3600, 43200, 'whole seconds from 3600 to 43200').default(3600),
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
const EMPTY_IAM = { users: [], roles: [], denyTagReads: false };

const accountId = () => text('a 12-digit account id', ACCOUNT_ID);

const accountSchema = closed({
  accountId: accountId(),
  iam: iamSchema.default(EMPTY_IAM),
  regions: regionsSchema.default({}),
});

const organizationSchema = closed({
  id: text('an organization id like "o-a1b2c3d4e5"', /^o-[a-z0-9]{10,32}$/),
  managementAccountId: accountId(),
  auditAccountId: accountId().describe(
    'The account the audit stack runs in: credentials the endpoint did not issue act for it.',
  ),
});

const FORMS = 'a world is one account (accountId, iam, regions) or an organization (organization, accounts)';

/** The whole world file. */
export const worldInputSchema = closed({
  accountId: accountId()
    .exactOptional()
    .describe('The one account the endpoint serves (single-account form).'),
  partition: oneOf(['aws', 'aws-cn', 'aws-us-gov']).default('aws'),
  now: time()
    .default(DEFAULT_NOW)
    .describe("The world's clock wherever AWS would use the current time (ISO time)."),
  inventoryTypeName: text('an inventory type name', /^(AWS|Custom):[\w.-]+$/)
    .default(DEFAULT_INVENTORY_TYPE_NAME)
    .describe("The inventory type listing a node's OS users (the auditor's INVENTORY_TYPE_NAME)."),
  iam: iamSchema
    .exactOptional()
    .describe(
      'IAM users and roles with their tags; denyTagReads makes ListUserTags/ListRoleTags answer AccessDenied.',
    ),
  regions: regionsSchema
    .exactOptional()
    .describe('Per Region name: its documents, nodes, sessions, CloudTrail records and log groups.'),
  organization: organizationSchema
    .exactOptional()
    .describe('The AWS Organization of a world of several accounts (organization form).'),
  accounts: list(accountSchema)
    .min(1, { error: 'expected at least one account' })
    .superRefine(
      uniqueBy(
        (a) => a.accountId,
        'account id',
        (index) => [index, 'accountId'],
      ),
    )
    .exactOptional()
    .describe('The accounts of the organization, each with its IAM and Regions (organization form).'),
  faults: list(faultRuleSchema)
    .default([])
    .describe(
      'Injected failures: API throttling, 5xx, access denied, latency; Run Command probes that stay pending.',
    ),
  quotas: quotaConfigSchema
    .exactOptional()
    .describe('Request-rate quotas (token buckets); writing the key turns enforcement on.'),
}).superRefine((world, ctx) => {
  const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  // An access key belongs to one principal: it is how the endpoint tells accounts apart.
  const keys = new Set<string>();
  const described = world.accounts ?? [{ iam: world.iam }];
  described.forEach((account, a) => {
    account.iam?.users.forEach((user, u) => {
      user.accessKeyIds.forEach((key, k) => {
        const at = world.accounts === undefined ? ['iam'] : ['accounts', a, 'iam'];
        if (keys.has(key))
          problem([...at, 'users', u, 'accessKeyIds', k], `duplicate access key id "${key}"`);
        keys.add(key);
      });
    });
  });
  if (world.organization === undefined) {
    if (world.accounts !== undefined) problem(['organization'], `accounts needs organization: ${FORMS}`);
    else if (world.accountId === undefined)
      problem(['accountId'], `expected a 12-digit account id: ${FORMS}`);
    return;
  }
  for (const key of ['accountId', 'iam', 'regions'] as const)
    if (world[key] !== undefined)
      problem([key], `not allowed with organization (put it in accounts): ${FORMS}`);
  const ids = (world.accounts ?? []).map((a) => a.accountId);
  if (world.accounts === undefined) problem(['accounts'], 'an organization needs its accounts');
  else if (!ids.includes(world.organization.auditAccountId))
    problem(['organization', 'auditAccountId'], `expected one of the accounts (${ids.join(', ')})`);
});

/**
 * A parsed World parses again to itself (tools re-parse a world with one key changed): its
 * derived keys go — `accounts` of a single-account world (it mirrors accountId, iam and regions),
 * the default account's accountId, iam and regions of an organization (they mirror its entry).
 */
const withoutDerivedKeys = (json: unknown): unknown => {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const { accounts, accountId, iam, regions, ...rest } = json as Record<string, unknown>;
  if (accountId === undefined || !Array.isArray(accounts)) return json;
  // Only an exact mirror is derived; anything else is the author's and is judged as written.
  const mirror = JSON.stringify({ accountId, iam, regions });
  const entry = accounts.find((account) => JSON.stringify(account) === mirror);
  if (entry === undefined) return json;
  return 'organization' in rest ? { ...rest, accounts } : { ...rest, accountId, iam, regions };
};

export const worldSchema: z.ZodType<World, unknown> = z
  .preprocess(withoutDerivedKeys, worldInputSchema)
  .transform((world): World => {
    const { accountId: single, iam, regions, organization, accounts, ...shared } = world;
    const described = accounts ?? [
      { accountId: single ?? '', iam: iam ?? EMPTY_IAM, regions: regions ?? {} },
    ];
    const dated = described.map((account) => ({
      ...account,
      regions: Object.fromEntries(
        Object.entries(account.regions).map(([name, region]) => [
          name,
          { ...region, nodes: region.nodes.map(datedNode(world.now)) },
        ]),
      ),
    }));
    const defaultId = organization?.auditAccountId ?? single ?? '';
    const main = dated.find((a) => a.accountId === defaultId) ?? dated[0];
    if (main === undefined) throw new Error('a validated world has an account');
    return {
      ...shared,
      accountId: main.accountId,
      iam: main.iam,
      regions: main.regions,
      accounts: dated,
      ...(organization === undefined ? {} : { organization }),
    };
  });

/** The JSON Schema world authors validate against: what a world file may hold, before defaults. */
export const worldJsonSchema = (): Record<string, unknown> => ({
  ...z.toJSONSchema(worldInputSchema, { io: 'input', unrepresentable: 'any' }),
  title: 'ssm-runas-auditor world',
  description:
    'AWS state the local endpoint serves: one account (or an organization of accounts), each with its IAM principals and per Region its documents, nodes, sessions, CloudTrail records and session log groups.',
  // The two forms; zod's refinements (unique ids, the audit account among the accounts) are not JSON Schema.
  oneOf: [
    { required: ['accountId'], not: { anyOf: [{ required: ['organization'] }, { required: ['accounts'] }] } },
    {
      required: ['organization', 'accounts'],
      not: { anyOf: [{ required: ['accountId'] }, { required: ['iam'] }, { required: ['regions'] }] },
    },
  ],
});
