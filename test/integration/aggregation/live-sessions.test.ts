import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { sessionKeys } from '../../../core/aggregation/session-keys.ts';
import { windowsAggregation } from '../../../core/aggregation/sliding-windows.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EventType } from '../../../core/events/event-types.ts';
import { OffsetGate } from '../../../io/redis/offset-gate.ts';
import { readLiveSessions } from '../../../io/redis/session-reads.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

// Keys expire at absolute times of the real clock, so the stream is of a moment ago: it starts
// on the minute 20 minutes before NOW, which the aggregator and the reads are both given.
// Expectations are literals worked out from the seeded visits, relative to that minute.
const NOW = Date.now();
const MINUTE_MS = 60_000;
const BASE = Math.floor(NOW / MINUTE_MS) * MINUTE_MS - 20 * MINUTE_MS;
const PROJECT = 'live-sessions';

function visit(
  who: { user_id?: string; anonymous_id?: string; session_id?: string; is_bot?: boolean },
  events: ReadonlyArray<readonly [number, EventType?]>,
): EnrichedEvent[] {
  return events.map(([minute, type]) =>
    enrichedEvent({
      project: PROJECT,
      type: type ?? 'page_view',
      user_id: who.user_id ?? null,
      anonymous_id: who.anonymous_id ?? null,
      session_id: who.session_id ?? null,
      is_bot: who.is_bot === true,
      timestamp: new Date(BASE + minute * MINUTE_MS).toISOString(),
    }),
  );
}

/**
 * Sessions, by the minute they start in (minutes after BASE):
 *   0 u1            2 pages, 600 s (a click at 10 closes it)
 *   1 u2 "s-1"      2 pages, 120 s
 *   2 a3            1 page,    0 s  bounce (anonymous)
 *   4 u4            0 pages,   0 s  (no page view: not a bounce)
 *   6 u6            3 pages, 180 s  (its events cut across the two batches)
 * and none of a bot's.
 */
const u6 = visit({ user_id: 'u6' }, [[6], [7], [9]]);
const FIRST = [
  ...visit({ user_id: 'u1' }, [[0], [5]]),
  ...visit({ user_id: 'u2', session_id: 's-1' }, [[1]]),
  ...visit({ anonymous_id: 'a3' }, [[2]]),
  ...visit({ user_id: 'u5', is_bot: true }, [[1], [3]]),
  u6[0]!,
];
const SECOND = [
  ...visit({ user_id: 'u1' }, [[10, 'click']]),
  ...visit({ user_id: 'u2', session_id: 's-1' }, [[3]]),
  ...visit({ user_id: 'u4' }, [[4, 'add_to_cart']]),
  ...u6.slice(1),
];

const EXPECTED = {
  window_s: 1800,
  per_minute: Array.from({ length: 30 }, (_, i) => {
    const t = BASE - 9 * MINUTE_MS + i * MINUTE_MS;
    return { t, sessions: [0, 1, 2, 4, 6].some((m) => BASE + m * MINUTE_MS === t) ? 1 : 0 };
  }),
  sessions: 5,
  bounces: 1,
  bounce_rate: 0.2,
  avg_duration_s: 180,
  pages_per_session: 1.6,
};

describe('live sessions against redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('gives exact live figures from a stream, carrying open sessions from batch to batch', async () => {
    const gate = new OffsetGate(redis.client, windowsAggregation);
    const [first] = partitionBatches(mskEventOf(FIRST, { partition: 3, firstOffset: 0 }));
    const [second] = partitionBatches(mskEventOf(SECOND, { partition: 3, firstOffset: FIRST.length }));
    await gate.apply(first!, NOW);
    await gate.apply(second!, NOW);
    expect(await readLiveSessions(redis.client, PROJECT, NOW)).toEqual(EXPECTED);
  });

  it('changes nothing for a redelivered batch or a client’s copies at new offsets', async () => {
    const gate = new OffsetGate(redis.client, windowsAggregation);
    const [again] = partitionBatches(mskEventOf(SECOND, { partition: 3, firstOffset: FIRST.length }));
    expect(await gate.apply(again!, NOW)).toMatchObject({ applied: 0 });
    const offset = FIRST.length + SECOND.length;
    const [copies] = partitionBatches(
      mskEventOf([...SECOND, ...FIRST], { partition: 3, firstOffset: offset }),
    );
    expect(await gate.apply(copies!, NOW)).toMatchObject({
      applied: 0,
      copies: FIRST.length + SECOND.length,
    });
    expect(await readLiveSessions(redis.client, PROJECT, NOW)).toEqual(EXPECTED);
  });

  it('keeps an open session in a small key for 30 minutes after its last event', async () => {
    const key = sessionKeys.open(PROJECT, 'u6', '');
    const bytes = Number(await redis.client.call('MEMORY', 'USAGE', key));
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(200);
    const ttl = await redis.client.ttl(key);
    // Its last event (BASE + 9 min) is older than NOW: 30 minutes from the processing.
    expect(ttl).toBeGreaterThan(1700);
    expect(ttl).toBeLessThanOrEqual(1800);
    const minuteTtl = await redis.client.ttl(sessionKeys.minute(PROJECT, BASE / 1000));
    expect(minuteTtl).toBeGreaterThan(0);
    expect(minuteTtl).toBeLessThanOrEqual(31 * 60 - 20 * 60);
  });
});
