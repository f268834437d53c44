/**
 * ActiveSessions over SSM DescribeSessions (State Active, all pages) and TerminateSession.
 * Only an exact Owner can be filtered on: role sessions (assumed-role ARNs) are matched by the caller.
 */
import {
  type DescribeSessionsCommandOutput,
  DoesNotExistException,
  paginateDescribeSessions,
  type SSMClient,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import type { ActiveSessions, OpenSession } from '../app/ports.ts';
import { toAwsCallError } from './sdkErrors.ts';

/** DescribeSessions returns at most 200 per page. */
const PAGE_SIZE = 200;
/** Guards against a service that keeps returning NextToken: 100 pages are 20,000 open sessions. */
const MAX_PAGES = 100;

const toOpenSession = (
  session: NonNullable<DescribeSessionsCommandOutput['Sessions']>[number],
): OpenSession | undefined => {
  if (typeof session.SessionId !== 'string' || session.SessionId === '') return undefined;
  const start = session.StartDate instanceof Date ? session.StartDate : undefined;
  return {
    sessionId: session.SessionId,
    target: session.Target ?? '',
    owner: session.Owner ?? '',
    ...(session.DocumentName ? { documentName: session.DocumentName } : {}),
    startDate: start === undefined || Number.isNaN(start.getTime()) ? '' : start.toISOString(),
  };
};

export const createSsmActiveSessions = (ssm: SSMClient): ActiveSessions => ({
  openSessions: async (filter = {}) => {
    const sessions: OpenSession[] = [];
    const filters =
      filter.owner === undefined ? {} : { Filters: [{ key: 'Owner' as const, value: filter.owner }] };
    const pages = paginateDescribeSessions(
      { client: ssm, pageSize: PAGE_SIZE },
      { State: 'Active', ...filters },
    );
    let count = 0;
    try {
      for await (const page of pages) {
        for (const session of page.Sessions ?? []) {
          const open = toOpenSession(session);
          if (open !== undefined) sessions.push(open);
        }
        if (!page.NextToken) return sessions;
        if (++count === MAX_PAGES) break;
      }
    } catch (err) {
      // Without the list no session can be compared: the change must be retried, not half done.
      throw toAwsCallError('ssm:DescribeSessions', err);
    }
    throw toAwsCallError('ssm:DescribeSessions', new Error(`did not finish within ${MAX_PAGES} pages`));
  },

  terminate: async (sessionId) => {
    try {
      await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
    } catch (err) {
      // A session that ended on its own is as good as terminated.
      if (err instanceof DoesNotExistException) return;
      throw toAwsCallError('ssm:TerminateSession', err);
    }
  },
});
