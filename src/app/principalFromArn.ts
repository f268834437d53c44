/**
 * A domain Principal from an ARN stored in one of our own findings (RunAs/Principal). Findings are
 * read back from Security Hub, so the text is checked, never trusted: anything that is not an IAM
 * user, role, root or federated-user ARN becomes an `other` principal, which has no tags to read.
 */
import type { Principal } from '../domain/facts.ts';

const IAM_PRINCIPAL =
  /^arn:(?:aws|aws-cn|aws-us-gov):iam::(\d{12}):(user|role)(\/(?:[\x21-\x2e\x30-\x7e]+\/)*)([\w+=,.@-]{1,128})$/;
const ROOT = /^arn:(?:aws|aws-cn|aws-us-gov):iam::(\d{12}):root$/;
const FEDERATED = /^arn:(?:aws|aws-cn|aws-us-gov):sts::(\d{12}):federated-user\/([\w+=,.@-]{1,128})$/;
const MAX_PATH = 512;

export const principalFromArn = (arn: string, fallbackAccountId: string): Principal => {
  const common = { arn, callerArn: arn, accessKeyId: '' };
  const iam = IAM_PRINCIPAL.exec(arn);
  const path = iam?.[3] ?? '';
  if (iam !== null && path.length <= MAX_PATH) {
    return {
      ...common,
      kind: iam[2] === 'user' ? 'user' : 'role',
      accountId: iam[1] ?? fallbackAccountId,
      name: iam[4] ?? '',
      path,
    };
  }
  const root = ROOT.exec(arn);
  if (root !== null)
    return { ...common, kind: 'root', accountId: root[1] ?? fallbackAccountId, name: 'root', path: '/' };
  const federated = FEDERATED.exec(arn);
  if (federated !== null) {
    return {
      ...common,
      kind: 'federated-user',
      accountId: federated[1] ?? fallbackAccountId,
      name: federated[2] ?? '',
      path: '/',
    };
  }
  return {
    ...common,
    kind: 'other',
    accountId: fallbackAccountId,
    name: arn.split('/').at(-1) || arn,
    path: '/',
  };
};
