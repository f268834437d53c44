/** Shared e2e setup: the bundled world and events, replayed through the real handlers and SDK. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { ClientOptions } from '../../src/composition/clients.ts';
import { type ReplayEvent, readEventFiles } from '../../src/local/tools/eventInput.ts';
import {
  type FunctionRun,
  type ReplayEvaluation,
  type ReplayOptions,
  type ReplayResult,
  replay,
} from '../../src/local/tools/replay.ts';
import { loadWorld, type StoredFinding, type World } from '../../src/local/world/world.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const EVENTS_DIR = path.join(ROOT, 'events');

/** Retries as the SDK's standard strategy does (3 attempts), without waiting. */
export const FAST_RETRIES: ClientOptions = { retryStrategy: new ConfiguredRetryStrategy(3, () => 1) };

/** Report every outcome so each one can be checked in Security Hub. */
export const REPORT_ALL = {
  Parameters: { REPORT_COMPLIANT_SESSIONS: 'true', REPORT_NOT_APPLICABLE: 'true' },
};

export const demoWorld = (): Promise<World> => loadWorld(path.join(ROOT, 'src/local/world/demo-world.json'));

export const sessionEventFiles = async (): Promise<string[]> =>
  (await readdir(EVENTS_DIR))
    .filter((name) => name.startsWith('startsession-') && name.endsWith('.json'))
    .sort();

export const readEvents = async (names: readonly string[]): Promise<ReplayEvent[]> =>
  readEventFiles(names.map((name) => path.join(EVENTS_DIR, name)));

export const replayAll = (
  events: readonly ReplayEvent[],
  options: Partial<ReplayOptions> & { world: World },
): Promise<ReplayResult> => replay({ envVars: REPORT_ALL, clientOptions: FAST_RETRIES, ...options, events });

/** The identity function keeping the tag history of an IAM change (or finding it out of scope). */
const isTagHistory = (run: FunctionRun): boolean => {
  const result = run.result as { check?: unknown; skipped?: unknown } | undefined;
  return (
    run.logicalId === 'IdentityFunction' && (result?.check === 'tag-history' || 'skipped' in (result ?? {}))
  );
};

/** An event's audit runs: every run but the identity function's tag history of an IAM change. */
export const auditRuns = (evaluation: ReplayEvaluation): FunctionRun[] =>
  evaluation.runs.filter((run) => !isTagHistory(run));

/** The one audit run of a replayed event (a StartSession reaches exactly one function). */
export const onlyRun = (result: ReplayResult, event: string) => {
  const evaluation = result.evaluations.find((e) => e.event === event);
  const runs = evaluation === undefined ? [] : auditRuns(evaluation);
  if (runs.length !== 1) throw new Error(`${event}: expected one function run`);
  const [run] = runs;
  if (run === undefined) throw new Error(`${event}: no run`);
  return run;
};

export const findingById = (findings: readonly StoredFinding[], id: string): StoredFinding | undefined =>
  findings.find((f) => f.Id === id);

/** A deep copy of an EventBridge event with changes applied to its CloudTrail detail. */
export const withDetail = (
  event: unknown,
  change: (detail: Record<string, unknown>, envelope: Record<string, unknown>) => void,
): unknown => {
  const copy = structuredClone(event) as Record<string, unknown>;
  change(copy.detail as Record<string, unknown>, copy);
  return copy;
};
