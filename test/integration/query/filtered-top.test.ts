import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_KINDS } from '../../../core/aggregation/redis-keys.ts';
import { windowContributions } from '../../../core/aggregation/sliding-windows.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

// The query function is given this clock; the events are of the minutes before it, which the
// warm tier keeps on any date. Expectations come from the events, through the hot tier's own
// rule of what a top list counts (windowContributions).
const NOW = Date.now();
const WINDOW_S = 600;

const PRODUCTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11', 'p12'];
const SOURCES = ['google', 'newsletter', 'facebook'];

function recentTraffic(n: number): EnrichedEvent[] {
  const random = seededRandom(31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const r = random();
    const type = r < 0.6 ? 'page_view' : r < 0.8 ? 'add_to_cart' : 'purchase';
    const path = pick(['/', '/shoes', '/shoes/red', '/bags']);
    const items =
      type === 'purchase' && random() < 0.7
        ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
            product_id: pick(PRODUCTS),
            ...(random() < 0.5 ? { quantity: 1 + Math.floor(random() * 4) } : {}),
          }))
        : undefined;
    const source = random() < 0.15 ? '(direct)' : pick(SOURCES);
    return enrichedEvent({
      project: PROJECT,
      type,
      user_id: `u${Math.floor(random() * 40)}`,
      timestamp: new Date(NOW - (WINDOW_S - 30) * 1000 + i * 1000).toISOString(),
      page: { path, url: `https://shop.example${path}` },
      product: random() < 0.8 ? { id: pick(PRODUCTS) } : null,
      order:
        type === 'purchase'
          ? { id: `o${i}`, revenue: 10, currency: 'EUR', ...(items ? { items } : {}) }
          : null,
      attribution: { source, medium: '(none)', campaign: null, term: null, content: null, click_ids: {} },
      user_agent: {
        browser: null,
        browser_version: null,
        os: null,
        device_type: random() < 0.5 ? 'mobile' : 'desktop',
      },
    });
  });
}

const events = recentTraffic(500);
// An event before the window: counted by neither.
const before = {
  ...events[0]!,
  event_id: randomUUID(),
  timestamp: new Date(NOW - (WINDOW_S + 60) * 1000).toISOString(),
};

let api: QueryApiStack;

beforeAll(async () => {
  api = await startQueryApiStack('filtered-top', { now: () => NOW });
  await api.deliver([...events, before], { warmOnly: true });
  // A client's copies at new offsets: counted once.
  await api.deliver(events.slice(0, 100), { warmOnly: true });
}, 120_000);

afterAll(() => api?.close());

/** The top list the hot tier would hold of `kept` events: its windows' rule, its order. */
function truth(kind: string, kept: readonly EnrichedEvent[]) {
  const scores = new Map<string, number>();
  for (const e of kept)
    for (const [k, member, weight] of windowContributions(e))
      if (k === kind) scores.set(member, (scores.get(member) ?? 0) + weight);
  return [...scores]
    .map(([member, score]) => ({ member, score }))
    .sort((a, b) => b.score - a.score || (a.member < b.member ? -1 : 1))
    .slice(0, 10);
}

async function top(query: string) {
  const response = await api.fetch(`/v1/metrics/top?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('filters on GET /v1/metrics/top', () => {
  const mobileFromGoogle = events.filter(
    (e) => e.user_agent.device_type === 'mobile' && e.attribution.source === 'google',
  );

  it('answers each top list of the filtered events from the warm tier, as the hot tier counts it', async () => {
    for (const [dimension, kind] of [
      ['products', WINDOW_KINDS.productViews],
      ['pages', WINDOW_KINDS.pages],
      ['carts', WINDOW_KINDS.addToCarts],
      ['purchases', WINDOW_KINDS.purchases],
    ] as const) {
      const { status, body } = await top(
        `dimension=${dimension}&window=${WINDOW_S}&filter=device:mobile&filter=source:google`,
      );
      expect(status).toBe(200);
      const want = truth(kind, mobileFromGoogle);
      expect(want.length, dimension).toBeGreaterThan(1);
      expect(body, dimension).toMatchObject({
        dimension,
        window_s: WINDOW_S,
        items: want,
        filters: [
          { dimension: 'device', value: 'mobile' },
          { dimension: 'source', value: 'google' },
        ],
        tiers: ['warm'],
        degraded: [],
      });
    }
  });

  it('answers the traffic sources, direct visits among them, as the live list counts them', async () => {
    const { body } = await top(`dimension=referrers&window=${WINDOW_S}&filter=device:mobile`);
    const want = truth(
      WINDOW_KINDS.referrers,
      events.filter((e) => e.user_agent.device_type === 'mobile'),
    );
    expect(want.map((r) => r.member)).toContain('(direct)');
    expect(body.items).toEqual(want);
  });

  it('answers 400 naming the filter for a bad one', async () => {
    const { status, body } = await top('dimension=products&filter=weather:rain');
    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'filter' });
  });
});
