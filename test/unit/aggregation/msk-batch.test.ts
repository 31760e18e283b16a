import { describe, expect, it } from 'vitest';
import { decodeEnrichedEvent } from '../../../core/aggregation/event-decoding.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { unappliedEvents } from '../../../core/aggregation/offset-gate.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

describe('partition batches', () => {
  it('decodes records with their offsets and sets aside the undecodable', () => {
    const event = mskEventOf([enrichedEvent(), 'not json', '{"type":"page_view"}', enrichedEvent()], {
      partition: 3,
      firstOffset: 40,
    });
    const [batch] = partitionBatches(event);
    expect(batch).toMatchObject({ topic: 'events.raw', partition: 3, firstOffset: 40, lastOffset: 43 });
    expect(batch!.events.map((e) => e.offset)).toEqual([40, 43]);
    expect(batch!.undecodable).toEqual([
      { offset: 41, reason: 'value: not JSON' },
      { offset: 42, reason: 'event_id: must be a non-empty string' },
    ]);
  });

  it('names the field and rule for a bad timestamp', () => {
    expect(decodeEnrichedEvent(JSON.stringify({ ...enrichedEvent(), timestamp: 'yesterday' }))).toEqual({
      ok: false,
      reason: 'timestamp: must be an ISO 8601 date-time',
    });
  });

  it('lets only records past the high-water through the gate', () => {
    const [batch] = partitionBatches(
      mskEventOf([enrichedEvent(), enrichedEvent(), enrichedEvent()], { firstOffset: 10 }),
    );
    expect(unappliedEvents(batch!.events, 9).map((e) => e.offset)).toEqual([10, 11, 12]);
    expect(unappliedEvents(batch!.events, 11).map((e) => e.offset)).toEqual([12]);
    expect(unappliedEvents(batch!.events, 12)).toEqual([]);
  });
});

describe('replay batches', () => {
  it('rebuilds MSK events with the archived offsets, in order, without duplicate offsets', async () => {
    const { replayEvents } = await import('../../../core/aggregation/replay-batches.ts');
    const row = (offset: number, partition = 0) => ({
      ...enrichedEvent(),
      kafka_topic: 'events.raw',
      kafka_partition: partition,
      kafka_offset: offset,
    });
    const events = replayEvents([row(7), row(5), row(6), row(5), row(1, 2)], 2);
    const batches = events.flatMap((e) => partitionBatches(e));
    expect(batches.map((b) => [b.partition, b.events.map((x) => x.offset)])).toEqual([
      [0, [5, 6]],
      [0, [7]],
      [2, [1]],
    ]);
    expect(() => replayEvents([], 0)).toThrow(/batchSize: must be a positive integer/);
  });
});
