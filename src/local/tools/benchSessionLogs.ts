/**
 * The bench's session log pass: StartSessions whose documents stream to CloudWatch Logs, replayed
 * in event time through the queue path (the audit queues each shell session's verification,
 * delayed; the verification reads its stream and re-imports the finding). Sessions that started a
 * shell have their stream; refused ones none, so they are read again when the window closes. It
 * counts GetLogEvents per session by how the session ended, and SendMessage per session.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { ManualClock } from '../services/quotas.ts';
import { startLocalAws } from '../services/server.ts';
import { generateScenario } from './benchScenario.ts';
import type { Target } from './benchStats.ts';
import { replay } from './replay.ts';

export interface SessionLogOptions {
  readonly events: number;
  readonly principals: number;
  readonly nodes: number;
  readonly documents: number;
}

export interface SessionLogFigures {
  readonly sessions: number;
  /** Sessions whose first reading found the agent's record (verified, or another user). */
  readonly readSessions: number;
  /** Refused sessions whose stream never appeared: read at the delay and when the window closed. */
  readonly neverStartedSessions: number;
  readonly getLogEventsCalls: number;
  readonly sendMessageCalls: number;
  readonly getLogEventsPerReadSession: number;
  readonly getLogEventsPerNeverStartedSession: number;
  readonly sendMessagePerSession: number;
  /** Verifications whose verdict is not what the scenario was built to give. */
  readonly unexpectedVerdicts: number;
}

interface Reading {
  readonly verdict?: string;
}

export const runSessionLogs = async (options: SessionLogOptions): Promise<SessionLogFigures> => {
  const scenario = generateScenario({ ...options, sessionLogs: true });
  const local = await startLocalAws(scenario.world, { clock: new ManualClock() });
  try {
    const result = await replay({
      world: scenario.world,
      local,
      events: scenario.events.map((e, i) => ({ name: `session-${i}`, event: e.event })),
      clientOptions: { retryStrategy: new ConfiguredRetryStrategy(3, () => 1) },
    });
    let read = 0;
    let readCalls = 0;
    let neverStarted = 0;
    let neverStartedCalls = 0;
    let unexpected = 0;
    for (const [index, evaluation] of result.evaluations.entries()) {
      const readings = evaluation.runs
        .filter((run) => run.logicalId === 'SessionVerificationFunction')
        .map((run) => (run.result ?? {}) as Reading);
      const last = readings.at(-1)?.verdict;
      const wanted = scenario.events[index]?.expectedOutcome === 'COMPLIANT' ? 'verified' : 'never-started';
      if (last !== wanted) unexpected += 1;
      if (last === 'never-started') {
        neverStarted += 1;
        neverStartedCalls += readings.length;
      } else if (last === 'verified' || last === 'unexpected-user') {
        read += 1;
        readCalls += readings.length;
      }
    }
    const getLogEvents = result.calls['logs:GetLogEvents'] ?? 0;
    const sendMessage = result.calls['sqs:SendMessage'] ?? 0;
    const runs = readCalls + neverStartedCalls;
    // Each reading is one GetLogEvents: the per-session figures below count readings.
    if (getLogEvents !== runs) unexpected += Math.abs(getLogEvents - runs);
    return {
      sessions: scenario.events.length,
      readSessions: read,
      neverStartedSessions: neverStarted,
      getLogEventsCalls: getLogEvents,
      sendMessageCalls: sendMessage,
      getLogEventsPerReadSession: read === 0 ? 0 : readCalls / read,
      getLogEventsPerNeverStartedSession: neverStarted === 0 ? 0 : neverStartedCalls / neverStarted,
      sendMessagePerSession: sendMessage / scenario.events.length,
      unexpectedVerdicts: unexpected,
    };
  } finally {
    await local.close();
  }
};

/** One GetLogEvents per session whose log answered; every verdict as built. */
export const sessionLogTargets = (figures: SessionLogFigures): Target[] => [
  {
    name: 'session logs: GetLogEvents per verified session <= limit',
    value: figures.getLogEventsPerReadSession,
    limit: 1,
    ok: figures.readSessions > 0 && figures.getLogEventsPerReadSession <= 1,
  },
  {
    name: 'session logs: verdicts other than built <= limit',
    value: figures.unexpectedVerdicts,
    limit: 0,
    ok: figures.unexpectedVerdicts === 0,
  },
];

export const sessionLogLines = (figures: SessionLogFigures | undefined): string[] =>
  figures === undefined
    ? []
    : [
        '',
        `Session logs: ${figures.sessions} StartSessions whose documents stream, replayed in event time (first reading ` +
          'after SESSION_LOG_READ_DELAY_SECONDS, a refused session read again when the window closes)',
        `  sessions read (verified) / never started: ${figures.readSessions} / ${figures.neverStartedSessions}`,
        `  GetLogEvents per verified / never-started session: ${figures.getLogEventsPerReadSession.toFixed(2)} / ` +
          `${figures.getLogEventsPerNeverStartedSession.toFixed(2)} (${figures.getLogEventsCalls} calls)`,
        `  SendMessage per session: ${figures.sendMessagePerSession.toFixed(2)} (${figures.sendMessageCalls} calls)`,
      ];
