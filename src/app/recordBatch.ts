/**
 * Runs the records of one batch: each is parsed on its own (a malformed record fails alone, an
 * out-of-scope one succeeds), the use cases run with a bound on parallelism (or one after another
 * in event-time order, for changes that read back what earlier records wrote), and then every
 * finding of the batch is imported at once, grouped by account and Region. A finding Security Hub
 * refuses, or a call that fails, fails exactly the records that produced it.
 */
import { DeadlineError, FindingImportError } from '../errors.ts';
import type { Intake } from '../events/intake.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { createFindingBatch, type Placement, type RecordFindings } from './findingBatch.ts';
import type { FailedFinding, FindingImporter } from './ports.ts';

export interface BatchRecord {
  /** The SQS message id (or a fixed id for a bare event). */
  readonly id: string;
  /** The EventBridge event, or the error that kept it from being read. */
  readonly event: unknown;
  readonly unreadable?: Error;
}

export interface BatchSpec<C, R> {
  parse(event: unknown): Intake<C>;
  /**
   * When set, records run one after another in this order (event time): a change reads the
   * findings earlier records of the batch wrote. Otherwise up to `parallelism` run at once.
   */
  readonly sequentialBy?: (command: C) => number;
  readonly parallelism: number;
  run(command: C, findings: RecordFindings): Promise<R>;
  importerFor(placement: Placement): FindingImporter;
  /** Time left in the invocation: a record is not started without enough of it. */
  remainingTimeMs(): number;
}

export type RecordOutcome<C, R> =
  | { readonly status: 'done'; readonly command: C; readonly result: R }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: unknown; readonly command?: C };

export interface BatchResult<C, R> {
  /** One outcome per record, in the order given. */
  readonly outcomes: readonly { readonly id: string; readonly outcome: RecordOutcome<C, R> }[];
  /** Findings Security Hub accepted. */
  readonly imported: readonly AsffFinding[];
  /** BatchImportFindings calls made (each at most 100 findings). */
  readonly importedIn: readonly number[];
}

/** A record is started only with this much time left: the import still has to follow. */
export const START_RESERVE_MS = 5_000;

const runBounded = async (tasks: readonly (() => Promise<void>)[], bound: number): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await task?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(bound, tasks.length)) }, worker));
};

/** The error a record fails with when some of its findings were not stored. */
const importFailure = (failures: readonly FailedFinding[]): unknown =>
  failures.find((f) => f.error !== undefined)?.error ??
  new FindingImportError(failures.map(({ id, code, message }) => ({ id, code, message })));

export const runBatch = async <C, R>(
  records: readonly BatchRecord[],
  spec: BatchSpec<C, R>,
): Promise<BatchResult<C, R>> => {
  const outcomes = new Map<string, RecordOutcome<C, R>>();
  const commands: { id: string; command: C }[] = [];
  for (const record of records) {
    if (record.unreadable !== undefined) {
      outcomes.set(record.id, { status: 'failed', error: record.unreadable });
      continue;
    }
    try {
      const intake = spec.parse(record.event);
      if (intake.inScope) commands.push({ id: record.id, command: intake.command });
      else outcomes.set(record.id, { status: 'skipped', reason: intake.reason });
    } catch (error) {
      outcomes.set(record.id, { status: 'failed', error });
    }
  }

  const batch = createFindingBatch();
  const { sequentialBy } = spec;
  const ordered =
    sequentialBy === undefined
      ? commands
      : [...commands].sort((a, b) => sequentialBy(a.command) - sequentialBy(b.command));
  await runBounded(
    ordered.map(({ id, command }) => async () => {
      if (spec.remainingTimeMs() < START_RESERVE_MS) {
        const error = new DeadlineError('the invocation ran out of time before this record was started');
        outcomes.set(id, { status: 'failed', error, command });
        return;
      }
      try {
        outcomes.set(id, { status: 'done', command, result: await spec.run(command, batch.forRecord(id)) });
      } catch (error) {
        // Its findings are imported all the same: what it wrote before failing is true.
        outcomes.set(id, { status: 'failed', error, command });
      }
    }),
    sequentialBy === undefined ? spec.parallelism : 1,
  );

  const imported: AsffFinding[] = [];
  const importedIn: number[] = [];
  const failuresOf = new Map<string, FailedFinding[]>();
  await Promise.all(
    batch.groups().map(async (group) => {
      const { failed, calls } = await spec.importerFor(group).importFindings(group.findings);
      const refused = new Set(failed.map((f) => f.id));
      imported.push(...group.findings.filter((f) => !refused.has(f.Id)));
      importedIn.push(...calls);
      for (const failure of failed) {
        for (const owner of group.owners.get(failure.id) ?? []) {
          failuresOf.set(owner, [...(failuresOf.get(owner) ?? []), failure]);
        }
      }
    }),
  );
  for (const [id, failures] of failuresOf) {
    const outcome = outcomes.get(id);
    if (outcome?.status === 'done') {
      outcomes.set(id, { status: 'failed', error: importFailure(failures), command: outcome.command });
    }
  }

  return {
    outcomes: records.map(({ id }) => ({
      id,
      outcome: outcomes.get(id) ?? { status: 'failed', error: new Error(`record ${id} was not run`) },
    })),
    imported,
    importedIn,
  };
};
