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
export interface RecordBatch<T> {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly events: readonly T[];
  /** Records that did not decode; counted, never allowed to block the partition. */
  readonly undecodable: readonly { readonly offset: number; readonly reason: string }[];
}

/** A batch of events.raw: enriched events. */
export type PartitionBatch = RecordBatch<PositionedEvent>;

/** Decodes one record value (UTF-8 text) found at `offset`. */
export type RecordDecoder<T> = (
  text: string,
  offset: number,
) => { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * Splits an MSK event into its topic-partition batches, each record decoded by `decode`.
 * Offsets give the order; the MSK event already lists them in order, but sorting costs little
 * and makes the gate's arithmetic safe.
 */
export function decodeBatches<T>(event: MSKEvent, decode: RecordDecoder<T>): RecordBatch<T>[] {
  if (event.records === null || typeof event.records !== 'object')
    throw new Error('records: an MSK event must carry a records object');
  const out: RecordBatch<T>[] = [];
  for (const [tp, records] of Object.entries(event.records)) {
    if (!Array.isArray(records) || records.length === 0) continue;
    const sorted = [...records].sort((a, b) => a.offset - b.offset);
    const first = sorted[0]!;
    const events: T[] = [];
    const undecodable: { offset: number; reason: string }[] = [];
    for (const record of sorted) {
      const decoded = decode(Buffer.from(record.value ?? '', 'base64').toString('utf8'), record.offset);
      if (decoded.ok) events.push(decoded.value);
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

const decodePositionedEvent: RecordDecoder<PositionedEvent> = (text, offset) => {
  const decoded = decodeEnrichedEvent(text);
  return decoded.ok
    ? { ok: true, value: { offset, event: decoded.event, timeMs: decoded.timeMs } }
    : { ok: false, reason: decoded.reason };
};

/** The enriched-event batches of an MSK event on events.raw. */
export function partitionBatches(event: MSKEvent): PartitionBatch[] {
  return decodeBatches(event, decodePositionedEvent);
}
