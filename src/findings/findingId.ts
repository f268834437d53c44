/** Deterministic identifiers shared by every finding builder (DESIGN.md §4). */
import type { Partition } from '../events/partition.ts';

export type FindingCheck = 'session' | 'principal' | 'preferences' | 'active-session';

export const MAX_FINDING_ID = 512;

/** The default product ARN of a custom integration: findings are imported in the resource's account and Region. */
export const productArn = (partition: Partition, region: string, accountId: string): string =>
  `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;

/** 53-bit string hash (cyrb53): pure and stable, used only to keep capped ids distinct. */
const hash53 = (text: string): string => {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
};

/**
 * Printable ASCII only (anything else becomes '_') and at most 512 characters; a longer id
 * keeps its head and ends with a hash of the whole, so distinct subjects stay distinct.
 */
export const capFindingId = (id: string): string => {
  const printable = id.replace(/[^\x21-\x7e]/g, '_');
  if (printable.length <= MAX_FINDING_ID) return printable;
  const suffix = `~${hash53(id)}`;
  return `${printable.slice(0, MAX_FINDING_ID - suffix.length)}${suffix}`;
};

/** `<account>/<region>/ssm-runas/<check>/<subject>`: re-processing the same subject updates, never duplicates. */
export const findingId = (accountId: string, region: string, check: FindingCheck, subject: string): string =>
  capFindingId(`${accountId}/${region}/ssm-runas/${check}/${subject}`);
