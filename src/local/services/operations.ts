/**
 * Runs one operation of an emulated service on a request the endpoint has routed, admitted and
 * not failed by a fault: the service's input reader, the operation, and the response in the
 * service's wire protocol (content type and body). Undefined: the service has no such operation.
 */
import { partitionOf } from '../../domain/identifiers.ts';
import { cloudTrailOperation } from './cloudtrail.ts';
import type { CredentialRegistry } from './credentials.ts';
import type { Faults } from './faults.ts';
import { parseJsonBody } from './http.ts';
import { iamOperation, renderQueryResponse } from './iam.ts';
import { LOGS_VALIDATION_ERROR, logsOperation } from './logs.ts';
import type { Clock } from './quotas.ts';
import { securityHubInput, securityHubOperation } from './securityHub.ts';
import { type LocalQueues, sqsOperation } from './sqs.ts';
import { ssmOperation } from './ssm.ts';
import { STS_XMLNS, stsOperation } from './sts.ts';
import type { StsDirectory } from './stsDirectory.ts';
import { type CallContext, JsonInput } from './wire.ts';

export interface ServiceState {
  readonly faults: Faults;
  readonly queues: LocalQueues;
  /** The world's clock for CloudWatch Logs: an event is visible once its time has come. Absent: all are. */
  readonly logsClock?: Clock;
  /** Who each access key is: STS issues new keys into it. */
  readonly credentials: CredentialRegistry;
  /** The roles STS can assume, over every account of the world. */
  readonly directory: StsDirectory;
}

type Output = readonly [contentType: string, body: string] | undefined;

const JSON_1_1 = 'application/x-amz-json-1.1';

export function serve(operation: string, body: string, ctx: CallContext, state: ServiceState): Output {
  switch (ctx.service) {
    case 'iam': {
      const run = iamOperation(operation);
      if (run === undefined) return undefined;
      return ['text/xml', renderQueryResponse(operation, run(new URLSearchParams(body), ctx), ctx.requestId)];
    }
    case 'sts': {
      const run = stsOperation(operation);
      if (run === undefined || ctx.caller === undefined) return undefined;
      const { credentials, directory } = state;
      const result = run(new URLSearchParams(body), {
        directory,
        credentials,
        caller: ctx.caller,
        requestId: ctx.requestId,
      });
      return ['text/xml', renderQueryResponse(operation, result, ctx.requestId, STS_XMLNS)];
    }
    case 'securityhub': {
      const run = securityHubOperation(operation);
      return run && ['application/json', JSON.stringify(run(securityHubInput(parseJsonBody(body)), ctx))];
    }
    case 'ssm': {
      const run = ssmOperation(operation);
      return (
        run && [
          JSON_1_1,
          JSON.stringify(run(new JsonInput(parseJsonBody(body)), { ...ctx, faults: state.faults })),
        ]
      );
    }
    case 'cloudtrail': {
      const run = cloudTrailOperation(operation);
      return run && [JSON_1_1, JSON.stringify(run(new JsonInput(parseJsonBody(body)), ctx))];
    }
    case 'logs': {
      const run = logsOperation(operation);
      const input = new JsonInput(parseJsonBody(body), LOGS_VALIDATION_ERROR);
      const now = state.logsClock?.now();
      const logsCtx = {
        region: ctx.region,
        requestId: ctx.requestId,
        accountId: ctx.world.accountId,
        partition: partitionOf(ctx.region),
        logs: ctx.world,
        ...(now === undefined ? {} : { now }),
      };
      return run && [JSON_1_1, JSON.stringify(run(input, logsCtx))];
    }
    case 'sqs': {
      const run = sqsOperation(operation);
      const input = new JsonInput(parseJsonBody(body), 'InvalidParameterValue');
      return (
        run && [
          'application/x-amz-json-1.0',
          JSON.stringify(run(input, { queues: state.queues, region: ctx.region })),
        ]
      );
    }
  }
}
