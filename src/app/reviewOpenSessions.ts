/**
 * Sessions still open after a change. A session keeps the OS user it started with; its session
 * finding recorded that user and outcome. The new expectation is what Session Manager would give
 * a session started now, with the same node, document and session tags: the session decision
 * itself, without the node-user look-up (that only decides whether a new session would be
 * refused for a missing user, not which user the mapping names).
 */
import { documentNameOf } from '../domain/arn.ts';
import type { Decision } from '../domain/decision.ts';
import {
  type Known,
  known,
  type Platform,
  type Principal,
  type SessionTagsFact,
  type Tags,
  unknown,
} from '../domain/facts.ts';
import type { Outcome } from '../domain/outcome.ts';
import { decideSession } from '../domain/runAs.ts';
import { PREFERENCES_DOCUMENT, RUN_AS_TAG } from '../domain/sessionManager.ts';
import { type ActiveSessionStatus, buildActiveSessionFinding } from '../findings/activeSessionFinding.ts';
import type { AsffFinding } from '../findings/asff.ts';
import type { ChangeContext } from '../findings/changeFinding.ts';
import { findingId } from '../findings/findingId.ts';
import { type RunAsFields, readFields } from '../findings/productFields.ts';
import type { Placement } from '../findings/resources.ts';
import type { ChangeReads } from './changeReads.ts';
import type { ActiveSessions, FindingReader, OpenSession, StoredFinding } from './ports.ts';
import { isNewerThan } from './postureResult.ts';
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
}

export interface SessionReviewPorts {
  readonly reads: ChangeReads;
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
const sessionTagsOf = (fields: Partial<RunAsFields>): SessionTagsFact => {
  switch (fields.sessionTags) {
    case 'none':
      return { status: 'known', tags: {} };
    case 'applied':
      if (fields.expectedUserSource === 'session-tag' && fields.expectedUser !== undefined) {
        return { status: 'known', tags: { [RUN_AS_TAG]: fields.expectedUser } };
      }
      return { status: 'unknown', reason: 'the session finding does not record the session tag value' };
    default:
      return { status: 'unknown', reason: 'the session tags were unreadable when the session started' };
  }
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface Compared {
  readonly decision: Decision;
  readonly principal: Principal;
  readonly documentName: string;
  readonly platform: string;
  readonly sessionUser: string;
  readonly startedOutcome: Outcome;
}

const compare = async (
  session: OpenSession,
  stored: StoredFinding,
  input: SessionReviewInput,
  ports: SessionReviewPorts,
  settings: SessionReviewSettings,
): Promise<Compared | undefined> => {
  const fields = readFields(stored.ProductFields);
  const sessionUser = fields.sessionUser ?? '';
  if (sessionUser.trim() === '' || fields.outcome === undefined) return undefined;
  const documentName = fields.document ?? session.documentName ?? PREFERENCES_DOCUMENT;
  const principal = principalFromArn(fields.principal ?? session.owner, input.placement.accountId);
  const { region } = input.placement;
  const name = documentNameOf(documentName);
  const [document, preferences, principalTags] = await Promise.all([
    ports.reads.documentOf(region, name, ports.reads.judgedVersion),
    ports.reads.preferencesOf(region),
    principal.kind === 'user' || principal.kind === 'role'
      ? ports.reads.tagsOf(principal)
      : Promise.resolve(known<Tags>({})),
  ]);
  const verdict = decideSession({
    target: session.target,
    judgedVersion: ports.reads.judgedVersion,
    platform: platformOf(fields.platform),
    documentName,
    document,
    preferences,
    // StartSession parameters are not kept: templated inputs fall back to the document's defaults.
    parameters: undefined,
    principal,
    principalTags,
    sessionTags: sessionTagsOf(fields),
    deniedUsers: settings.deniedRunAsUsers,
    lookUpNodeUsers: false,
  });
  if (!verdict.decided || verdict.decision.outcome === 'UNVERIFIED') return undefined;
  return {
    decision: verdict.decision,
    principal,
    documentName,
    platform: fields.platform ?? 'unknown',
    sessionUser,
    startedOutcome: fields.outcome,
  };
};

/**
 * The user a new session would run as, compared with the user the session runs as. Without a
 * node look-up a uid stays a uid: the same value as before is the same account.
 */
const sameUser = (compared: Compared, stored: StoredFinding): boolean => {
  const { decision } = compared;
  const before = readFields(stored.ProductFields).expectedUser;
  if (decision.expectedUser !== '' && decision.expectedUser === before) return decision.sessionUser !== '';
  return decision.sessionUser === compared.sessionUser;
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

  const review = {
    stale: [] as string[],
    terminated: [] as string[],
    resolved: [] as string[],
    withoutSessionFinding: [] as string[],
    uncompared: [] as string[],
  };
  const findings: AsffFinding[] = [];
  let terminationFailure: unknown;

  for (const session of input.sessions) {
    const sessionFinding = stored.get(idOf('session', session.sessionId));
    if (sessionFinding === undefined) {
      review.withoutSessionFinding.push(session.sessionId);
      continue;
    }
    const compared = await compare(session, sessionFinding, input, ports, settings);
    const earlier = stored.get(idOf('active-session', session.sessionId));
    if (compared === undefined || isNewerThan(earlier, input.change.eventTime)) {
      review.uncompared.push(session.sessionId);
      continue;
    }
    let status: ActiveSessionStatus;
    let terminationError: string | undefined;
    if (sameUser(compared, sessionFinding)) {
      // Only an earlier, unresolved active-session finding needs a word: the session matches again.
      const open = earlier?.RecordState === 'ACTIVE' && earlier.Compliance?.Status !== 'PASSED';
      if (!open) continue;
      status = 'matches';
      review.resolved.push(session.sessionId);
    } else {
      review.stale.push(session.sessionId);
      status = 'stale';
      if (settings.terminateStaleSessions) {
        try {
          await ports.sessions.terminate(session.sessionId);
          status = 'terminated';
          review.terminated.push(session.sessionId);
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
        startedOutcome: compared.startedOutcome,
        decision: compared.decision,
        status,
        ...(terminationError === undefined ? {} : { terminationError }),
        change: input.change,
        ...(earlier?.CreatedAt ? { createdAt: earlier.CreatedAt } : {}),
      }),
    );
  }

  return {
    review: { open: input.sessions.length, ...review },
    findings,
    ...(terminationFailure === undefined ? {} : { terminationFailure }),
  };
};
