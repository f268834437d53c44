/** Hand-written fakes of the state ports and of CloudTrail's STS records, counting their calls. */
import type { SessionAccess, StsRecords } from '../../../src/app/ports.ts';
import type {
  IdentityStore,
  LedgerEntry,
  PendingSession,
  TagChange,
  TagHistory,
  TagValueAt,
} from '../../../src/app/statePorts.ts';
import { known, unknown } from '../../../src/domain/facts.ts';
import { type IdentityRecord, MAX_CREDENTIAL_LIFETIME_MS } from '../../../src/domain/identity.ts';

export const ACCOUNT = '111122223333';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b`;
export const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Ops_0a1b2c3d4e5f6a7b/dana`;
export const ISSUED = '2026-03-01T10:00:00.000Z';

export const record = (eventId: string, overrides: Partial<IdentityRecord> = {}): IdentityRecord => ({
  eventName: 'AssumeRoleWithSAML',
  eventId,
  recordedIn: 'eu-west-1',
  accountId: ACCOUNT,
  accessKeyId: `ASIA${eventId.toUpperCase().padEnd(16, '0')}`,
  sessionArn: SESSION_ARN,
  issuerArn: ROLE_ARN,
  sessionName: 'dana',
  issuedAt: ISSUED,
  expiresAt: '2026-03-01T18:00:00.000Z',
  tags: { SSMSessionRunAs: 'dana' },
  transitiveTagKeys: [],
  ...overrides,
});

const keyOf = (p: PendingSession): string => `${p.eventId}`;

/** An identity store in memory: records by key and role session, pending sessions with claims. */
export const fakeIdentityStore = (records: IdentityRecord[] = []) => {
  const calls: string[] = [];
  const pending = new Map<string, { session: PendingSession; claimed: boolean }>();
  /** Called between addPending and the look that follows (a record arriving meanwhile). */
  let afterAdd: (() => void) | undefined;
  const store: IdentityStore = {
    put: async (r) => {
      calls.push(`put ${r.eventId}`);
      if (!records.some((x) => x.eventId === r.eventId)) records.push(r);
    },
    byAccessKey: async (key) => {
      calls.push(`byAccessKey ${key}`);
      return records.find((r) => r.accessKeyId === key);
    },
    byRoleSession: async (arn, creationDate) => {
      calls.push(`byRoleSession ${arn}`);
      const created = Date.parse(creationDate);
      return records.filter(
        (r) =>
          r.sessionArn === arn &&
          Date.parse(r.issuedAt) >= created - MAX_CREDENTIAL_LIFETIME_MS &&
          Date.parse(r.issuedAt) <= created + 1000,
      );
    },
    addPending: async (session) => {
      calls.push(`addPending ${session.eventId}`);
      if (pending.has(keyOf(session))) return 'already-pending';
      pending.set(keyOf(session), { session, claimed: false });
      afterAdd?.();
      return 'added';
    },
    withdrawPending: async (session) => {
      calls.push(`withdrawPending ${session.eventId}`);
      const held = pending.get(keyOf(session));
      if (held?.claimed === true) return 'taken';
      pending.delete(keyOf(session));
      return 'withdrawn';
    },
    claimPending: async (r) => {
      calls.push(`claimPending ${r.eventId}`);
      const mine = [...pending.values()].filter(
        ({ session, claimed }) =>
          !claimed &&
          (session.waitsFor.by === 'access-key'
            ? session.waitsFor.accessKeyId === r.accessKeyId
            : session.waitsFor.sessionArn === r.sessionArn),
      );
      for (const held of mine) held.claimed = true;
      return mine.map(({ session }) => session);
    },
    settlePending: async (session) => {
      calls.push(`settlePending ${session.eventId}`);
      pending.delete(keyOf(session));
    },
  };
  return {
    store,
    calls,
    pending,
    records,
    onAdd: (f: () => void) => {
      afterAdd = f;
    },
  };
};

/** CloudTrail of several Regions: the records each holds; a Region in `denied` refuses LookupEvents. */
export const fakeStsRecords = (
  byRegion: Record<string, IdentityRecord[]>,
  denied: readonly string[] = [],
) => {
  const calls: string[] = [];
  const inRegion = (region: string): StsRecords => ({
    byAccessKey: async (key) => {
      calls.push(`${region} byAccessKey ${key}`);
      if (denied.includes(region)) return unknown('denied');
      return known((byRegion[region] ?? []).filter((r) => r.accessKeyId === key));
    },
    issuedAt: async (issuer, creationDate) => {
      calls.push(
        `${region} issuedAt ${issuer.kind === 'role' ? issuer.roleArn : issuer.kind} ${creationDate}`,
      );
      if (denied.includes(region)) return unknown('denied');
      return known(
        (byRegion[region] ?? []).filter(
          (r) => Math.abs(Date.parse(r.issuedAt) - Date.parse(creationDate)) <= 2000,
        ),
      );
    },
  });
  return { inRegion, calls };
};

export const fakeSessionAccess = (justInTime: readonly string[] = []) => {
  const calls: string[] = [];
  const access: SessionAccess = {
    accessTypeOf: async (sessionId) => {
      calls.push(sessionId);
      return justInTime.includes(sessionId) ? 'JustInTime' : 'Standard';
    },
  };
  return { access, calls };
};

export const fakeTagHistory = (answer: TagValueAt = {}) => {
  const recorded: TagChange[] = [];
  const asked: string[] = [];
  const history: TagHistory = {
    record: async (change) => {
      recorded.push(change);
      return 'recorded';
    },
    valueAt: async (principal, at) => {
      asked.push(`${principal.kind}/${principal.name}@${at}`);
      return answer;
    },
  };
  return { history, recorded, asked };
};

export const fakeLedger = () => {
  const entries: LedgerEntry[] = [];
  return {
    entries,
    ledger: {
      mark: async (entry: LedgerEntry) => {
        if (entries.some((e) => e.eventId === entry.eventId)) return 'already-marked' as const;
        entries.push(entry);
        return 'marked' as const;
      },
      has: async (ref: { eventId: string }) => entries.some((e) => e.eventId === ref.eventId),
    },
  };
};
