/**
 * OS user values as the agent passes them to `sh -c "id <value>"`, unquoted.
 */
import type { NameMatch } from './facts.ts';

/**
 * The safe-name rule: a name the agent can pass to `id` without a shell reading anything into it.
 * POSIX-portable characters plus `@` (directory users such as alice@corp.example) and an optional
 * trailing `$` (Samba machine accounts).
 */
const SAFE_USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$/;
export const MAX_USER_NAME_LENGTH = 256;

export const isSafeUserName = (name: string): boolean =>
  name.length > 0 && name.length <= MAX_USER_NAME_LENGTH && SAFE_USER_NAME.test(name);

/** `id` reads a value of digits as a uid when no account has that name. */
export const isUid = (value: string): boolean => /^\d{1,10}$/.test(value);

/**
 * What the shell's word splitting leaves of a value: the agent's `sh -c "id <value>"` drops
 * surrounding blanks (IFS: space, tab, newline), so ` alice` runs as alice.
 */
export const shellTrimmed = (value: string): string => value.replace(/^[ \t\n]+|[ \t\n]+$/g, '');

/** Whether two names are the same account under the node's name rule. */
export const sameUser = (a: string, b: string, match: NameMatch): boolean =>
  match === 'exact' ? a === b : a.toLowerCase() === b.toLowerCase();

export const inUsers = (users: ReadonlySet<string>, name: string, match: NameMatch): boolean =>
  match === 'exact' ? users.has(name) : [...users].some((user) => sameUser(user, name, match));
