/**
 * Phase 3: the value Session Manager hands the agent. The principal's effective SSMSessionRunAs:
 * a session tag when the session carries one (it overrides the role's tag even when blank),
 * else the IAM user's or role's tag; if that is blank or absent, the document's runAsDefaultUser.
 * Tag keys are case-insensitive.
 */
import type { Need, Step, Subject, UserSource } from './decision.ts';
import type { Known, Principal, SessionTagsFact, Tags } from './facts.ts';
import type { Read } from './inputs.ts';
import { end, needs, next, type Phase, type Trail, unverified } from './phase.ts';
import { IDENTITY_CENTER_ROLE_PREFIX, RUN_AS_TAG } from './sessionManager.ts';

export interface UserInput {
  readonly principal: Principal;
  /** undefined: not read yet. */
  readonly principalTags: Known<Tags> | undefined;
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
    const tags = input.principalTags;
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
      trail.steps.push({ step: 'session-tags-unreadable', reason: tags.reason });
      return undefined;
    case 'known': {
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
