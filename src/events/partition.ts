/** AWS partitions this auditor runs in, and the Region → partition mapping. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** `us-east-1`, `ap-southeast-5`, `us-gov-west-1`, `cn-north-1`, … */
const REGION = /^[a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}$/;
// ISO partitions (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f) have their own ARN prefixes and are
// not supported: treating them as `aws` would write findings with wrong ARNs.
const ISO_REGION = /^[a-z]{2}-iso[a-z]?-/;

export const isRegion = (value: string): boolean => REGION.test(value) && !ISO_REGION.test(value);

/** The partition of a Region that passed isRegion. */
export const partitionOf = (region: string): Partition => {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
};
