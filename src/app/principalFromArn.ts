/**
 * A domain Principal from an ARN stored in one of our own findings (RunAs/Principal). Findings are
 * read back from Security Hub, so the text is checked, never trusted: anything that is not an IAM
 * user, role, root or federated-user ARN becomes an `other` principal, which has no tags to read.
 */
import { parsePrincipalArn } from '../domain/arn.ts';
import type { Principal } from '../domain/facts.ts';

export const principalFromArn = (arn: string, fallbackAccountId: string): Principal => {
  const common = { arn, callerArn: arn, accessKeyId: '' };
  const parsed = parsePrincipalArn(arn);
  if (parsed.ok) {
    const found = parsed.arn;
    switch (found.kind) {
      case 'user':
      case 'role':
        return {
          ...common,
          kind: found.kind,
          accountId: found.accountId,
          name: found.name,
          path: found.path,
        };
      case 'root':
        return { ...common, kind: 'root', accountId: found.accountId, name: 'root', path: '/' };
      case 'federated-user':
        return { ...common, kind: 'federated-user', accountId: found.accountId, name: found.name, path: '/' };
      case 'assumed-role':
        break;
    }
  }
  return {
    ...common,
    kind: 'other',
    accountId: fallbackAccountId,
    name: arn.split('/').at(-1) || arn,
    path: '/',
  };
};
