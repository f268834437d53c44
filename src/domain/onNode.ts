/**
 * Phase 4: what the agent does with the value on the node. It runs `sh -c "id <value>"`
 * unquoted (a value of digits is a uid), refuses uid 0 and primary gid 0, and refuses a user
 * that does not exist; with Run As on it never creates ssm-user. Then the shell profile runs as
 * that user, and may switch to another one.
 */
import type { Need, UserSource } from './decision.ts';
import type { ExpectedUser } from './expectedUser.ts';
import type { NameMatch, NodeAccount, Platform, UserPresence } from './facts.ts';
import type { Read } from './inputs.ts';
import { end, needs, type Stop, type Trail, unverified } from './phase.ts';
import { ROOT_ID, ROOT_USER, SSM_USER, USER_SWITCH_COMMANDS } from './sessionManager.ts';
import { inUsers, isSafeUserName, isUid, sameUser, shellTrimmed } from './userName.ts';

/** The node a session ran on; a posture has none. */
export interface NodeSide {
  readonly platform: Exclude<Platform, 'Windows'>;
  /** What the node's users say of a value, or undefined when it has not been looked up yet. */
  readonly presenceOf: (user: string) => UserPresence | undefined;
}

export interface NodeInput {
  readonly user: ExpectedUser;
  readonly deniedUsers: ReadonlySet<string>;
  readonly node: NodeSide | undefined;
  readonly shellProfile: Read<string>;
  readonly document: string;
}

/** Linux name services match names exactly; macOS, and a posture that may meet either, ignore case. */
export const nameMatchOf = (platform: Platform | undefined): NameMatch =>
  platform === 'Linux' ? 'exact' : 'ignore-case';

const isRootValue = (value: string, match: NameMatch): boolean =>
  sameUser(value, ROOT_USER, match) || (isUid(value) && Number(value) === ROOT_ID);

