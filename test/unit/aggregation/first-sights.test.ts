import { describe, expect, it } from 'vitest';
import { dedupClock } from '../../../core/aggregation/dedup-directory.ts';
import { identityOfEvent } from '../../../core/aggregation/event-decoding.ts';
import { judgeSightings, planFirstSights, sightingsOf } from '../../../core/aggregation/first-sights.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

const T = Date.parse('2026-01-15T10:00:30.000Z');

function sightingsAt(ids: string[], firstOffset: number) {
  const events = ids.map((id) => enrichedEvent({ event_id: id }));
  const [batch] = partitionBatches(mskEventOf(events, { firstOffset }));
  return sightingsOf(batch!.events, identityOfEvent);
}

describe('first sights', () => {
  it('counts the first record of an id and drops its copies in the same batch', () => {
    const verdict = judgeSightings(sightingsAt(['a', 'b', 'a', 'c', 'b'], 10), new Map());
    expect(verdict.counted.map((e) => e.offset)).toEqual([10, 11, 13]);
    expect(verdict.copies).toBe(2);
    expect(verdict.unrecorded.map((s) => s.event.offset)).toEqual([10, 11, 13]);
  });

  it('drops a copy of an id stored at another offset, and counts the record stored as the first sight', () => {
    const sightings = sightingsAt(['a', 'b'], 20);
    const stored = new Map([
      [sightings[0]!.digest.toString('hex'), 3],
      [sightings[1]!.digest.toString('hex'), 21],
    ]);
    const verdict = judgeSightings(sightings, stored);
    expect(verdict.counted.map((e) => e.offset)).toEqual([21]);
    expect(verdict.copies).toBe(1);
    // Already stored by another consumer of the partition: nothing to record.
    expect(verdict.unrecorded).toEqual([]);
  });

  it('tells the same event id of two projects apart', () => {
    const events = [
      enrichedEvent({ event_id: 'x', project: 'shop' }),
      enrichedEvent({ event_id: 'x', project: 'blog' }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    expect(judgeSightings(sightingsOf(batch!.events, identityOfEvent), new Map()).counted).toHaveLength(2);
  });

  it('records new first sights in the open segment, claiming a segment it opens', () => {
    const verdict = judgeSightings(sightingsAt(['a', 'b', 'c'], 0), new Map());
    const plan = new RedisPlan();
    const clock = dedupClock(86_400);
    planFirstSights(plan, { topic: 'events.raw', partition: 4 }, clock, [], verdict.unrecorded, T);
    const generation = Math.floor(T / 1000 / clock.generationSeconds);
    const directory = '{sp}:dd:events.raw:4';
    expect(plan.claims.get(directory)).toEqual(new Map([[`${generation}.0`, '0']]));
    expect(plan.hashIncrements.get(directory)).toEqual(new Map([[`${generation}.0.n`, 3]]));
    const shard = `{sp}:dd:events.raw:4:${generation}.0:0`;
    expect([...plan.hashSets.get(shard)!.values()].map((f) => f.value)).toEqual(['0', '1', '2']);
    expect(plan.expiries.get(shard)).toBe((generation + 1) * clock.generationSeconds + 86_400);
  });
});
