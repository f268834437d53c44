/**
 * Reviews of a principal's mapping or a Region's preferences that no change event asked for: the
 * audit command's posture of the whole account, and the sweep's refresh of findings Security Hub
 * would otherwise delete. They run the change use cases, so they write exactly what a change would;
 * their time is the review's own event time (the audit's end, the sweep's scheduled time), and it
 * becomes the findings' UpdatedAt.
 */
import type { Principal } from '../domain/facts.ts';
import type { Partition } from '../domain/identifiers.ts';
import type { DocumentChangeCommand } from './documentChange.ts';
import type { PrincipalChangeCommand } from './principalChange.ts';

/** What started the review, as RunAs/ChangeEvent and RunAs/EventId name it. */
export interface Review {
  /** `PostureAudit` (the audit command) or `SweepRefresh` (the sweep). */
  readonly eventName: string;
  /** ISO-8601 UTC: UpdatedAt of every finding the review writes. */
  readonly eventTime: string;
  readonly accountId: string;
  readonly partition: Partition;
  /** Who asked (the caller's ARN, or the sweep function). */
  readonly by: string;
}

const reviewId = (review: Review, subject: string): string =>
  `${review.eventName}/${review.eventTime}/${subject}`.slice(0, 128);

/** The review of an IAM user or role as IAM or a finding names it (its ARN with its path). */
export const principalReview = (
  review: Review,
  principal: Principal & { readonly kind: 'user' | 'role' },
): PrincipalChangeCommand => ({
  eventId: reviewId(review, `${principal.kind}/${principal.name}`),
  eventTime: review.eventTime,
  eventName: review.eventName,
  accountId: review.accountId,
  partition: review.partition,
  principal,
  pathKnown: true,
  runAsTagInvolved: true,
  // A review reads the tags as they are now; it records no change of them.
  runAsValue: undefined,
  deleted: false,
  changedBy: review.by,
});

/** The review of a Session document of a Region (its preferences: SSM-SessionManagerRunShell). */
export const documentReview = (
  review: Review,
  region: string,
  documentName: string,
): DocumentChangeCommand => ({
  eventId: reviewId(review, `${region}/${documentName}`),
  eventTime: review.eventTime,
  eventName: review.eventName,
  accountId: review.accountId,
  region,
  partition: review.partition,
  documentName,
  documentType: 'Session',
  deleted: false,
  changedBy: review.by,
});