/** A shell profile command that switches user (`sudo su - bob`, `exec /usr/bin/runuser …`). */
export const userSwitchIn = (profile: string): string | undefined =>
  profile
    .split(/[\s;&|(){}<>`]+/)
    .map(
      (token) =>
        token
          .replace(/^["'\\]+|["']+$/g, '')
          .split('/')
          .at(-1) ?? '',
    )
    .find((command) => USER_SWITCH_COMMANDS.has(command));

/** Who a value resolves to on the node: the account, or why not; undefined when not looked up. */
type Resolution =
  | { readonly kind: 'account'; readonly account: NodeAccount; readonly where: string }
  | { readonly kind: 'missing'; readonly where: string }
  | { readonly kind: 'unknown'; readonly account: NodeAccount; readonly reason: string };

const resolve = (node: NodeSide, value: string): Resolution | Need => {
  const presence = node.presenceOf(value);
  if (presence === undefined) return { fact: 'node-user', user: value, match: nameMatchOf(node.platform) };
  switch (presence.status) {
    case 'present':
      return { kind: 'account', account: presence.account ?? { name: value }, where: presence.source };
    case 'missing':
      return { kind: 'missing', where: presence.source };
    case 'unknown':
      return { kind: 'unknown', account: { name: value }, reason: presence.reason };
  }
};

const isNeed = (value: Resolution | Need): value is Need => 'fact' in value;

const hasRootIds = (account: NodeAccount): boolean => account.uid === ROOT_ID || account.gid === ROOT_ID;

export const nodePhase = (input: NodeInput, trail: Trail): Stop => {
  const { value, source } = input.user;
  const match = nameMatchOf(input.node?.platform);
  const base = { expectedUser: value, expectedUserSource: source } as const;
  if (!isSafeUserName(value)) return unsafeEnd(input, trail);
  if (isRootValue(value, match))
    return end(trail, { step: 'root-refused', value }, { outcome: 'DISALLOWED_RUN_AS_USER', ...base });
  const denied = (name: string): boolean => inUsers(input.deniedUsers, name, match);

  if (input.node === undefined) {
    // A posture: no node, so each session's node decides whether the user exists.
    if (isUid(value)) trail.steps.push({ step: 'uid-per-node', uid: value });
    if (sameUser(value, SSM_USER, match))
      return end(trail, { step: 'ssm-user', source }, { outcome: 'RAN_AS_SSM_USER', ...base });
    if (denied(value))
      return end(
        trail,
        { step: 'denied', user: value, source },
        { outcome: 'DISALLOWED_RUN_AS_USER', ...base },
      );
    const profile = profileEnd(input, trail, value, false);
    if (profile !== undefined) return profile;
    return end(trail, { step: 'compliant', user: value, session: false }, { outcome: 'COMPLIANT', ...base });
  }

  const resolved = resolve(input.node, value);
  if (isNeed(resolved)) return needs(resolved);
  const verified = resolved.kind !== 'unknown';
  const account = resolved.kind === 'missing' ? undefined : resolved.account;
  const name = account?.name ?? value;
  if (isUid(value) && resolved.kind === 'account')
    trail.steps.push({ step: 'uid', uid: value, account: name });
  const ending = { ...base, userVerified: verified } as const;
  if (account !== undefined && hasRootIds(account)) {
    return end(
      trail,
      { step: 'privileged-ids', user: name, uid: account.uid, gid: account.gid },
      { outcome: 'DISALLOWED_RUN_AS_USER', ...ending },
    );
  }
  if (account !== undefined && sameUser(name, SSM_USER, match)) {
    return end(
      trail,
      { step: 'ssm-user', source },
      { outcome: 'RAN_AS_SSM_USER', ...ending, sessionUser: name },
    );
  }
  if (denied(name) || denied(value)) {
    return end(
      trail,
      { step: 'denied', user: name, source },
      { outcome: 'DISALLOWED_RUN_AS_USER', ...ending, sessionUser: account === undefined ? '' : name },
    );
  }
  if (resolved.kind === 'missing') {
    return end(
      trail,
      { step: 'missing', user: value, where: resolved.where, source },
      { outcome: 'MISSING_RUN_AS_USER', ...ending },
    );
  }
  trail.steps.push(
    resolved.kind === 'account'
      ? { step: 'present', user: name, where: resolved.where }
      : { step: 'presence-unknown', user: name, reason: resolved.reason },
  );
  const profile = profileEnd(input, trail, name, true);
  if (profile !== undefined) return profile;
  return end(
    trail,
    { step: 'compliant', user: name, session: true },
    { outcome: 'COMPLIANT', ...ending, sessionUser: name },
  );
};

/** The shell started as `user`; a profile that switches user, or cannot be read, ends it here. */
const profileEnd = (input: NodeInput, trail: Trail, user: string, session: boolean): Stop | undefined => {
  const { shellProfile, document } = input;
  if (shellProfile.kind === 'unknown') return unverified(trail, shellProfile.step);
  const command = userSwitchIn(shellProfile.value);
  if (command === undefined) return undefined;
  return end(
    trail,
    { step: 'shell-profile-switch', document, command },
    {
      outcome: 'SHELL_PROFILE_ESCALATION',
      expectedUser: input.user.value,
      expectedUserSource: input.user.source,
      sessionUser: session ? user : '',
      userVerified: session && trail.steps.some((step) => step.step === 'present'),
    },
  );
};

/**
 * A value that fails the safe-name rule. The shell still resolves one that only has surrounding
 * blanks (` alice` runs as alice), so the session user is that account when it exists.
 */
const unsafeEnd = (input: NodeInput, trail: Trail): Stop => {
  const { value, source } = input.user;
  const base = { outcome: 'INVALID_RUN_AS_USER', expectedUser: value, expectedUserSource: source } as const;
  const trimmed = shellTrimmed(value);
  if (trimmed === value || !isSafeUserName(trimmed)) {
    return end(trail, { step: 'unsafe-name', source: source satisfies UserSource, value }, base);
  }
  const step = { step: 'padded-name', source, user: trimmed } as const;
  if (input.node === undefined || isRootValue(trimmed, nameMatchOf(input.node.platform)))
    return end(trail, step, base);
  const resolved = resolve(input.node, trimmed);
  if (isNeed(resolved)) return needs(resolved);
  if (resolved.kind === 'missing') return end(trail, step, { ...base, userVerified: true });
  const refused = resolved.kind === 'account' && hasRootIds(resolved.account);
  return end(trail, step, {
    ...base,
    userVerified: resolved.kind === 'account',
    sessionUser: refused ? '' : resolved.account.name,
  });
};
