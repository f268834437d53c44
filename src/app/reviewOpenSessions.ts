/**
 * Sessions still open after a change (issue 4 §3). A session keeps the OS user it started with;
 * its session finding recorded that user (RunAs/SessionUser). The new expectation is what Session
 * Manager would give a session started now, with the same node, document and session tags: the
 * session decision itself, without the node-user look-up (that only decides whether a new session
 * would be refused for a missing user, not which user the mapping names).
 */
import {
  type Known,
  known,
  type Platform,
  type Principal,
  type SessionTagsFact,
  type Tags,
  unknown,
} from '../domain/facts.ts';
import { type Decision, decideSession, PREFERENCES_DOCUMENT, RUN_AS_TAG } from '../domain/runAs.ts';
import type { SessionDocument } from '../domain/sessionDocument.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { findingId } from '../findings/findingId.ts';
import {
  type ActiveSessionStatus,
  buildActiveSessionFinding,
  type ChangeContext,
  type Placement,
} from '../findings/postureFinding.ts';
import type { ActiveSessions, FindingReader, OpenSession, StoredFinding } from './ports.ts';
import { principalFromArn } from './principalFromArn.ts';

export interface OpenSessionsReview {
  /** Open sessions looked at. */
  readonly open: number;
  /** Sessions still running as a user the new mapping no longer gives. */
  readonly stale: readonly string[];
  /** Stale sessions the auditor terminated (TERMINATE_STALE_SESSIONS). */
  readonly terminated: readonly string[];
  /** Sessions whose earlier active-session finding is resolved: the mapping gives their user again. */
  readonly resolved: readonly string[];
  /**
   * Sessions without a session finding (compliant ones are only written with
   * REPORT_COMPLIANT_SESSIONS): their OS user is unknown, so they cannot be compared.
   */
  readonly withoutSessionFinding: readonly string[];
  /** Sessions whose OS user was not recorded (refused, no shell) or whose new expectation is unverified. */
  readonly uncompared: readonly string[];
}

export interface SessionReviewInput {
  readonly placement: Placement;
  readonly change: ChangeContext;
  readonly sessions: readonly OpenSession[];
  /** The Region's preferences after the change ($DEFAULT). */
  readonly preferences: Known<SessionDocument | null>;
}

export interface SessionReviewPorts {
  /** A session document of this Region ($DEFAULT), parsed. */
  readonly documentOf: (nameOrArn: string) => Promise<Known<SessionDocument | null>>;
  readonly tagsOf: (principal: Principal) => Promise<Known<Tags>>;
  readonly findingReader: FindingReader;
  readonly sessions: ActiveSessions;
}

export interface SessionReviewSettings {
  readonly deniedRunAsUsers: ReadonlySet<string>;
  readonly terminateStaleSessions: boolean;
}

export interface SessionReviewResult {
  readonly review: OpenSessionsReview;
  /** Active-session findings to import (the caller batches them with its own). */
  readonly findings: readonly AsffFinding[];
  /** The first TerminateSession failure: thrown by the caller once every finding is written. */
  readonly terminationFailure?: unknown;
}

const PLATFORMS: ReadonlySet<string> = new Set<Platform>(['Linux', 'MacOS', 'Windows']);

const platformOf = (recorded: string | undefined): Known<Platform | null> =>
  recorded !== undefined && PLATFORMS.has(recorded)
    ? known(recorded as Platform)
    : unknown('the session finding records no platform');

