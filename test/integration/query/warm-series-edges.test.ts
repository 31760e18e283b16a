import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
// The query function's clock; the events lie three days before it, the warm tier's alone (its
// retention follows the real clock). Expectations are computed from the events.
const NOW = Date.now();
const T0 = Math.floor((NOW - 3 * 86_400_000) / HOUR_MS) * HOUR_MS;

/** An event every 10 s for two hours from T0: page views of nine visitors, every fourth a purchase. */
const events: EnrichedEvent[] = Array.from({ length: 720 }, (_, i) =>
  enrichedEvent({
    project: PROJECT,
    type: i % 4 === 0 ? 'purchase' : 'page_view',
    user_id: `u${i % 9}`,
    timestamp: new Date(T0 + i * 10_000).toISOString(),
    order: i % 4 === 0 ? { id: `o${i}`, revenue: 10 + (i % 7), currency: 'EUR' } : null,
  }),
);

/**
 * Per step of `stepMs` from `origin`, the metric over the events in [from, to) (revenue in minor
 * units, as a series answers it), steps with none left out.
 */
function expected(
  metric: 'events' | 'visitors' | 'revenue',
  from: number,
  to: number,
  origin: number,
  stepMs: number,
) {
  const steps = new Map<number, EnrichedEvent[]>();
  for (const e of events) {
    const t = Date.parse(e.timestamp);
    if (t < from || t >= to) continue;
    const step = origin + Math.floor((t - origin) / stepMs) * stepMs;
    steps.set(step, [...(steps.get(step) ?? []), e]);
  }
  return [...steps].map(([t, es]) => ({
    t,
    value:
      metric === 'events'
        ? es.length
        : metric === 'visitors'
          ? new Set(es.map((e) => e.user_id)).size
          : es.filter((e) => e.order).reduce((sum, e) => sum + revenueMinorUnits(e.order!.revenue), 0),
  }));
}

describe('a warm series whose range starts or ends inside a rollup bucket', () => {
  let stack: QueryApiStack;
  const iso = (ms: number) => new Date(ms).toISOString();
  async function series(metric: string, from: number, to: number, step: string) {
    const response = await stack.fetch(
      `/v1/metrics/timeseries?metric=${metric}&step=${step}&from=${iso(from)}&to=${iso(to)}`,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { points: { t: number; value: number }[]; tiers: string[] };
    expect(body.tiers).toEqual(['warm']);
    return body.points.filter((p) => p.value > 0);
  }

  beforeAll(async () => {
    stack = await startQueryApiStack('warm-series-edges', { now: () => NOW });
    await stack.deliver(events, { warmOnly: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('counts the piece of a minute at either end, no more (minute rollup)', async () => {
    // From 30.5 s into the first minute to 20 s into the eleventh, by minutes: the first step is
    // the first minute's, holding only its last two events (40 s and 50 s); the last holds two.
    const from = T0 + 30_500;
    const to = T0 + 10 * MINUTE_MS + 20_000;
    for (const metric of ['events', 'visitors', 'revenue'] as const)
      expect(await series(metric, from, to, '1m'), metric).toEqual(expected(metric, from, to, T0, MINUTE_MS));
    const [first] = await series('events', from, to, '1m');
    expect(first).toEqual({ t: T0, value: 2 });
    // Within one minute.
    const inside = await series('events', T0 + 15_000, T0 + 45_000, '1m');
    expect(inside).toEqual([{ t: T0, value: 3 }]);
  });

  it('counts the pieces of hours at either end (hour rollup)', async () => {
    const from = T0 + 20_000;
    const to = T0 + 2 * HOUR_MS - 30_000;
    for (const metric of ['events', 'visitors', 'revenue'] as const)
      expect(await series(metric, from, to, '1h'), metric).toEqual(expected(metric, from, to, T0, HOUR_MS));
    expect((await series('events', from, to, '1h')).map((p) => p.value)).toEqual([358, 357]);
  });
});
