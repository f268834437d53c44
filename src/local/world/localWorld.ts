/**
 * An account as the local endpoint serves it right now: built from a validated world, read by
 * the services, moved forward by replay one raw CloudTrail record at a time (worldChanges.ts).
 * A world of several accounts gives one LocalWorld per account; the one `new LocalWorld(world)`
 * returns is the default account's (the audit account of an organization), and `account(id)`
 * reaches the others.
 */
import { createHash } from 'node:crypto';
import type { FaultRule } from '../services/faults.ts';
import type { World, WorldAccount, WorldNode, WorldOrganization } from './world.ts';
import { applyChange } from './worldChanges.ts';
import type { WorldLogGroup } from './worldLogs.ts';
import {
  type DocumentState,
  emptyRegion,
  type PrincipalState,
  type RegionState,
  type StoredFinding,
  type Tag,
} from './worldState.ts';

function iamUniqueId(prefix: string, name: string): string {
  const digest = createHash('sha256').update(`${prefix}:${name}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = prefix;
  for (let i = 0; i < 17; i++) id += alphabet[(digest[i] ?? 0) % 32];
  return id;
}

function tagList(record: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/** An account as the local endpoint serves it right now. */
export class LocalWorld {
  readonly accountId: string;
  /** The organization every account of the world belongs to, if the world describes one. */
  readonly organization: WorldOrganization | undefined;
  readonly partition: string;
  readonly now: string;
  readonly inventoryTypeName: string;
  readonly initialFaults: readonly FaultRule[];
  denyTagReads: boolean;
  /** The replay's clock, one for every account of the world. */
  readonly #replay: { eventTime: string | undefined };
  /** Keyed by lower-cased name: IAM names are unique case-insensitively. */
  readonly users = new Map<string, PrincipalState>();
  readonly roles = new Map<string, PrincipalState>();
  /** The world users' long-term access key ids → user name. */
  readonly accessKeyIds = new Map<string, string>();
  readonly #regions = new Map<string, RegionState>();
  #commandCounter = 0;
  /** Every account of the world by id, this one included (shared by all of them). */
  readonly #accounts: Map<string, LocalWorld>;

  constructor(
    world: World,
    account?: {
      readonly of: WorldAccount;
      readonly accounts: Map<string, LocalWorld>;
      readonly replay: { eventTime: string | undefined };
    },
  ) {
    const own = account?.of ?? { accountId: world.accountId, iam: world.iam, regions: world.regions };
    this.#accounts = account?.accounts ?? new Map();
    this.#replay = account?.replay ?? { eventTime: undefined };
    this.#accounts.set(own.accountId, this);
    this.accountId = own.accountId;
    this.organization = world.organization;
    this.partition = world.partition;
    this.now = world.now;
    this.inventoryTypeName = world.inventoryTypeName;
    this.initialFaults = world.faults;
    this.denyTagReads = own.iam.denyTagReads;
    for (const user of own.iam.users) {
      this.putPrincipal('user', user.userName, user.path, tagList(user.tags));
      for (const key of user.accessKeyIds ?? []) this.accessKeyIds.set(key, user.userName);
    }
    for (const role of own.iam.roles) {
      this.putPrincipal('role', role.roleName, role.path, tagList(role.tags), {
        maxSessionDuration: role.maxSessionDuration,
        ...(role.trustPolicy === undefined ? {} : { trustPolicy: role.trustPolicy }),
      });
    }
    for (const [name, region] of Object.entries(own.regions)) {
      const state = this.region(name);
      for (const doc of region.documents) {
        state.documents.set(doc.name, {
          name: doc.name,
          documentType: doc.documentType,
          owner: doc.owner,
          versions: new Map(doc.versions.map((v) => [v.version, v.content])),
          defaultVersion: doc.defaultVersion,
          latestVersion: doc.latestVersion,
          deleted: false,
          createdDate: world.now,
        });
      }
      for (const node of region.nodes) state.nodes.set(node.id, node);
      for (const session of region.sessions) state.sessions.push({ ...session });
      state.cloudTrail.push(...region.cloudTrail);
      state.logGroups = region.logGroups;
    }
    if (account === undefined) {
      for (const other of world.accounts ?? []) {
        if (!this.#accounts.has(other.accountId))
          new LocalWorld(world, { of: other, accounts: this.#accounts, replay: this.#replay });
      }
    }
  }

  /**
   * The time of the event being replayed (applyChange sets it from every record it sees), shared
   * by the accounts of the world: an event in one account is the time in all of them.
   */
  get eventTime(): string | undefined {
    return this.#replay.eventTime;
  }

  set eventTime(time: string | undefined) {
    this.#replay.eventTime = time;
  }

  /** An account of the world by id (this one, or another account of its organization). */
  account(accountId: string): LocalWorld | undefined {
    return this.#accounts.get(accountId);
  }

  /** Every account of the world, in the order the world lists them (this one first when alone). */
  accounts(): LocalWorld[] {
    return [...this.#accounts.values()];
  }

  /** State of a Region, created empty on first use (any Region can receive findings). */
  region(name: string): RegionState {
    let state = this.#regions.get(name);
    if (state === undefined) {
      state = emptyRegion();
      this.#regions.set(name, state);
    }
    return state;
  }

  regionNames(): string[] {
    return [...this.#regions.keys()];
  }

  user(name: string): PrincipalState | undefined {
    return this.users.get(name.toLowerCase());
  }

  role(name: string): PrincipalState | undefined {
    return this.roles.get(name.toLowerCase());
  }

  principalArn(principal: PrincipalState): string {
    return `arn:${this.partition}:iam::${this.accountId}:${principal.kind}${principal.path}${principal.name}`;
  }

  /** The live document (not deleted) of a Region. */
  document(region: string, name: string): DocumentState | undefined {
    const doc = this.storedDocument(region, name);
    return doc === undefined || doc.deleted ? undefined : doc;
  }

  /** A document the world knows in a Region, deleted or not (a replayed CreateDocument restores it). */
  storedDocument(region: string, name: string): DocumentState | undefined {
    return this.#regions.get(region)?.documents.get(name);
  }

  /** The Region's CloudWatch Logs groups (none in a Region the world does not describe). */
  logGroupsIn(region: string): readonly WorldLogGroup[] {
    return this.#regions.get(region)?.logGroups ?? [];
  }

  /** Findings Security Hub stores, in first-import order; one Region or all of them. */
  findings(region?: string): StoredFinding[] {
    const one = region === undefined ? undefined : this.#regions.get(region);
    const regions = region === undefined ? [...this.#regions.values()] : one === undefined ? [] : [one];
    return regions.flatMap((state) =>
      [...state.findings.values()].map((finding) => structuredClone(finding)),
    );
  }

  /** A node's inventory capture time: the world's, or fresh at the event being replayed. */
  inventoryTimeOf(node: WorldNode): string {
    return node.inventoryCaptureTime ?? this.eventTime ?? this.now;
  }

  /** A deterministic command id (UUID-shaped) so replays print the same output. */
  nextCommandId(): string {
    this.#commandCounter += 1;
    return `00000000-0000-4000-8000-${this.#commandCounter.toString(16).padStart(12, '0')}`;
  }

  /**
   * Replays one raw CloudTrail record (an EventBridge event's `detail`). Returns true when the
   * world changed; unknown, failed (errorCode) or inapplicable records change nothing.
   */
  applyChange(record: unknown): boolean {
    return applyChange(this, record);
  }

  /** Adds (or replaces) a user or role, as the world or a replayed Create event gives it. */
  putPrincipal(
    kind: 'user' | 'role',
    name: string,
    path: string,
    tags: Tag[],
    role: Pick<PrincipalState, 'trustPolicy' | 'maxSessionDuration'> = {},
  ): void {
    const map = kind === 'user' ? this.users : this.roles;
    map.set(name.toLowerCase(), {
      kind,
      name,
      path,
      // Unique per account in an organization; a single account keeps the ids it always had.
      id: iamUniqueId(
        kind === 'user' ? 'AIDA' : 'AROA',
        this.organization === undefined ? name : `${this.accountId}/${name}`,
      ),
      createDate: this.now,
      tags,
      ...role,
    });
  }
}
