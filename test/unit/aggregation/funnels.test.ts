import { describe, expect, it } from 'vitest';
import { defineFunnel, parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { advanceFunnel, type FunnelProgress } from '../../../core/aggregation/funnel-progress.ts';
import { funnelsAggregation } from '../../../core/aggregation/funnels.ts';
import { extendTrail } from '../../../core/aggregation/journeys.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

const funnel = parseFunnelCatalog(undefined).fallback;
const product = { id: 'p1' };
const T = Date.parse('2026-01-15T10:00:00.000Z');

function walk(events: EnrichedEvent[], times: number[]): { reached: number[]; last: FunnelProgress | null } {
  let progress: FunnelProgress | null = null;
  const reached: number[] = [];
  events.forEach((e, i) => {
    const r = advanceFunnel(funnel, progress, e, times[i]!);
    progress = r.progress;
    reached.push(...r.reached);
  });
  return { reached, last: progress };
}

describe('funnel progression', () => {
  it('walks the default funnel in order; a product page view takes two steps at once', () => {
    const events = [
      enrichedEvent({ product }),
      enrichedEvent({ type: 'add_to_cart', product }),
      enrichedEvent({ type: 'checkout_started' }),
      enrichedEvent({ type: 'purchase', order: { id: 'o', revenue: 1, currency: 'EUR' } }),
    ];
    expect(walk(events, [T, T + 1, T + 2, T + 3]).reached).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips out-of-order steps and counts each step once per attempt', () => {
    const events = [
      enrichedEvent({ type: 'add_to_cart', product }),
      enrichedEvent(),
      enrichedEvent(),
      enrichedEvent({ type: 'add_to_cart', product }),
      enrichedEvent({ product }),
    ];
    expect(walk(events, [T, T + 1, T + 2, T + 3, T + 4]).reached).toEqual([0, 1]);
  });

  it('starts over once the 30-minute window from the first step has passed', () => {
    const events = [enrichedEvent(), enrichedEvent({ product }), enrichedEvent(), enrichedEvent({ product })];
    const times = [T, T + 31 * 60_000, T + 32 * 60_000, T + 33 * 60_000];
    expect(walk(events, times)).toEqual({
      reached: [0, 0, 1],
      last: { step: 1, startedMs: T + 31 * 60_000 },
    });
  });

  it('rejects a malformed funnel setting, naming the field and the rule', () => {
    expect(() => parseFunnelCatalog('{"shop":["page_view"]}')).toThrow(
      /FUNNELS.shop: a funnel needs between 2 and 20 steps/,
    );
    expect(() => defineFunnel(['page_view', 'buy now'])).toThrow(
      /steps\[1\]: "buy now" must be an event type/,
    );
    expect(() => defineFunnel(['page_view', 'page_view+price'])).toThrow(/only the \+product qualifier/);
    expect(
      parseFunnelCatalog('{"shop":["signup","purchase"]}')
        .byProject.get('shop')
        ?.steps.map((s) => s.label),
    ).toEqual(['signup', 'purchase']);
  });
});

describe('journeys', () => {
  it('emits every run of three consecutive steps within a visit', () => {
    let trail = null;
    const journeys: string[] = [];
    for (const [i, step] of ['/', '/p/1', 'add_to_cart', 'purchase'].entries()) {
      const r = extendTrail(trail, step, T + i);
      trail = r.trail;
      if (r.journey) journeys.push(r.journey);
    }
    expect(journeys).toEqual(['/ > /p/1 > add_to_cart', '/p/1 > add_to_cart > purchase']);
    expect(extendTrail(trail, '/', T + 40 * 60_000).journey).toBeNull();
  });
});

describe('funnels aggregation', () => {
  it('continues from the stored progress and writes the new state with the step counts', () => {
    const aggregation = funnelsAggregation(parseFunnelCatalog(undefined));
    const events = [
      enrichedEvent({ user_id: 'a', type: 'add_to_cart', product, page: { path: '/cart' } }),
      enrichedEvent({ user_id: 'bot', is_bot: true }),
      enrichedEvent({ user_id: 'b', page: { path: '/' } }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    const keys = aggregation.stateKeys(batch!.events);
    expect(keys).toEqual([
      redisKeys.funnelProgress('shop', 'a'),
      redisKeys.journeyTrail('shop', 'a'),
      redisKeys.funnelProgress('shop', 'b'),
      redisKeys.journeyTrail('shop', 'b'),
    ]);
    const state = new Map<string, string | null>(keys.map((k) => [k, null]));
    state.set(redisKeys.funnelProgress('shop', 'a'), `1:${T - 60_000}`);
    const plan = new RedisPlan();
    aggregation.plan(batch!.events, state, plan, T);
    expect(plan.hashIncrements.get(redisKeys.funnelSteps('shop', T / 1000))).toEqual(
      new Map([
        ['2', 1],
        ['0', 1],
      ]),
    );
    expect(plan.strings.get(redisKeys.funnelProgress('shop', 'a'))).toEqual({
      value: `2:${T - 60_000}`,
      expireAtMs: T + 30 * 60_000,
    });
    expect(plan.strings.has(redisKeys.funnelProgress('shop', 'bot'))).toBe(false);
  });
});
