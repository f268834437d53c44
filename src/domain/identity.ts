/**
 * Identity as AWS sees it: which STS record issued the credentials a StartSession was signed
 * with, and the SSMSessionRunAs value that session carried. Pure rules over plain records; the
 * records come from CloudTrail (the AssumeRole*, GetFederationToken calls) through the state table
 * or LookupEvents.
 */
import type { Tags } from './facts.ts';
import { RUN_AS_TAG } from './sessionManager.ts';

export type StsEventName =
  | 'AssumeRole'
  | 'AssumeRoleWithSAML'
  | 'AssumeRoleWithWebIdentity'
  | 'GetFederationToken';

/** What one successful STS call issued, as its CloudTrail record shows it. */
export interface IdentityRecord {
  readonly eventName: StsEventName;
  readonly eventId: string;
  /** Region whose CloudTrail recorded the call (the STS endpoint's Region, not the session's). */
  readonly recordedIn: string;
  /** Account of the issued session (of the role, or of the federating IAM user). */
  readonly accountId: string;
  /** responseElements.credentials.accessKeyId: what CLI and SDK calls are later signed with. */
  readonly accessKeyId: string;
  /** The assumed-role or federated-user ARN: what later calls record as userIdentity.arn. */
  readonly sessionArn: string;
  /** The role (role sessions), or the IAM user or root that called GetFederationToken. */
  readonly issuerArn: string;
  /** Role session name, or the federated user's name. */
  readonly sessionName: string;
  /** eventTime of the call, ISO-8601 UTC with milliseconds; later calls record it as creationDate. */
  readonly issuedAt: string;
  /** When the issued credentials expire (ISO-8601 UTC with milliseconds). */
  readonly expiresAt: string;
  readonly sourceIdentity?: string;
  /** Effective session tags: passed, from the identity provider, and inherited (keys as recorded). */
  readonly tags: Tags;
  /** Keys that pass on to a chained session (transitiveTagKeys and inherited transitive tags). */
  readonly transitiveTagKeys: readonly string[];
}

/**
 * CloudTrail times have whole seconds, and `eventTime` (request completed) and `creationDate`
 * (credentials minted) are taken on the same STS host at slightly different moments: a record
 * issued up to this much after a session's creationDate is still that session's issuer.
 */
export const ISSUE_TIME_SLACK_MS = 1000;

/** Longest credential lifetime STS issues: GetFederationToken's 36 hours (role sessions: 12). */
export const MAX_CREDENTIAL_LIFETIME_MS = 36 * 60 * 60 * 1000;

/** What a StartSession's userIdentity says about the credentials it was signed with. */
export interface SessionCredentials {
  /** userIdentity.arn: the assumed-role or federated-user ARN. */
  readonly sessionArn: string;
  /** userIdentity.accessKeyId; '' when CloudTrail left it blank. */
  readonly accessKeyId: string;
  /** userIdentity.sessionContext.attributes.creationDate (ISO-8601 UTC with milliseconds). */
  readonly creationDate?: string;
  /** Signed with per-request console keys (see consoleSession): the issued key never appears. */
  readonly console: boolean;
  /** DescribeSessions `AccessType`, when it was read. */
  readonly accessType?: 'Standard' | 'JustInTime';
  /**
   * sessionContext.sessionIssuer.arn. A federated-user ARN names no issuer, so two IAM users
   * federating the same name share it: their records are told apart by this.
   */
  readonly issuerArn?: string;
}

export interface ConsoleHints {
  /** The record's top-level `sessionCredentialFromConsole` ("true" when present). */
  readonly sessionCredentialFromConsole?: unknown;
  readonly userAgent: string;
  readonly accessKeyId: string;
  readonly creationDate?: string;
}

/**
 * Console calls (Session Manager, Fleet Manager, EC2 Connect) are signed with a fresh key per
 * request under one creationDate: CloudTrail marks them `sessionCredentialFromConsole`, AWS's own
 * front ends call with an `aws-internal/` user agent, and some leave the key blank.
 */
