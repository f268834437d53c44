/** ASFF Resources for the things a Run As finding is about: the session, the node, the principal, the document. */
import { documentArn, ec2InstanceArn, managedInstanceArn, sessionArn } from '../domain/arn.ts';
import type { Principal } from '../domain/facts.ts';
import { isEc2InstanceId, isHybridNodeId, type Partition } from '../domain/identifiers.ts';
import type { AsffResource } from './asff.ts';
import { cleanText } from './text.ts';

const MAX_RESOURCE_ID = 2048;

/** Where a finding is imported: the account and Region of its resource. */
export interface Placement {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
}

const other = (placement: Placement, id: string): AsffResource => ({
  Type: 'Other',
  Id: id,
  Partition: placement.partition,
  Region: placement.region,
});

export const sessionResource = (placement: Placement, sessionId: string): AsffResource =>
  other(placement, sessionArn(placement.partition, placement.region, placement.accountId, sessionId));

export const documentResource = (placement: Placement, name: string): AsffResource =>
  other(placement, documentArn(placement.partition, placement.region, placement.accountId, name));

/** `i-…` → AwsEc2Instance; `mi-…` → its managed-instance ARN; anything else (`ecs:…`) → Other with the raw target. */
export const nodeResource = (placement: Placement, target: string): AsffResource => {
  const { partition, region, accountId } = placement;
  if (isEc2InstanceId(target)) {
    return {
      Type: 'AwsEc2Instance',
      Id: ec2InstanceArn(partition, region, accountId, target),
      Partition: partition,
      Region: region,
    };
  }
  if (isHybridNodeId(target))
    return other(placement, managedInstanceArn(partition, region, accountId, target));
  return other(placement, cleanText(target, MAX_RESOURCE_ID));
};

const PRINCIPAL_TYPES: Readonly<Record<Principal['kind'], string>> = {
  user: 'AwsIamUser',
  role: 'AwsIamRole',
  root: 'Other',
  'federated-user': 'Other',
  other: 'Other',
};

/** IAM is global, but ASFF wants a Region: the Region the principal acted in. */
export const principalResource = (placement: Placement, principal: Principal): AsffResource => ({
  Type: PRINCIPAL_TYPES[principal.kind],
  // `other` principals may be a principalId or a bare type: cleaned, since it is shown as is.
  Id: cleanText(principal.arn, MAX_RESOURCE_ID),
  Partition: placement.partition,
  Region: placement.region,
});
