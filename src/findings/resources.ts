/** ASFF Resources for the things a Run As finding is about: the session, the node, the principal. */
import type { Principal } from '../domain/facts.ts';
import type { Partition } from '../events/partition.ts';
import type { AsffResource } from './asff.ts';
import { cleanText } from './text.ts';

const MAX_RESOURCE_ID = 2048;

// Same node id shapes the session audit treats as managed nodes.
const EC2_INSTANCE = /^i-[0-9a-f]{8,17}$/;
const MANAGED_INSTANCE = /^mi-[0-9a-f]{8,17}$/;

export const sessionResource = (
  partition: Partition,
  region: string,
  accountId: string,
  sessionId: string,
): AsffResource => ({
  Type: 'Other',
  Id: `arn:${partition}:ssm:${region}:${accountId}:session/${sessionId}`,
  Partition: partition,
  Region: region,
});

/** `i-…` → AwsEc2Instance; `mi-…` → its managed-instance ARN; anything else (`ecs:…`) → Other with the raw target. */
export const nodeResource = (
  partition: Partition,
  region: string,
  accountId: string,
  target: string,
): AsffResource => {
  if (EC2_INSTANCE.test(target)) {
    return {
      Type: 'AwsEc2Instance',
      Id: `arn:${partition}:ec2:${region}:${accountId}:instance/${target}`,
      Partition: partition,
      Region: region,
    };
  }
  if (MANAGED_INSTANCE.test(target)) {
    return {
      Type: 'Other',
      Id: `arn:${partition}:ssm:${region}:${accountId}:managed-instance/${target}`,
      Partition: partition,
      Region: region,
    };
  }
  return { Type: 'Other', Id: cleanText(target, MAX_RESOURCE_ID), Partition: partition, Region: region };
};

const PRINCIPAL_TYPES: Readonly<Record<Principal['kind'], string>> = {
  user: 'AwsIamUser',
  role: 'AwsIamRole',
  root: 'Other',
  'federated-user': 'Other',
  other: 'Other',
};

/** IAM is global, but ASFF wants a Region: the Region the principal acted in. */
export const principalResource = (
  partition: Partition,
  region: string,
  principal: Principal,
): AsffResource => ({
  Type: PRINCIPAL_TYPES[principal.kind],
  // `other` principals may be a principalId or a bare type: cleaned, since it is shown as is.
  Id: cleanText(principal.arn, MAX_RESOURCE_ID),
  Partition: partition,
  Region: region,
});

/** "role Operators", "user alice", …; `start` capitalises it for the start of a sentence. */
export const principalWords = (principal: Principal, start = false): string => {
  const words = ((): string => {
    switch (principal.kind) {
      case 'user':
        return `user ${principal.name}`;
      case 'role':
        return `role ${principal.name}`;
      case 'root':
        return 'the root user';
      case 'federated-user':
        return `federated user ${principal.name}`;
      case 'other':
        return principal.name;
    }
  })();
  return start && principal.kind !== 'other' ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : words;
};
