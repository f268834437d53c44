/**
 * StartSessionHistory over CloudTrail LookupEvents (EventName=StartSession, the window's StartTime
 * and EndTime, 50 events a page, newest first, with the SDK's paginator). LookupEvents allows 2
 * calls a second per account and Region: the composition's pacer keeps to it, so a Region's history
 * reads at most 100 events a second. Each event's CloudTrailEvent is the raw record as a trail
 * writes it; one that is not JSON is handed on with the reason, so it is reported, not dropped.
 */
import { type CloudTrailClient, type Event, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import type { HistoryRecord, StartSessionHistory } from '../app/historyPorts.ts';
import { toAwsCallError } from './sdkErrors.ts';

const PAGE_SIZE = 50;

const recordOf = (event: Event, region: string): HistoryRecord => {
  const name = `LookupEvents ${region} ${event.EventId ?? '(no EventId)'}`;
  if (typeof event.CloudTrailEvent !== 'string') {
    return { name, record: undefined, problem: 'LookupEvents returned no CloudTrailEvent' };
  }
  try {
    return { name, record: JSON.parse(event.CloudTrailEvent) as unknown };
  } catch {
    return { name, record: undefined, problem: 'its CloudTrailEvent is not JSON' };
  }
};

export const createCloudTrailStartSessions = (ct: CloudTrailClient, region: string): StartSessionHistory => ({
  pages: async function* (window) {
    const pages = paginateLookupEvents(
      { client: ct, pageSize: PAGE_SIZE },
      {
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'StartSession' }],
        StartTime: new Date(window.from),
        EndTime: new Date(window.to),
      },
    );
    try {
      for await (const page of pages) yield (page.Events ?? []).map((event) => recordOf(event, region));
    } catch (err) {
      throw toAwsCallError('cloudtrail:LookupEvents', err);
    }
  },
});
