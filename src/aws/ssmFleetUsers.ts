/**
 * FleetUsers over SSM: the Region's managed Linux and macOS nodes (DescribeInstanceInformation,
 * filtered by PlatformTypes: Run As does not exist on Windows), each asked through a NodeUsers
 * port. Composition gives it the inventory adapter, so ListInventoryEntries is read and judged in
 * one place and the pre-check never runs anything on a node.
 */
import { paginateDescribeInstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import type { FleetUsers, NodeUsers } from '../app/ports.ts';
import { type Known, known, type NameMatch, unknown } from '../domain/facts.ts';
import type { FleetPresence } from '../domain/fleetPresence.ts';
import { classifySdkError, sdkErrorName, toAwsCallError } from './sdkErrors.ts';

export interface SsmFleetUsersOptions {
  /** How one node's users are known: the inventory adapter (never the Run Command probe). */
  readonly nodeUsers: NodeUsers;
  /** Nodes looked up at once (default 8), to stay within SSM's request rate. */
  readonly concurrency?: number;
}

const RUN_AS_PLATFORMS: ReadonlySet<string> = new Set(['Linux', 'MacOS']);

/** A node and how it compares names (macOS Directory Services ignores case). */
interface Node {
  readonly id: string;
  readonly match: NameMatch;
}
const PAGE_SIZE = 50;
/** 200 pages of 50: bounds a runaway listing far above what one Lambda run can check. */
const MAX_PAGES = 200;
const DEFAULT_CONCURRENCY = 8;

/** Runs `work` over items, at most `limit` at a time; the first failure stops new work and is thrown. */
const forEachLimited = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

export const createSsmFleetUsers = (ssm: SSMClient, options: SsmFleetUsersOptions): FleetUsers => {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));

  const listNodes = async (): Promise<Known<readonly Node[]>> => {
    const nodes = new Map<string, Node>();
    const pages = paginateDescribeInstanceInformation(
      { client: ssm, pageSize: PAGE_SIZE },
      { Filters: [{ Key: 'PlatformTypes', Values: [...RUN_AS_PLATFORMS] }] },
    );
    let complete = false;
    let count = 0;
    try {
      for await (const page of pages) {
        for (const info of page.InstanceInformationList ?? []) {
          // The filter already leaves Windows out; a node of another platform is never judged.
          if (info.InstanceId && RUN_AS_PLATFORMS.has(info.PlatformType ?? '')) {
            nodes.set(info.InstanceId, {
              id: info.InstanceId,
              match: info.PlatformType === 'MacOS' ? 'ignore-case' : 'exact',
            });
          }
        }
        complete = !page.NextToken;
        if (complete || ++count === MAX_PAGES) break;
      }
    } catch (err) {
      if (classifySdkError(err, []) === 'access-denied') {
        return unknown(`the auditor is not allowed ssm:DescribeInstanceInformation (${sdkErrorName(err)})`);
      }
      throw toAwsCallError('ssm:DescribeInstanceInformation', err);
    }
    if (!complete) {
      return unknown(`the Region has more than ${MAX_PAGES * PAGE_SIZE} Linux and macOS nodes`);
    }
    return known([...nodes.values()]);
  };

  return {
    nodesMissing: async (user, asOf): Promise<Known<FleetPresence>> => {
      const listing = await listNodes();
      if (!listing.known) return listing;
      const nodes = listing.value;
      const missing: string[] = [];
      let unknownCount = 0;
      await forEachLimited(nodes, concurrency, async (node) => {
        const presence = await options.nodeUsers.presenceOf(node.id, user, { asOf, match: node.match });
        if (presence.status === 'missing') missing.push(node.id);
        else if (presence.status === 'unknown') unknownCount++;
      });
      // Sorted, so a re-evaluation of the same fleet writes the same description.
      missing.sort();
      return known({ checked: nodes.length, missing, unknown: unknownCount });
    },
  };
};
