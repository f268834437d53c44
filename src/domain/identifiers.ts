/**
 * One grammar per AWS identifier the auditor reads: partitions and Regions, account ids, managed
 * node ids, IAM names and paths, SSM document names. Every module checks them here.
 */

/** AWS partitions this auditor runs in. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const PARTITIONS: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

export const isPartition = (value: string): value is Partition =>
  (PARTITIONS as readonly string[]).includes(value);

/** `us-east-1`, `ap-southeast-5`, `us-gov-west-1`, `cn-north-1`, `eu-central-2`, … */
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

export const ACCOUNT_ID = /^\d{12}$/;
export const isAccountId = (value: string): boolean => ACCOUNT_ID.test(value);

// EC2 instance ids have 8 or 17 hex digits; hybrid (managed) nodes are `mi-` with 17.
const EC2_INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const HYBRID_NODE_ID = /^mi-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export const isEc2InstanceId = (value: string): boolean => EC2_INSTANCE_ID.test(value);
export const isHybridNodeId = (value: string): boolean => HYBRID_NODE_ID.test(value);
/** A target Session Manager opens on a managed node: the targets Run As can apply to. */
export const isManagedNodeId = (value: string): boolean => isEc2InstanceId(value) || isHybridNodeId(value);

/** IAM user and role names, role session and federated user names: the characters IAM allows. */
export const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
export const isIamName = (value: string): boolean => IAM_NAME.test(value);

export const MAX_IAM_PATH = 512;
/** "/" or "/segment/…/": printable ASCII (U+0021–U+007E), at most 512 characters. */
const IAM_PATH = /^\/(?:[\x21-\x7e]*\/)?$/;
export const isIamPath = (value: string): boolean =>
  value.length <= MAX_IAM_PATH && IAM_PATH.test(value) && !value.includes('//');

/** SSM document names (3–128 of letters, digits, `_`, `-`, `.`). */
const DOCUMENT_NAME = /^[A-Za-z0-9_.-]{3,128}$/;
export const isDocumentName = (value: string): boolean => DOCUMENT_NAME.test(value);
