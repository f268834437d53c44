import { describe, expect, it } from 'vitest';
import type { FindingImporter } from '../../../src/app/ports.ts';
import { type BatchSpec, runBatch, START_RESERVE_MS } from '../../../src/app/recordBatch.ts';
import { AwsCallError, DeadlineError, FindingImportError, MalformedEventError } from '../../../src/errors.ts';
import { inScope, outOfScope } from '../../../src/events/intake.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';

interface Command {
  readonly name: string;
  readonly eventTime: string;
  readonly findings: readonly string[];
}

const US = { accountId: '111122223333', region: 'us-east-1' };

const finding = (id: string, at = '2026-03-01T13:00:00Z') =>
  ({
    Id: id,
    CreatedAt: at,
    UpdatedAt: at,
    GeneratorId: 'g',
    RecordState: 'ACTIVE',
  }) as unknown as AsffFinding;

/** Events are `{ name, eventTime, findings }`; `bad` is malformed, `other` out of scope. */
const parse = (event: unknown) => {
  const e = event as Command;
  if (e.name === 'bad') throw new MalformedEventError('detail', 'is missing');
  return e.name === 'other' ? outOfScope<Command>('not ours') : inScope(e);
};

const importer = (
  options: { refuse?: ReadonlySet<string>; throwFor?: ReadonlySet<string>; calls?: string[][] } = {},
): FindingImporter => ({
  importFindings: async (findings) => {
    options.calls?.push(findings.map((f) => f.Id));
    const error = new AwsCallError('securityhub:BatchImportFindings', 'down');
    return {
      failed: findings.flatMap((f) =>
        options.throwFor?.has(f.Id) === true
          ? [{ id: f.Id, code: 'AwsCallError', message: 'down', error }]
          : options.refuse?.has(f.Id) === true
            ? [{ id: f.Id, code: 'InvalidInput', message: 'refused' }]
            : [],
      ),
      calls: [findings.length],
    };
  },
});

const spec = (overrides: Partial<BatchSpec<Command, string>> = {}): BatchSpec<Command, string> => ({
  parse,
  parallelism: 4,
  run: async (command, findings) => {
    if (command.name.startsWith('fail')) {
      await findings.sinkFor(US).importFindings(command.findings.map((id) => finding(id)));
      throw new Error(`${command.name} broke`);
    }
    await findings.sinkFor(US).importFindings(command.findings.map((id) => finding(id)));
    return command.name;
  },
  importerFor: () => importer(),
  remainingTimeMs: () => 60_000,
  ...overrides,
});

const record = (id: string, command: Partial<Command>) => ({
  id,
  event: { name: id, eventTime: '2026-03-01T13:00:00Z', findings: [], ...command },
});

describe('runBatch', () => {
  it('fails a malformed or unreadable record alone, succeeds an out-of-scope one, imports the rest at once', async () => {
    // Prepare
    const calls: string[][] = [];
    const records = [
      record('a', { findings: ['f1'] }),
      record('bad', { name: 'bad' }),
      { id: 'raw', event: undefined, unreadable: new MalformedEventError('body', 'is not JSON') },
      record('other', { name: 'other' }),
      record('b', { findings: ['f2', 'f1'] }),
    ];

    // Act
    const result = await runBatch(records, spec({ importerFor: () => importer({ calls }) }));

    // Assess
    expect(result.outcomes.map((o) => [o.id, o.outcome.status])).toEqual([
      ['a', 'done'],
      ['bad', 'failed'],
      ['raw', 'failed'],
      ['other', 'skipped'],
      ['b', 'done'],
    ]);
    expect(calls).toEqual([['f1', 'f2']]);
    expect(result.importedIn).toEqual([2]);
    expect(result.imported.map((f) => f.Id)).toEqual(['f1', 'f2']);
  });

  it('fails the records whose findings were refused, with the refusals', async () => {
    // Act
    const result = await runBatch(
      [
        record('a', { findings: ['f1'] }),
        record('b', { findings: ['f1', 'f2'] }),
        record('c', { findings: ['f3'] }),
      ],
      spec({ importerFor: () => importer({ refuse: new Set(['f1']) }) }),
    );

    // Assess
    const [a, b, c] = result.outcomes.map((o) => o.outcome);
    expect(a).toMatchObject({ status: 'failed', error: expect.any(FindingImportError) });
    expect(b).toMatchObject({ status: 'failed', error: { failed: [{ id: 'f1', code: 'InvalidInput' }] } });
    expect(c).toMatchObject({ status: 'done', result: 'c' });
    expect(result.imported.map((f) => f.Id)).toEqual(['f2', 'f3']);
  });

  it('fails the records whose findings a failed call carried, with its error', async () => {
    // Act
    const result = await runBatch(
      [record('a', { findings: ['f1'] }), record('b', { findings: ['f2'] })],
      spec({ importerFor: () => importer({ throwFor: new Set(['f2']) }) }),
    );

    // Assess
    expect(result.outcomes.map((o) => o.outcome.status)).toEqual(['done', 'failed']);
    expect(result.outcomes[1]?.outcome).toMatchObject({ error: expect.any(AwsCallError) });
  });

  it('still imports what a failing record wrote before it failed', async () => {
    // Prepare
    const calls: string[][] = [];

    // Act
    const result = await runBatch(
      [record('fail-1', { findings: ['f9'] })],
      spec({ importerFor: () => importer({ calls }) }),
    );

    // Assess
    expect(result.outcomes[0]?.outcome).toMatchObject({
      status: 'failed',
      error: { message: 'fail-1 broke' },
    });
    expect(calls).toEqual([['f9']]);
  });

  it('runs at most `parallelism` records at once', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const slow = spec({
      parallelism: 3,
      run: async (command) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return command.name;
      },
    });

    // Act
    await runBatch(
      Array.from({ length: 10 }, (_, i) => record(`r${i}`, {})),
      slow,
    );

    // Assess
    expect(most).toBe(3);
  });

  it('runs changes one at a time in event-time order when asked to', async () => {
    // Prepare
    const order: string[] = [];
    let running = 0;
    const ordered = spec({
      sequentialBy: (c) => Date.parse(c.eventTime),
      run: async (command) => {
        running += 1;
        expect(running).toBe(1);
        order.push(command.name);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running -= 1;
        return command.name;
      },
    });

    // Act
    await runBatch(
      [
        record('late', { eventTime: '2026-03-01T13:05:00Z' }),
        record('early', { eventTime: '2026-03-01T12:00:00Z' }),
        record('middle', { eventTime: '2026-03-01T13:00:00Z' }),
      ],
      ordered,
    );

    // Assess
    expect(order).toEqual(['early', 'middle', 'late']);
  });

  it('does not start a record without time for it and the import', async () => {
    // Prepare
    let remaining = START_RESERVE_MS + 1;

    // Act
    const result = await runBatch(
      [record('a', {}), record('b', {})],
      spec({
        parallelism: 1,
        remainingTimeMs: () => remaining,
        run: async (command) => {
          remaining = START_RESERVE_MS - 1;
          return command.name;
        },
      }),
    );

    // Assess
    expect(result.outcomes.map((o) => o.outcome.status)).toEqual(['done', 'failed']);
    expect(result.outcomes[1]?.outcome).toMatchObject({ error: expect.any(DeadlineError) });
  });
});
