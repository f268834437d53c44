/**
 * Values in Titles and Descriptions. Text from events, tags and documents is hostile: a user
 * value that fails the safe-name rule is never shown (it is "a value that is not a safe user
 * name"); every other name is quoted, without control or format characters, and cut. Exact
 * values live only in ProductFields.
 */
import type { Subject } from '../domain/decision.ts';
import { isSafeUserName } from '../domain/userName.ts';
import { stripFormatting } from './text.ts';

export const MAX_QUOTED_LENGTH = 64;

/** JSON-quotes a value without control or format characters, cut (by code point) to 64. */
export const quote = (value: string): string => {
  const codePoints = Array.from(stripFormatting(value).replace(/\s+/g, ' '));
  const shown =
    codePoints.length > MAX_QUOTED_LENGTH
      ? `${codePoints.slice(0, MAX_QUOTED_LENGTH).join('')}…`
      : codePoints.join('');
  return JSON.stringify(shown);
};

export const UNSAFE_USER = 'a value that is not a safe user name';

/** An OS user value for a sentence: quoted when it is a safe name, never echoed otherwise. */
export const userWords = (value: string): string => (isSafeUserName(value) ? quote(value) : UNSAFE_USER);

// Identifiers AWS itself restricts to these characters (node ids, IAM names, ARNs) read better
// unquoted; anything else is quoted.
const PLAIN_NAME = /^[\w+=,.@:/-]{1,128}$/;

/** A node id, IAM name or ARN for a sentence. */
export const nameText = (name: string): string => (PLAIN_NAME.test(name) ? name : quote(name));

/** A document name or ARN for a sentence: always quoted, as a name a user chose. */
export const documentText = (name: string): string => quote(name);

/** "role Operators", "user alice", …; `start` capitalises it for the start of a sentence. */
export const principalWords = (principal: Subject, start = false): string => {
  const words = ((): string => {
    switch (principal.kind) {
      case 'user':
        return `user ${nameText(principal.name)}`;
      case 'role':
        return `role ${nameText(principal.name)}`;
      case 'root':
        return 'the root user';
      case 'federated-user':
        return `federated user ${nameText(principal.name)}`;
      case 'other':
        return `principal ${quote(principal.name || principal.arn)}`;
    }
  })();
  return start ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : words;
};
