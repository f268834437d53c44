/**
 * Phase 3: the value Session Manager hands the agent. The principal's effective SSMSessionRunAs:
 * a session tag when the session carries one (it overrides the role's tag even when blank),
 * else the IAM user's or role's tag; if that is blank or absent, the document's runAsDefaultUser.
 * Tag keys are case-insensitive.
 */
import type { Need, Step, Subject, UserSource } from './decision.ts';
import {
  type Known,
  known,
  type Principal,
  type SessionTagsFact,
  type TagHistoryAt,
  type Tags,
} from './facts.ts';
import type { Read } from './inputs.ts';
import { end, needs, next, type Phase, type Trail, unverified } from './phase.ts';
import { IDENTITY_CENTER_ROLE_PREFIX, RUN_AS_TAG } from './sessionManager.ts';

export interface UserInput {
  readonly principal: Principal;
  /** undefined: not read yet. */
  readonly principalTags: Known<Tags> | undefined;
  /** The principal's recorded tag changes around the session; absent: none to consider. */
  readonly principalTagHistory?: TagHistoryAt | undefined;
  /** undefined: not read yet; `assumed-none`: a posture assumes a session without session tags. */
  readonly sessionTags: SessionTagsFact | 'assumed-none' | undefined;
  readonly defaultUser: Read<string>;
  /** The document whose runAsDefaultUser applies. */
  readonly document: string;
}

export interface ExpectedUser {
  readonly value: string;
  readonly source: UserSource;
}

type RunAsTag =
  | { readonly kind: 'value'; readonly key: string; readonly value: string }
  | { readonly kind: 'blank' }
  | { readonly kind: 'absent' };

/** SSMSessionRunAs with a case-insensitive key; the exact spelling first, should two exist. */
const runAsTagOf = (tags: Tags): RunAsTag => {
  const wanted = RUN_AS_TAG.toLowerCase();
  const matches = Object.entries(tags)
    .filter(([key]) => key.toLowerCase() === wanted)
    .sort(([a], [b]) => Number(b === RUN_AS_TAG) - Number(a === RUN_AS_TAG));
  const [first] = matches;
  if (first === undefined) return { kind: 'absent' };
  const [key, value] = first;
  return value.trim() === '' ? { kind: 'blank' } : { kind: 'value', key, value };
};

const subjectOf = (principal: Principal): Subject => ({
  kind: principal.kind,
  name: principal.name,
  arn: principal.arn,
});

/** Roles and federated users act in sessions that can carry session tags; IAM users and root cannot. */
const hasSessionTags = (principal: Principal): boolean =>
  principal.kind === 'role' || principal.kind === 'federated-user';

export const isIdentityCenterRole = (principal: Principal): boolean =>
  principal.kind === 'role' && principal.name.startsWith(IDENTITY_CENTER_ROLE_PREFIX);

/** IAM users and roles carry tags, except Identity Center roles, which cannot be tagged. */
const isTaggable = (principal: Principal): boolean =>
  principal.kind === 'user' || (principal.kind === 'role' && !isIdentityCenterRole(principal));

export const expectedUserPhase = (input: UserInput, trail: Trail): Phase<ExpectedUser> => {
  const { principal } = input;
  const wanted: Need[] = [];
  if (hasSessionTags(principal) && input.sessionTags === undefined) wanted.push({ fact: 'session-tags' });
  if (isTaggable(principal) && input.principalTags === undefined) wanted.push({ fact: 'principal-tags' });
  if (wanted.length > 0) return needs(...wanted);

  const fromSession = sessionTagPhase(input, trail);
  if (fromSession !== undefined) return fromSession;

  const subject = subjectOf(principal);
  if (isTaggable(principal)) {
    const atSession = tagsAtSession(input, subject, trail);
    if (atSession.kind !== 'next') return atSession;
    const tags = atSession.value;
    if (tags === undefined || !tags.known) {
      return unverified(trail, {
        step: 'principal-tags-unreadable',
        subject,
        reason: tags?.reason ?? 'not read',
      });
    }
    const tag = runAsTagOf(tags.value);
    if (tag.kind === 'value') {
      trail.steps.push({ step: 'principal-tag', subject, value: tag.value, key: tag.key });
      return next({ value: tag.value, source: 'principal-tag' });
    }
    trail.steps.push(
      tag.kind === 'blank'
        ? { step: 'principal-tag-blank', subject }
        : { step: 'no-principal-tag', subject, identityCenter: false },
    );
  } else if (isIdentityCenterRole(principal)) {
    trail.steps.push({ step: 'no-principal-tag', subject, identityCenter: true });
  } else {
    trail.steps.push({ step: 'no-iam-tags', subject });
  }
  return defaultUserPhase(input, trail);
};

