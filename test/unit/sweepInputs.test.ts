/** What the sweep and the session audit's ledger take from outside: the schedule's event, STATE_TABLE_NAME. */
import { describe, expect, it } from 'vitest';
import { auditSession } from '../../src/app/auditSession.ts';
import type { LedgerEntry } from '../../src/app/statePorts.ts';
import { loadConfig } from '../../src/config.ts';
import { ConfigError, MalformedEventError } from '../../src/errors.ts';
import { wrapCloudTrailRecord } from '../../src/events/cloudTrailRecord.ts';
import { parseStartSessionEvent } from '../../src/events/startSession.ts';
import { parseSweepEvent } from '../../src/events/sweepEvent.ts';
import { sessionReads, startSessionRecord } from './app/historyFakes.ts';
import { sessionSettings } from './findings/builders.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseSweepEvent', () => {
  it('reads the time Scheduler filled in, as UTC with milliseconds', () => {
    // Act
    const command = parseSweepEvent({ scheduledTime: '2026-03-01T12:00:00Z' }, NOW);

    // Assess
    expect(command).toEqual({ scheduledTime: '2026-03-01T12:00:00.000Z' });
  });

  it.each([
    ['no object', 'x', /event must be an object/],
    ['no time', {}, /scheduledTime must be a string/],
    [
      'the placeholder Scheduler did not fill',
      { scheduledTime: '<aws.scheduler.scheduled-time>' },
      /ISO-8601/,
    ],
    ['a time ahead of the clock', { scheduledTime: '2026-03-01T12:30:00Z' }, /15 minutes after the clock/],
  ])('refuses %s, naming the field', (_name, event, message) => {
    // Act
    const attempt = () => parseSweepEvent(event, NOW);

    // Assess
    expect(attempt).toThrow(MalformedEventError);
    expect(attempt).toThrow(message);
  });
});

describe('STATE_TABLE_NAME', () => {
  it('is the table name, or empty where no table is deployed', () => {
    // Act
    const [named, none] = [
      loadConfig({ AWS_REGION: 'us-east-1', STATE_TABLE_NAME: ' runas-StateTable-1A2B ' }),
      loadConfig({ AWS_REGION: 'us-east-1', STATE_TABLE_NAME: '' }),
    ];

    // Assess
    expect([named.stateTableName, none.stateTableName]).toEqual(['runas-StateTable-1A2B', undefined]);
  });

  it('fails the cold start when it cannot be a table name', () => {
    // Act
    const attempt = () => loadConfig({ AWS_REGION: 'us-east-1', STATE_TABLE_NAME: 'no/slashes' });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'STATE_TABLE_NAME must be a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -), got "no/slashes"',
    );
  });
});

describe('the session audit marks the ledger', () => {
  it('once the session is audited, naming its audit path (the event path unless said)', async () => {
    // Prepare
    const marks: LedgerEntry[] = [];
    const { reads } = sessionReads();
    const ledger = {
      mark: async (entry: LedgerEntry) => {
        marks.push(entry);
        return 'marked' as const;
      },
    };
    const record = startSessionRecord(7, '2026-03-01T11:00:00Z');
    const intake = parseStartSessionEvent(wrapCloudTrailRecord(record), NOW);
    if (!intake.inScope) throw new Error('out of scope');
    const ports = { ...reads, ledger, findings: { importFindings: async () => undefined } };
    const settings = sessionSettings();

    // Act
    await auditSession(intake.command, ports, settings);
    await auditSession(intake.command, ports, settings, { auditedBy: 'identity' });

    // Assess
    expect(marks).toEqual([
      {
        accountId: '111122223333',
        region: 'us-east-1',
        eventId: String(record.eventID),
        eventTime: '2026-03-01T11:00:00.000Z',
        sessionId: 'alice-0000000000070000a',
        auditedBy: 'event',
      },
      expect.objectContaining({ auditedBy: 'identity' }),
    ]);
  });
});
