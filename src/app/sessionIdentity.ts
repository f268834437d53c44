/**
 * Session tags as AWS sees them: the STS record that issued a session's credentials, found in the
 * state table first (the identity function stores every tagged record, from every Region that
 * forwards them), then with CloudTrail LookupEvents by the issued access key, exactly, in each
 * Region that may have recorded it, then by the role session's issue time (console sessions sign
 * with other keys). A record found in CloudTrail is stored for the next session of the same
 * credentials. A session whose record is nowhere yet is filed as pending: the identity function
 * audits it again when the record arrives.
 */
import type { SessionTagsFact } from '../domain/facts.ts';
import {
  type IdentityMatch,
  type IdentityRecord,
  identityCenterRoleOf,
  joinPlanOf,
  pickIdentityRecord,
  type SessionCredentials,
  stsRecordRegions,
} from '../domain/identity.ts';
import type { StartSessionCommand } from '../events/startSession.ts';
import type { PendingSessions, SessionAccess, SessionIssuer, SessionTags, StsRecords } from './ports.ts';
import type { IdentityStore, PendingJoin, PendingSession } from './statePorts.ts';

/** A warm-container cache of what was found for one set of credentials (a TtlCache fits). */
export interface FindingsCache {
  get(key: string, load: () => Promise<Located>): Promise<Located>;
  delete(key: string): void;
}

export interface SessionIdentityPorts {
  /** The state table's identity records and pending sessions; absent without a state table. */
  readonly identities?: IdentityStore;
  /** LookupEvents of the session's account in a Region. */
  readonly stsRecordsIn: (region: string) => StsRecords;
  readonly sessionAccess: SessionAccess;
  readonly cache?: FindingsCache;
}

export interface SessionIdentitySettings {
  /** IDENTITY_CENTER_REGION: one more Region whose CloudTrail may hold the sign-in. */
  readonly identityCenterRegion: string | undefined;
}

type Match = { readonly kind: 'match'; readonly match: Extract<IdentityMatch, { record: IdentityRecord }> };

/** What the search found for a session's credentials. */
export type Located =
  | Match
  | { readonly kind: 'just-in-time' }
  | { readonly kind: 'missing'; readonly reason: string };

type Session = StartSessionCommand;

const credentialsOf = (session: Session): SessionCredentials => ({
  sessionArn: session.principal.callerArn,
  accessKeyId: session.principal.accessKeyId,
  ...(session.principal.sessionCreatedAt === undefined
    ? {}
    : { creationDate: session.principal.sessionCreatedAt }),
  console: session.console,
});

const matched = (match: IdentityMatch): Match | undefined =>
  match.kind === 'none' ? undefined : { kind: 'match', match };

const knownFact = ({ match }: Match): SessionTagsFact => ({
  status: 'known',
  tags: match.record.tags,
  source: {
    eventName: match.record.eventName,
    eventId: match.record.eventId,
    recordedIn: match.record.recordedIn,
    match: match.kind,
  },
});

const issuerOf = (session: Session): SessionIssuer =>
  session.principal.kind === 'role'
    ? { kind: 'role', roleArn: session.principal.arn }
    : { kind: 'federated-user' };

