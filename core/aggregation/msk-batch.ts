import type { MSKEvent } from 'aws-lambda';
import type { EnrichedEvent } from '../events/enriched-event.ts';
import { decodeEnrichedEvent } from './event-decoding.ts';

/** One accepted event with the position it had on its topic-partition. */
export interface PositionedEvent {
  readonly offset: number;
  readonly event: EnrichedEvent;
  /** The event's timestamp in epoch ms, parsed once when the record was decoded. */
  readonly timeMs: number;
}

/** The records of one topic-partition in one invocation, decoded, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly events: readonly PositionedEvent[];
  /** Records that were not an enriched event; counted, never allowed to block the partition. */
  readonly undecodable: readonly { readonly offset: number; readonly reason: string }[];
}

/**
 * Splits an MSK event into its topic-partition batches. Offsets give the order; the MSK event
 * already lists them in order, but sorting costs little and makes the gate's arithmetic safe.
 */
export function partitionBatches(event: MSKEvent): PartitionBatch[] {
  if (event.records === null || typeof event.records !== 'object')
    throw new Error('records: an MSK event must carry a records object');
  const out: PartitionBatch[] = [];
  for (const [tp, records] of Object.entries(event.records)) {
    if (!Array.isArray(records) || records.length === 0) continue;
    const sorted = [...records].sort((a, b) => a.offset - b.offset);
    const first = sorted[0]!;
    const events: PositionedEvent[] = [];
    const undecodable: { offset: number; reason: string }[] = [];
    for (const record of sorted) {
      const text = Buffer.from(record.value ?? '', 'base64').toString('utf8');
      const decoded = decodeEnrichedEvent(text);
      if (decoded.ok) events.push({ offset: record.offset, event: decoded.event, timeMs: decoded.timeMs });
      else undecodable.push({ offset: record.offset, reason: decoded.reason });
    }
    if (first.topic === undefined || typeof first.partition !== 'number')
      throw new Error(`records.${tp}: each record must name its topic and partition`);
    out.push({
      topic: first.topic,
      partition: first.partition,
      firstOffset: first.offset,
      lastOffset: sorted[sorted.length - 1]!.offset,
      events,
      undecodable,
    });
  }
  return out;
}
