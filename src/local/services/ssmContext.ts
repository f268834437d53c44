/** Shared by the local SSM operations: the call context and the caller's Region state. */
import type { RegionState } from '../world/worldState.ts';
import type { Faults } from './faults.ts';
import { AwsApiError, type CallContext, type JsonInput, type JsonObject } from './wire.ts';

export interface SsmContext extends CallContext {
  readonly faults: Faults;
}

export type SsmOperation = (input: JsonInput, ctx: SsmContext) => JsonObject;

export const invalidNextToken = (): AwsApiError =>
  new AwsApiError('InvalidNextToken', 'The specified token is not valid.');

export function regionState(ctx: CallContext): RegionState {
  return ctx.world.region(ctx.region);
}
