/**
 * Text for decision paths. Values that come from tags, events or documents are hostile: they
 * are always JSON-quoted (control characters escaped) and cut to a readable length.
 */
import type { Principal } from './facts.ts';

export const MAX_QUOTED_LENGTH = 64;

/** JSON-quotes a value, cutting it (by code point) to MAX_QUOTED_LENGTH with an ellipsis. */
export const quote = (value: string): string => {
  const codePoints = Array.from(value);
  const shown =
    codePoints.length > MAX_QUOTED_LENGTH ? `${codePoints.slice(0, MAX_QUOTED_LENGTH).join('')}…` : value;
  return JSON.stringify(shown);
};

// Names AWS itself restricts to these characters read better unquoted; anything else is quoted.
const PLAIN_NAME = /^[\w+=,.@:/-]{1,128}$/;

/** A resource name (IAM name, document name or ARN, node id) for a sentence. */
export const nameText = (name: string): string => (PLAIN_NAME.test(name) ? name : quote(name));

export const principalText = (principal: Principal): string => {
  switch (principal.kind) {
    case 'user':
      return `IAM user ${nameText(principal.name)}`;
    case 'role':
      return `Role ${nameText(principal.name)}`;
    case 'root':
      return 'The account root user';
    case 'federated-user':
      return `Federated user ${nameText(principal.name)}`;
    case 'other':
      return `Principal ${nameText(principal.arn || principal.name)}`;
  }
};
