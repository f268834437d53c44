/** The EventBridge events of events/ (env-vars files and the organization's folder are not), by name. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const EVENTS = path.resolve(import.meta.dirname, '../../events');

export interface EventFixture {
  readonly name: string;
  readonly event: Record<string, unknown>;
}

const isEventBridgeEvent = (event: unknown): event is Record<string, unknown> =>
  typeof event === 'object' &&
  event !== null &&
  typeof (event as Record<string, unknown>).source === 'string' &&
  'detail-type' in event &&
  'detail' in event;

export const eventFixtures = async (): Promise<EventFixture[]> => {
  const names = (await readdir(EVENTS)).filter((n) => n.endsWith('.json')).sort();
  const files = await Promise.all(
    names.map(async (name) => ({
      name,
      event: JSON.parse(await readFile(path.join(EVENTS, name), 'utf8')) as unknown,
    })),
  );
  return files.flatMap(({ name, event }) => (isEventBridgeEvent(event) ? [{ name, event }] : []));
};
