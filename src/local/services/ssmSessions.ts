import type { SessionState } from '../world/worldState.ts';
import { invalidNextToken, regionState, type SsmOperation } from './ssmContext.ts';
import { AwsApiError, epochSeconds, isJsonObject, paginate } from './wire.ts';

// Sessions

const HISTORY_STATUSES: ReadonlySet<string> = new Set(['Terminated', 'Failed']);

function sessionMatches(session: SessionState, key: string, value: string): boolean {
  switch (key) {
    case 'Target':
      return session.target === value;
    case 'Owner':
      return session.owner === value;
    case 'Status':
      return session.status === value;
    case 'SessionId':
      return session.sessionId === value;
    case 'InvokedAfter':
      return Date.parse(session.startDate) >= Date.parse(value);
    case 'InvokedBefore':
      return Date.parse(session.startDate) <= Date.parse(value);
    default:
      throw new AwsApiError('InvalidFilterKey', `The filter key ${key} is not valid.`);
  }
}

export const describeSessions: SsmOperation = (input, ctx) => {
  const state = input.string('State');
  if (state !== 'Active' && state !== 'History') input.fail('State must be Active or History');
  const pageSize = input.int('MaxResults', 1, 200, 20);
  const filters = (input.optionalArray('Filters') ?? []).map((item) => {
    if (!isJsonObject(item) || typeof item.key !== 'string' || typeof item.value !== 'string') {
      return input.fail('each filter needs a key and a value');
    }
    return { key: item.key, value: item.value };
  });
  const sessions = regionState(ctx).sessions.filter(
    (s) =>
      HISTORY_STATUSES.has(s.status) === (state === 'History') &&
      filters.every((f) => sessionMatches(s, f.key, f.value)),
  );
  const scope = `${state}:${JSON.stringify(filters)}`;
  const { items, nextToken } = paginate(
    sessions,
    input.optionalString('NextToken'),
    pageSize,
    scope,
    invalidNextToken,
  );
  return {
    Sessions: items.map((s) => ({
      SessionId: s.sessionId,
      Target: s.target,
      Status: s.status,
      StartDate: epochSeconds(s.startDate),
      ...(s.endDate === undefined ? {} : { EndDate: epochSeconds(s.endDate) }),
      ...(s.documentName === undefined ? {} : { DocumentName: s.documentName }),
      Owner: s.owner,
      ...(s.accessType === undefined ? {} : { AccessType: s.accessType }),
    })),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
};

export const terminateSession: SsmOperation = (input, ctx) => {
  const sessionId = input.string('SessionId');
  const session = regionState(ctx).sessions.find((s) => s.sessionId === sessionId);
  if (session === undefined)
    throw new AwsApiError('DoesNotExistException', `Session ${sessionId} does not exist.`);
  if (!HISTORY_STATUSES.has(session.status)) {
    session.status = 'Terminated';
    session.endDate = ctx.world.now;
  }
  return { SessionId: sessionId };
};
