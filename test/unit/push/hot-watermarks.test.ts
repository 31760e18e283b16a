import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { funnelsAggregation } from '../../../core/aggregation/funnels.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
import { windowsAggregation } from '../../../core/aggregation/sliding-windows.ts';
import { tweetsAggregation } from '../../../core/aggregation/tweets.ts';
import { defineAggregatorMapping, MAPPINGS } from '../../../core/mappings.ts';
import { HOT_CONSUMERS, hotConsumersOf, unreached, watermarksOf } from '../../../core/push/hot-watermarks.ts';
import { enrichedEvent, mskEventOf } from '../aggregation/factories.ts';

/** Two MSK events' records merged into one invocation, as a mapping reading several partitions sends. */
function merged(...events: MSKEvent[]): MSKEvent {
  return { ...events[0]!, records: Object.assign({}, ...events.map((e) => e.records)) };
}

describe('hot-tier watermarks of a broadcaster batch', () => {
  it('asks every events.raw aggregator for the last offset of each partition', () => {
    const event = merged(
      mskEventOf([enrichedEvent(), enrichedEvent(), enrichedEvent()], { partition: 0, firstOffset: 40 }),
      mskEventOf([enrichedEvent()], { partition: 2, firstOffset: 7 }),
    );
    expect(watermarksOf(event)).toEqual([
      { consumer: 'realtime', topic: 'events.raw', partition: 0, offset: 42 },
      { consumer: 'windows', topic: 'events.raw', partition: 0, offset: 42 },
      { consumer: 'funnels', topic: 'events.raw', partition: 0, offset: 42 },
      { consumer: 'realtime', topic: 'events.raw', partition: 2, offset: 7 },
      { consumer: 'windows', topic: 'events.raw', partition: 2, offset: 7 },
      { consumer: 'funnels', topic: 'events.raw', partition: 2, offset: 7 },
    ]);
  });

  it('asks the tweets aggregator for tweets.enriched, and no one for a topic without hot consumers', () => {
    const tweets = mskEventOf(['{}', '{}'], { topic: 'tweets.enriched', partition: 1, firstOffset: 10 });
    expect(watermarksOf(tweets)).toEqual([
      { consumer: 'tweets', topic: 'tweets.enriched', partition: 1, offset: 11 },
    ]);
    expect(watermarksOf(mskEventOf(['{}'], { topic: 'events.dlq' }))).toEqual([]);
  });

  it('leaves only the gates that are missing or below their watermark', () => {
    const marks = watermarksOf(mskEventOf([enrichedEvent(), enrichedEvent()], { firstOffset: 5 }));
    expect(unreached(marks, ['6', null, '5']).map((w) => w.consumer)).toEqual(['windows', 'funnels']);
    expect(unreached(marks, ['6', '9', '6'])).toEqual([]);
  });

  it('rejects a gate that does not hold an offset', () => {
    const marks = watermarksOf(mskEventOf([enrichedEvent()]));
    expect(() => unreached(marks, ['x', '0', '0'])).toThrow(/high-water "x" is not an integer/);
  });

  it('waits for every hot mapping of core/mappings.ts, by the consumer its aggregation names its gates by', () => {
    const consumers = [
      realtimeAggregation,
      windowsAggregation,
      funnelsAggregation(parseFunnelCatalog(undefined)),
      tweetsAggregation,
    ].map((a) => a.consumer);
    expect(Object.values(HOT_CONSUMERS).flat().sort()).toEqual([...consumers].sort());
    // A hot aggregator added to the mappings is waited for with no list to edit; the broadcaster is not.
    const more = hotConsumersOf([
      ...MAPPINGS,
      defineAggregatorMapping('sessions', 'events.raw', 5000, 0, ['hot']),
    ]);
    expect(more['events.raw']).toEqual(['realtime', 'windows', 'funnels', 'sessions']);
    expect(more['tweets.enriched']).toEqual(['tweets']);
  });
});
