/** Deterministic identifiers shared by every finding builder. */
import { createHash } from 'node:crypto';
import type { Partition } from '../domain/identifiers.ts';
import type { FindingCheck } from './productFields.ts';

export const MAX_FINDING_ID = 512;

/** The default product ARN of a custom integration: findings are imported in the resource's account and Region. */
export const productArn = (partition: Partition, region: string, accountId: string): string =>
  `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;

/** A stable stand-in for a subject too long for an Id (its full value goes to RunAs/Subject). */
export const subjectDigest = (subject: string): string =>
  `sha256-${createHash('sha256').update(subject, 'utf8').digest('hex')}`;

const idOf = (accountId: string, region: string, check: FindingCheck, subject: string): string =>
  `${accountId}/${region}/ssm-runas/${check}/${subject}`;

/** Printable ASCII only: anything else becomes '_'. */
const printable = (text: string): string => text.replace(/[^\x21-\x7e]/g, '_');

/** Whether the subject fits in an Id as it is; otherwise the Id carries its digest. */
export const subjectFits = (
  accountId: string,
  region: string,
  check: FindingCheck,
  subject: string,
): boolean => idOf(accountId, region, check, printable(subject)).length <= MAX_FINDING_ID;

/**
 * `<account>/<region>/ssm-runas/<check>/<subject>`: re-processing the same subject updates, never
 * duplicates. A subject that would make the Id longer than 512 is replaced by its digest.
 */
export const findingId = (accountId: string, region: string, check: FindingCheck, subject: string): string =>
  subjectFits(accountId, region, check, subject)
    ? idOf(accountId, region, check, printable(subject))
    : idOf(accountId, region, check, subjectDigest(subject));
