import { describe, expect, it } from 'vitest';
import { firstCopies, identityKey } from '../../../core/aggregation/first-copies.ts';
import { deduplicationToken, eventWarehouseBatch } from '../../../core/aggregation/warehouse-row.ts';
import { archiveGlob, tweetArchiveGlob } from '../../../core/query/archive-scan.ts';
import { chunks } from '../../../io/clickhouse/identity-index.ts';
import { enrichedEvent } from '../aggregation/factories.ts';

const entry = (offset: number, scope: string, id: string) => ({ offset, identity: { scope, id } });

describe('firstCopies', () => {
  it('keeps the first copy of each identity in offset order and none the table holds', () => {
    const rows = [
      entry(10, 'shop', 'a'),
      entry(11, 'shop', 'b'),
      entry(12, 'shop', 'a'),
      entry(13, 'blog', 'a'),
      entry(14, 'shop', 'c'),
      entry(15, 'shop', 'b'),
    ];
    const kept = firstCopies(rows, new Set([identityKey({ scope: 'shop', id: 'c' })]));
    expect(kept.map((r) => r.offset)).toEqual([10, 11, 13]);
  });

  it('does not confuse a scope and id that concatenate alike', () => {
    const kept = firstCopies([entry(0, 'ab', 'c'), entry(1, 'a', 'bc')], new Set());
    expect(kept).toHaveLength(2);
  });
});

describe('deduplicationToken', () => {
  it('is the same for the same offsets and differs for fewer offsets of the same range', () => {
    const all = [100, 101, 102, 103, 104];
    expect(deduplicationToken('events.raw', 3, all)).toBe(deduplicationToken('events.raw', 3, [...all]));
    const tokens = new Set(
      [all, [100, 102, 104], [100, 101, 104], [100, 103, 104], [100, 104]].map((o) =>
        deduplicationToken('events.raw', 3, o),
      ),
    );
    expect(tokens.size).toBe(5);
    expect(deduplicationToken('events.raw', 4, all)).not.toBe(deduplicationToken('events.raw', 3, all));
    expect(deduplicationToken('events.raw', 3, all)).toMatch(/^events\.raw-3-100-104-5-[0-9a-f]{16}$/);
  });
});

describe('eventWarehouseBatch', () => {
  it('names each row by its project and event id, with the time it is stored under', () => {
    const event = enrichedEvent({ project: 'shop', timestamp: '2026-03-01T12:00:00.250Z' });
    const batch = eventWarehouseBatch({
      topic: 'events.raw',
      partition: 1,
      firstOffset: 7,
      lastOffset: 7,
      events: [{ event, offset: 7, timeMs: Date.parse(event.timestamp) }],
      undecodable: [],
    });
    expect(batch.identityColumns).toEqual({ scope: 'project', id: 'event_id' });
    expect(batch.rows[0]).toMatchObject({
      offset: 7,
      identity: { scope: 'shop', id: event.event_id },
      ts: '2026-03-01 12:00:00.250',
    });
  });
});

describe('archive globs', () => {
  const day = Date.UTC(2026, 9, 24);
  it('list the days of a range, for a project and for tweets', () => {
    expect(archiveGlob('/events/', 'shop', day + 3_600_000, day + 86_400_000 + 60_000)).toBe(
      'events/project=shop/dt={2026-10-24,2026-10-25}/hour=*/*.ndjson.gz',
    );
    expect(tweetArchiveGlob('tweets', day, day + 1)).toBe('tweets/dt=2026-10-24/hour=*/*.ndjson.gz');
  });
});

describe('identity lookups cut by query text', () => {
  it('keeps order, stays within the budget and never leaves an item out', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `id-${i}`.padEnd(10 + (i % 7), 'x'));
    const cut = chunks(ids, (id) => id.length, 100);
    expect(cut.flat()).toEqual(ids);
    expect(cut.length).toBeGreaterThan(3);
    for (const chunk of cut) expect(chunk.reduce((n, id) => n + id.length + 8, 0)).toBeLessThanOrEqual(100);
    expect(chunks(['far longer than the budget'], (id) => id.length, 5)).toEqual([
      ['far longer than the budget'],
    ]);
  });
});