export const createSessionIdentity = (
  ports: SessionIdentityPorts,
  settings: SessionIdentitySettings,
): SessionTags & PendingSessions => {
  const { identities } = ports;

  /** The table: the record of the issued key, then those of the role session around its creation. */
  const fromTable = async (session: Session): Promise<Match | undefined> => {
    if (identities === undefined) return undefined;
    const credentials = credentialsOf(session);
    const plan = joinPlanOf(credentials);
    if ('gap' in plan) return undefined;
    const candidates: IdentityRecord[] = [];
    if (plan.byKey) {
      const byKey = await identities.byAccessKey(credentials.accessKeyId);
      if (byKey !== undefined) candidates.push(byKey);
      const found = matched(pickIdentityRecord(credentials, candidates));
      if (found !== undefined) return found;
    }
    if (plan.byRoleSession && credentials.creationDate !== undefined) {
      candidates.push(...(await identities.byRoleSession(credentials.sessionArn, credentials.creationDate)));
    }
    return matched(pickIdentityRecord(credentials, candidates));
  };

  /** CloudTrail in every Region that may hold the record: by the issued key, then by issue time. */
  const fromCloudTrail = async (session: Session): Promise<Located> => {
    const credentials = credentialsOf(session);
    const plan = joinPlanOf(credentials);
    if ('gap' in plan) return { kind: 'missing', reason: 'CloudTrail recorded no key or creation date' };
    const { principal } = session;
    const regions = stsRecordRegions({
      sessionRegion: session.region,
      partition: session.partition,
      identityCenterHome: identityCenterRoleOf(principal, session.partition)?.homeRegion,
      configured: settings.identityCenterRegion,
    });
    const unreadable: string[] = [];
    const search = async (
      read: (records: StsRecords) => ReturnType<StsRecords['byAccessKey']>,
    ): Promise<Match | undefined> => {
      for (const region of regions) {
        const records = await read(ports.stsRecordsIn(region));
        if (!records.known) {
          unreadable.push(`${region}: ${records.reason}`);
          continue;
        }
        const found = matched(pickIdentityRecord(credentials, records.value));
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const found =
      (plan.byKey ? await search((r) => r.byAccessKey(credentials.accessKeyId)) : undefined) ??
      (plan.byRoleSession && credentials.creationDate !== undefined
        ? await search((r) => r.issuedAt(issuerOf(session), credentials.creationDate ?? ''))
        : undefined);
    if (found !== undefined) {
      // The next session signed with these credentials finds it in the table.
      await identities?.put(found.match.record);
      return found;
    }
    const where = `no STS record of these credentials in CloudTrail of ${regions.join(', ')}`;
    const denied = [...new Set(unreadable)].join('; ');
    return { kind: 'missing', reason: denied === '' ? where : `${where} (${denied})` };
  };

  /** One search per set of credentials: the table, just-in-time access, then CloudTrail. */
  const locate = async (session: Session): Promise<Located> => {
    const inTable = await fromTable(session);
    if (inTable !== undefined) return inTable;
    const accessType =
      session.sessionId === null ? undefined : await ports.sessionAccess.accessTypeOf(session.sessionId);
    if (accessType === 'JustInTime') return { kind: 'just-in-time' };
    return fromCloudTrail(session);
  };

  /**
   * Files the session to wait for its record, then looks in the table once more: a record stored
   * meanwhile is used, and the session taken back (unless the identity function already took it).
   */
  const fileUntilRecord = async (
    session: Session,
    reported: boolean,
  ): Promise<SessionTagsFact | undefined> => {
    const credentials = credentialsOf(session);
    const plan = joinPlanOf(credentials);
    if (identities === undefined || 'gap' in plan) return undefined;
    const waitsFor: PendingJoin =
      plan.waitBy === 'role-session' && credentials.creationDate !== undefined
        ? { by: 'role-session', sessionArn: credentials.sessionArn, creationDate: credentials.creationDate }
        : { by: 'access-key', accessKeyId: credentials.accessKeyId };
    const pending: PendingSession = {
      accountId: session.accountId,
      region: session.region,
      eventId: session.eventId,
      eventTime: session.eventTime,
      sessionId: session.sessionId,
      waitsFor,
      event: session.event,
      reported,
    };
    await identities.addPending(pending);
    const arrived = await fromTable(session);
    if (arrived === undefined) return undefined;
    await identities.withdrawPending(pending);
    return knownFact(arrived);
  };

  return {
    sessionTagsOf: async (session) => {
      const { principal } = session;
      if (principal.kind !== 'role' && principal.kind !== 'federated-user') {
        return { status: 'not-a-role-session' };
      }
      const plan = joinPlanOf(credentialsOf(session));
      if ('gap' in plan) {
        return {
          status: 'unknown',
          reason: 'CloudTrail recorded neither its access key nor its creation date',
        };
      }
      const key = `${principal.callerArn}\u0000${principal.accessKeyId}\u0000${principal.sessionCreatedAt ?? ''}`;
      const located = await (ports.cache?.get(key, () => locate(session)) ?? locate(session));
      if (located.kind === 'match') return knownFact(located);
      // Nothing found is never kept: the record may arrive any moment.
      ports.cache?.delete(key);
      if (located.kind === 'just-in-time') {
        return {
          status: 'unknown',
          reason: 'just-in-time node access credentials come from ssm:GetAccessToken',
          justInTime: true,
        };
      }
      // With a state table the session waits for its record, and is audited again when it comes.
      return identities === undefined
        ? { status: 'unknown', reason: located.reason }
        : { status: 'unknown', reason: located.reason, pending: true };
    },
    fileUntilRecord,
  };
};
