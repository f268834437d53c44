/**
 * SessionAccess over SSM DescribeSessions: a session's AccessType (`Standard`, or `JustInTime`
 * for just-in-time node access), filtered by its id, among active sessions and then history.
 */
import { DescribeSessionsCommand, type Session, type SSMClient } from '@aws-sdk/client-ssm';
import type { SessionAccess } from '../app/ports.ts';
import { classifySdkError, toAwsCallError } from './sdkErrors.ts';

const STATES = ['Active', 'History'] as const;

export const createSsmSessionAccess = (ssm: SSMClient): SessionAccess => ({
  accessTypeOf: async (sessionId) => {
    for (const State of STATES) {
      let sessions: readonly Session[] | undefined;
      try {
        const out = await ssm.send(
          new DescribeSessionsCommand({ State, Filters: [{ key: 'SessionId', value: sessionId }] }),
        );
        sessions = out.Sessions;
      } catch (err) {
        // Without the grant the session is taken for a standard one: its tags are searched for as usual.
        if (classifySdkError(err) === 'access-denied') return undefined;
        throw toAwsCallError('ssm:DescribeSessions', err);
      }
      const session = (sessions ?? []).find((s) => s.SessionId === sessionId);
      if (session === undefined) continue;
      return session.AccessType === 'JustInTime' || session.AccessType === 'Standard'
        ? session.AccessType
        : undefined;
    }
    return undefined;
  },
});