const RUN_AS_KEY = RUN_AS_TAG.toLowerCase();

/**
 * The principal's tags as they were at the session: read now, unless a change recorded after the
 * session says otherwise; then its SSMSessionRunAs is the value recorded before the session, and
 * without one (or with two in one second) the value then cannot be known.
 */
const tagsAtSession = (input: UserInput, subject: Subject, trail: Trail): Phase<Known<Tags> | undefined> => {
  const changedAt = input.principalTagHistory?.changedAt;
  if (changedAt === undefined) return next(input.principalTags);
  const before = input.principalTagHistory?.before;
  if (before === undefined || before.ambiguous) {
    return unverified(trail, {
      step: 'principal-tag-changed-after',
      subject,
      changedAt,
      ambiguous: before?.ambiguous === true,
    });
  }
  trail.steps.push({ step: 'principal-tag-then', subject, changedAt, setAt: before.eventTime });
  const now = input.principalTags?.known === true ? input.principalTags.value : {};
  const others = Object.fromEntries(Object.entries(now).filter(([key]) => key.toLowerCase() !== RUN_AS_KEY));
  return next(known(before.value === null ? others : { ...others, [RUN_AS_TAG]: before.value }));
};

/** The session tag's say: a user, or (blank) straight to the default; undefined when it has none. */
const sessionTagPhase = (input: UserInput, trail: Trail): Phase<ExpectedUser> | undefined => {
  if (!hasSessionTags(input.principal)) return undefined;
  const tags = input.sessionTags;
  if (tags === undefined || tags === 'assumed-none') {
    trail.steps.push({ step: 'session-tags-assumed-none' });
    return undefined;
  }
  switch (tags.status) {
    case 'not-a-role-session':
      return undefined;
    case 'unknown':
      trail.sessionTags = 'unknown';
      trail.steps.push(
        tags.pending === true
          ? { step: 'session-tags-pending', reason: tags.reason }
          : tags.justInTime === true
            ? { step: 'session-tags-just-in-time' }
            : { step: 'session-tags-unreadable', reason: tags.reason },
      );
      return undefined;
    case 'known': {
      if (tags.source !== undefined) trail.steps.push({ step: 'session-tags-recorded', source: tags.source });
      const tag = runAsTagOf(tags.tags);
      if (tag.kind === 'absent') {
        trail.steps.push({ step: 'no-session-tag' });
        return undefined;
      }
      trail.sessionTags = 'applied';
      if (tag.kind === 'blank') {
        // A session tag overrides the principal's tag with the same key, even with a blank value.
        trail.steps.push({ step: 'session-tag-blank' });
        return defaultUserPhase(input, trail);
      }
      trail.steps.push({ step: 'session-tag', value: tag.value, key: tag.key });
      return next({ value: tag.value, source: 'session-tag' });
    }
  }
};

/** runAsDefaultUser, when no tag names a user. */
export const defaultUserPhase = (
  input: Pick<UserInput, 'defaultUser' | 'document'>,
  trail: Trail,
): Phase<ExpectedUser> => {
  const { defaultUser } = input;
  if (defaultUser.kind === 'unknown') return unverified(trail, defaultUser.step);
  if (defaultUser.value !== '') {
    trail.steps.push({ step: 'default-user', value: defaultUser.value });
    return next({ value: defaultUser.value, source: 'preferences' });
  }
  if (trail.sessionTags === 'unknown') {
    // Nothing else names a user: only the unreadable session tags could have.
    return unverified(trail, { step: 'only-session-tags-could-name' });
  }
  const step: Step = { step: 'no-user', document: input.document };
  return end(trail, step, { outcome: 'NO_RUN_AS_USER' });
};