export const consoleSession = (hints: ConsoleHints): boolean =>
  hints.sessionCredentialFromConsole === true ||
  hints.sessionCredentialFromConsole === 'true' ||
  hints.userAgent.startsWith('aws-internal/') ||
  (hints.accessKeyId.trim() === '' && hints.creationDate !== undefined);

export type JoinGap = 'just-in-time' | 'no-key-or-creation-date';

/** How a session can be tied to its STS record: `waitBy` is where a pending session is filed. */
export type JoinPlan =
  | {
      readonly byKey: boolean;
      readonly byRoleSession: boolean;
      readonly waitBy: 'role-session' | 'access-key';
    }
  | { readonly gap: JoinGap };

/**
 * Which joins can work. A just-in-time session's credentials come from ssm:GetAccessToken, which
 * no STS record issues. A pending session is filed by role session whenever the creationDate is
 * known, because the record that issued its key has the same session ARN and issue time, so one
 * entry is found by whichever record arrives.
 */
export const joinPlanOf = (session: SessionCredentials): JoinPlan => {
  if (session.accessType === 'JustInTime') return { gap: 'just-in-time' };
  const byKey = !session.console && session.accessKeyId.trim() !== '';
  const byRoleSession = session.creationDate !== undefined;
  if (byRoleSession) return { byKey, byRoleSession, waitBy: 'role-session' };
  if (byKey) return { byKey, byRoleSession, waitBy: 'access-key' };
  return { gap: 'no-key-or-creation-date' };
};

export type IdentityMatch =
  /** The record issued the very key the session was signed with. */
  | { readonly kind: 'access-key'; readonly record: IdentityRecord }
  /** Same role session, issued at its creationDate (within ISSUE_TIME_SLACK_MS). */
  | { readonly kind: 'issue-time'; readonly record: IdentityRecord }
  /** Same role session, the newest record issued before creationDate whose credentials were still valid then. */
  | { readonly kind: 'earlier-issue'; readonly record: IdentityRecord }
  | { readonly kind: 'none'; readonly gap: JoinGap | 'no-record' };

const millis = (iso: string): number => Date.parse(iso);

/**
 * The record that applies to a session, from candidates (any order, any mix of keys and sessions):
 * the exact key first; else the same role session issued at its creationDate; else the newest of
 * that role session issued before creationDate and not yet expired then. A later record of the
 * same role session (a console re-federation) issued other credentials than the ones in use, so
 * it never applies. Ties go to the smaller eventId, so the pick does not depend on order.
 */
export const pickIdentityRecord = (
  session: SessionCredentials,
  candidates: readonly IdentityRecord[],
): IdentityMatch => {
  const plan = joinPlanOf(session);
  if ('gap' in plan) return { kind: 'none', gap: plan.gap };
  // Oldest first, then by eventId, so that every pick below is independent of the input order.
  const ordered = [...candidates].sort(
    (a, b) => millis(a.issuedAt) - millis(b.issuedAt) || (a.eventId < b.eventId ? -1 : 1),
  );
  if (plan.byKey) {
    // A key is one session's: a record naming another session for it is not that key's issuer.
    const exact = ordered.find(
      (record) => record.accessKeyId === session.accessKeyId && record.sessionArn === session.sessionArn,
    );
    if (exact !== undefined) return { kind: 'access-key', record: exact };
  }
  if (plan.byRoleSession && session.creationDate !== undefined) {
    const created = millis(session.creationDate);
    const sameSession = ordered.filter(
      (record) =>
        record.sessionArn === session.sessionArn &&
        (record.eventName !== 'GetFederationToken' ||
          session.issuerArn === undefined ||
          record.issuerArn === session.issuerArn),
    );
    const atCreation = sameSession.find((record) => {
      const issued = millis(record.issuedAt);
      return issued >= created && issued <= created + ISSUE_TIME_SLACK_MS;
    });
    if (atCreation !== undefined) return { kind: 'issue-time', record: atCreation };
    const earlier = sameSession.filter(
      (record) => millis(record.issuedAt) < created && millis(record.expiresAt) > created,
    );
    const newestIssue = earlier.at(-1)?.issuedAt;
    const newest = earlier.find((record) => record.issuedAt === newestIssue);
    if (newest !== undefined) return { kind: 'earlier-issue', record: newest };
  }
  return { kind: 'none', gap: 'no-record' };
};

