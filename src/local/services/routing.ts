/**
 * Which emulated service and operation a request to the local endpoint is for, from its wire
 * protocol (X-Amz-Target for awsJson: AmazonSSM., CloudTrail_20131101., Logs_20140328.,
 * AmazonSQS.; the path for restJson1; Action= for awsQuery, IAM or STS by the signing scope), and
 * the Region it was signed for.
 */
import type { IncomingMessage } from 'node:http';
import type { FaultService } from './faults.ts';
import { LOGS_TARGET_PREFIX } from './logs.ts';
import { securityHubRoute } from './securityHub.ts';

export type Protocol = 'query' | 'json' | 'rest-json';

export interface Route {
  readonly protocol: Protocol;
  readonly service: FaultService | undefined;
  readonly operation: string;
}

const CLOUDTRAIL_TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;

export function route(req: IncomingMessage, path: string, body: string): Route {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith('AmazonSSM.'))
      return { protocol: 'json', service: 'ssm', operation: target.slice(10) };
    if (target.startsWith(LOGS_TARGET_PREFIX))
      return { protocol: 'json', service: 'logs', operation: target.slice(LOGS_TARGET_PREFIX.length) };
    if (target.startsWith('AmazonSQS.'))
      return { protocol: 'json', service: 'sqs', operation: target.slice(10) };
    const cloudTrail = CLOUDTRAIL_TARGET.exec(target);
    if (cloudTrail?.[1] !== undefined)
      return { protocol: 'json', service: 'cloudtrail', operation: cloudTrail[1] };
    return { protocol: 'json', service: undefined, operation: target };
  }
  if (path === '/findings' || path.startsWith('/findings/')) {
    const operation = securityHubRoute(req.method ?? '', path);
    return { protocol: 'rest-json', service: 'securityhub', operation: operation ?? `${req.method} ${path}` };
  }
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded') || /^Action=/.test(body)) {
    const params = new URLSearchParams(body);
    // IAM and STS share the query protocol: the signing scope (or the API version) tells them apart.
    const sts = signedService(req) === 'sts' || params.get('Version') === STS_VERSION;
    return { protocol: 'query', service: sts ? 'sts' : 'iam', operation: params.get('Action') ?? '' };
  }
  return { protocol: 'rest-json', service: undefined, operation: `${req.method} ${path}` };
}

const STS_VERSION = '2011-06-15';

/** Service of the SigV4 credential scope: `Credential=AKID/20260101/us-east-1/sts/aws4_request`. */
export function signedService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return /Credential=[^/,\s]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request/.exec(auth)?.[1];
}

/** Region of the SigV4 credential scope: `Credential=AKID/20260101/us-east-1/ssm/aws4_request`. */
export function signedRegion(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(auth)?.[1];
}