/** Session tags as the session finding recorded them; a recorded session tag is its expected user. */
const sessionTagsOf = (fields: Readonly<Record<string, string>>): SessionTagsFact => {
  switch (fields['RunAs/SessionTags']) {
    case 'none':
      return { status: 'known', tags: {} };
    case 'applied': {
      const user = fields['RunAs/ExpectedUser'];
      if (fields['RunAs/ExpectedUserSource'] === 'session-tag' && user !== undefined) {
        return { status: 'known', tags: { [RUN_AS_TAG]: user } };
      }
      return { status: 'unknown', reason: 'the session finding does not record the session tag value' };
    }
    default:
      return { status: 'unknown', reason: 'the session tags were unreadable when the session started' };
  }
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `arn:…:document/Name` → `Name`; names pass through. */
export const documentNameOf = (nameOrArn: string): string =>
  /^arn:[\w-]+:ssm:[a-z0-9-]*:\d{0,12}:document\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn;

interface Compared {
  readonly decision: Decision;
  readonly principal: Principal;
  readonly documentName: string;
  readonly platform: string;
  readonly sessionUser: string;
}

const compare = async (
  session: OpenSession,
  stored: StoredFinding,
  input: SessionReviewInput,
  ports: SessionReviewPorts,
  settings: SessionReviewSettings,
): Promise<Compared | undefined> => {
  const fields = stored.ProductFields;
  const sessionUser = fields['RunAs/SessionUser'] ?? '';
  if (sessionUser.trim() === '') return undefined;
  const documentName = fields['RunAs/Document'] ?? session.documentName ?? PREFERENCES_DOCUMENT;
  const principal = principalFromArn(fields['RunAs/Principal'] ?? session.owner, input.placement.accountId);
  const [document, principalTags] = await Promise.all([
    documentNameOf(documentName) === PREFERENCES_DOCUMENT
      ? Promise.resolve(input.preferences)
      : ports.documentOf(documentName),
    principal.kind === 'user' || principal.kind === 'role'
      ? ports.tagsOf(principal)
      : Promise.resolve(known<Tags>({})),
  ]);
  const decision = decideSession({
    target: session.target,
    platform: platformOf(fields['RunAs/Platform']),
    documentName,
    document,
    preferences: input.preferences,
    // StartSession parameters are not kept: templated inputs fall back to the document's defaults.
    parameters: {},
    principal,
    principalTags,
    sessionTags: sessionTagsOf(fields),
    deniedUsers: settings.deniedRunAsUsers,
  });
  if (decision.outcome === 'UNVERIFIED') return undefined;
  return { decision, principal, documentName, platform: fields['RunAs/Platform'] ?? 'unknown', sessionUser };
};

/** Compares each open session with the new mapping; terminates stale ones when configured. */
export const reviewOpenSessions = async (
  input: SessionReviewInput,
  ports: SessionReviewPorts,
  settings: SessionReviewSettings,
): Promise<SessionReviewResult> => {
  const { placement } = input;
  const idOf = (check: 'session' | 'active-session', sessionId: string): string =>
    findingId(placement.accountId, placement.region, check, sessionId);
  const stored =
    input.sessions.length === 0
      ? new Map<string, StoredFinding>()
      : await ports.findingReader.findingsByIds(
          input.sessions.flatMap((s) => [idOf('session', s.sessionId), idOf('active-session', s.sessionId)]),
        );

  const stale: string[] = [];
  const terminated: string[] = [];
  const resolved: string[] = [];
  const withoutSessionFinding: string[] = [];
  const uncompared: string[] = [];
  const findings: AsffFinding[] = [];
  let terminationFailure: unknown;

  for (const session of input.sessions) {
    const sessionFinding = stored.get(idOf('session', session.sessionId));
    if (sessionFinding === undefined) {
      withoutSessionFinding.push(session.sessionId);
      continue;
    }
    const compared = await compare(session, sessionFinding, input, ports, settings);
    if (compared === undefined) {
      uncompared.push(session.sessionId);
      continue;
    }
    const earlier = stored.get(idOf('active-session', session.sessionId));
    let status: ActiveSessionStatus;
    let terminationError: string | undefined;
    if (compared.decision.sessionUser === compared.sessionUser) {
      // Only an earlier, unresolved active-session finding needs a word: the session matches again.
      const open = earlier?.RecordState === 'ACTIVE' && earlier.Compliance?.Status !== 'PASSED';
      if (!open) continue;
      status = 'matches';
      resolved.push(session.sessionId);
    } else {
      stale.push(session.sessionId);
      status = 'stale';
      if (settings.terminateStaleSessions) {
        try {
          await ports.sessions.terminate(session.sessionId);
          status = 'terminated';
          terminated.push(session.sessionId);
        } catch (error) {
          status = 'termination-failed';
          terminationError = messageOf(error);
          terminationFailure ??= error;
        }
      }
    }
    findings.push(
      buildActiveSessionFinding({
        ...placement,
        sessionId: session.sessionId,
        target: session.target,
        owner: session.owner,
        documentName: compared.documentName,
        platform: compared.platform,
        principal: compared.principal,
        sessionUser: compared.sessionUser,
        decision: compared.decision,
        status,
        ...(terminationError === undefined ? {} : { terminationError }),
        deniedUsers: settings.deniedRunAsUsers,
        change: input.change,
        ...(earlier?.CreatedAt ? { createdAt: earlier.CreatedAt } : {}),
      }),
    );
  }

  return {
    review: { open: input.sessions.length, stale, terminated, resolved, withoutSessionFinding, uncompared },
    findings,
    ...(terminationFailure === undefined ? {} : { terminationFailure }),
  };
};
