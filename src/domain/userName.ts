/**
 * The safe-name rule (DESIGN.md §3): a name the agent can pass to `id` without a shell
 * reading anything into it. POSIX-portable characters plus `@` (directory users such as
 * alice@corp.example) and an optional trailing `$` (Samba machine accounts).
 */
const SAFE_USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$/;
export const MAX_USER_NAME_LENGTH = 256;

export const isSafeUserName = (name: string): boolean =>
  name.length > 0 && name.length <= MAX_USER_NAME_LENGTH && SAFE_USER_NAME.test(name);
