import type { MSKEvent } from 'aws-lambda';
import { TOPICS } from '../topics.ts';

/**
 * How stale the live dashboard is: the age of the oldest event in a broadcaster batch when the
 * broadcaster has pushed (or coalesced into the next push of) the frames that show it. The
 * record's Kafka timestamp is when ingest produced it, so this spans the whole path a dashboard
 * user waits on: Kafka, the hot aggregators (the broadcaster waits for them), the push.
 * Undefined for a batch without events (tweets have their own path and pace).
 */
export function oldestEventAgeMs(event: MSKEvent, nowMs: number): number | undefined {
  let oldest = Number.POSITIVE_INFINITY;
  for (const records of Object.values(event.records ?? {}))
    for (const { topic, timestamp } of records)
      if (topic === TOPICS.eventsRaw.name && Number.isFinite(timestamp) && timestamp < oldest)
        oldest = timestamp;
  // A producer clock ahead of ours would read as negative: that is fresh, not a number to average.
  return oldest === Number.POSITIVE_INFINITY ? undefined : Math.max(0, nowMs - oldest);
}
