import type { MSKEvent } from 'aws-lambda';
import { parseHighWater } from '../aggregation/offset-gate.ts';
import { MAPPINGS, type MappingDefinition } from '../mappings.ts';

/**
 * The hot-tier aggregators whose numbers the channels show, by the topic they read: every
 * mapping of core/mappings.ts that writes the hot tier and pushes nothing (the broadcaster
 * writes its ledger there too). A hot aggregator's function name is the `consumer` its
 * aggregation names its offset gates by (core/aggregation), so a mapping added there is waited
 * for here without a list to keep in step. The broadcaster reads the same records in its own
 * group, so it waits until these have applied them before it reads Redis.
 */
export function hotConsumersOf(
  mappings: readonly MappingDefinition[],
): Readonly<Record<string, readonly string[]>> {
  const byTopic: Record<string, string[]> = {};
  for (const m of mappings) {
    if (!m.writes.includes('hot') || m.writes.includes('push')) continue;
    const consumers = byTopic[m.topic] ?? [];
    if (!consumers.includes(m.functionName)) consumers.push(m.functionName);
    byTopic[m.topic] = consumers;
  }
  return byTopic;
}

export const HOT_CONSUMERS: Readonly<Record<string, readonly string[]>> = hotConsumersOf(MAPPINGS);

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