export type RunAsTagValue =
  /** A session tag decides, even with a blank value: the agent then falls back to runAsDefaultUser. */
  | { readonly source: 'session-tag'; readonly key: string; readonly value: string }
  | { readonly source: 'principal-tag'; readonly key: string; readonly value: string }
  | { readonly source: 'none' };

/** SSMSessionRunAs with a case-insensitive key, the exact spelling first; a blank value is kept. */
export const runAsTagOf = (tags: Tags): { readonly key: string; readonly value: string } | undefined => {
  const wanted = RUN_AS_TAG.toLowerCase();
  const [first] = Object.entries(tags)
    .filter(([key]) => key.toLowerCase() === wanted)
    .sort(([a], [b]) => Number(b === RUN_AS_TAG) - Number(a === RUN_AS_TAG) || (a < b ? -1 : 1));
  return first === undefined ? undefined : { key: first[0], value: first[1] };
};

/**
 * The SSMSessionRunAs a session carries. Session tags (passed, from SAML or web identity,
 * inherited in a role chain, or given to GetFederationToken) override the role's or the
 * federating user's tag with the same key, regardless of case, even when blank.
 */
export const effectiveRunAs = (sessionTags: Tags | undefined, principalTags: Tags): RunAsTagValue => {
  const session = sessionTags === undefined ? undefined : runAsTagOf(sessionTags);
  if (session !== undefined) return { source: 'session-tag', ...session };
  const principal = runAsTagOf(principalTags);
  if (principal !== undefined) return { source: 'principal-tag', ...principal };
  return { source: 'none' };
};

export interface IdentityCenterRole {
  /** The permission set the role was provisioned from. */
  readonly permissionSet: string;
  /** The Identity Center home Region; undefined when the path omits it outside the aws partition. */
  readonly homeRegion: string | undefined;
}

const IDENTITY_CENTER_PATH =
  /^\/aws-reserved\/sso\.amazonaws\.com\/(?:([a-z]{2}(?:-[a-z]+){1,3}-\d{1,2})\/)?$/;
const IDENTITY_CENTER_NAME = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

/**
 * An IAM Identity Center role: `AWSReservedSSO_<permission set>_<hex>` under
 * `/aws-reserved/sso.amazonaws.com/<home Region>/`, a path only AWS can create. The Region
 * segment is omitted when the home Region is us-east-1 (known for the aws partition only).
 */
export const identityCenterRoleOf = (
  role: { readonly path: string; readonly name: string },
  partition: string,
): IdentityCenterRole | undefined => {
  const path = IDENTITY_CENTER_PATH.exec(role.path);
  const name = IDENTITY_CENTER_NAME.exec(role.name);
  if (path === null || name === null) return undefined;
  const homeRegion = path[1] ?? (partition === 'aws' ? 'us-east-1' : undefined);
  return { permissionSet: name[1] ?? '', homeRegion };
};

/** Where the global STS endpoint records its calls, per partition. */
const GLOBAL_STS_REGION: Readonly<Record<string, string>> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/**
 * Regions whose CloudTrail may hold a session's STS record: the session's own (regional
 * endpoint), the global endpoint's, the Identity Center home Region and a configured one.
 */
export const stsRecordRegions = (facts: {
  readonly sessionRegion: string;
  readonly partition: string;
  readonly identityCenterHome?: string | undefined;
  readonly configured?: string | undefined;
}): string[] => {
  const regions = [
    facts.sessionRegion,
    GLOBAL_STS_REGION[facts.partition],
    facts.identityCenterHome,
    facts.configured,
  ];
  return [...new Set(regions.filter((region): region is string => region !== undefined && region !== ''))];
};
