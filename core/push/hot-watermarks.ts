import type { MSKEvent } from 'aws-lambda';
import { parseHighWater } from '../aggregation/offset-gate.ts';
import { TOPICS } from '../topics.ts';

/**
 * The hot-tier aggregators whose numbers the channels show, by the topic they read (their
 * `consumer` names in core/aggregation). The broadcaster reads the same records in its own
 * group, so it waits until these have applied them before it reads Redis.
 */
export const HOT_CONSUMERS: Readonly<Record<string, readonly string[]>> = {
  [TOPICS.eventsRaw.name]: ['realtime', 'windows', 'funnels'],
  [TOPICS.tweetsEnriched.name]: ['tweets'],
};

/** A consumer's offset gate that must reach `offset` on one topic-partition. */
export interface Watermark {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Every hot consumer's gate that must reach the last offset the batch carries, per partition. */
export function watermarksOf(event: MSKEvent, consumers = HOT_CONSUMERS): Watermark[] {
  const last = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const records of Object.values(event.records ?? {}))
    for (const { topic, partition, offset } of records) {
      const id = `${topic}\u0000${partition}`;
      if ((last.get(id)?.offset ?? -1) < offset) last.set(id, { topic, partition, offset });
    }
  return [...last.values()].flatMap(({ topic, partition, offset }) =>
    (consumers[topic] ?? []).map((consumer) => ({ consumer, topic, partition, offset })),
  );
}

/** The watermarks the stored high-waters (in the same order) have not reached yet. */
export function unreached(
  watermarks: readonly Watermark[],
  highWaters: readonly (string | null)[],
): Watermark[] {
  return watermarks.filter((w, i) => parseHighWater(highWaters[i]) < w.offset);
}
