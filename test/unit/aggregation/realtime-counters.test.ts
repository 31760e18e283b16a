import { describe, expect, it } from 'vitest';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { planRealtime } from '../../../core/aggregation/realtime-counters.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { encodePlan, RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

const T = Date.parse('2026-01-15T10:00:00.000Z');
const sec = T / 1000;

describe('realtime counters', () => {
  it('counts per second and per minute, per type, orders and revenue in cents per currency', () => {
    const events = [
      enrichedEvent({ timestamp: '2026-01-15T10:00:00.100Z' }),
      enrichedEvent({ timestamp: '2026-01-15T10:00:00.900Z' }),
      enrichedEvent({ timestamp: '2026-01-15T10:00:01.000Z', type: 'add_to_cart' }),
      enrichedEvent({
        timestamp: '2026-01-15T10:00:01.500Z',
        type: 'purchase',
        order: { id: 'o1', revenue: 19.99, currency: 'EUR' },
      }),
      enrichedEvent({
        timestamp: '2026-01-15T10:00:59.000Z',
        type: 'purchase',
        order: { id: 'o2', revenue: 0.1, currency: 'EUR' },
      }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    const plan = new RedisPlan();
    planRealtime(batch!.events, plan, T + 5000);
    expect(plan.hashIncrements.get(redisKeys.counters('shop', 's', sec))).toEqual(
      new Map([['t:page_view', 2]]),
    );
    expect(plan.hashIncrements.get(redisKeys.counters('shop', 's', sec + 1))).toEqual(
      new Map([
        ['t:add_to_cart', 1],
        ['t:purchase', 1],
        ['ord', 1],
        ['rev:EUR', 1999],
      ]),
    );
    expect(plan.hashIncrements.get(redisKeys.counters('shop', 'm', sec))?.get('rev:EUR')).toBe(2009);
    expect(plan.expiries.get(redisKeys.counters('shop', 's', sec))).toBe(sec + 1 + 86_400);
  });

  it('adds visitors to the minute HyperLogLog, merged into hour and day once per batch, leaving bots out', () => {
    const events = [
      enrichedEvent({ user_id: 'a' }),
      enrichedEvent({ user_id: null, anonymous_id: 'anon-b' }),
      enrichedEvent({ user_id: 'bot', is_bot: true }),
      enrichedEvent({ user_id: 'a' }),
      enrichedEvent({ user_id: 'c', timestamp: '2026-01-15T10:01:30.000Z' }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    const plan = new RedisPlan();
    planRealtime(batch!.events, plan, T);
    const minute = redisKeys.uniques('shop', 'm', sec);
    const next = redisKeys.uniques('shop', 'm', sec + 60);
    expect(plan.hyperLogLogAdds.get(minute)).toEqual(new Set(['a', 'anon-b']));
    expect(plan.hyperLogLogAdds.get(next)).toEqual(new Set(['c']));
    expect(plan.hyperLogLogAdds.size).toBe(2);
    const day = Date.parse('2026-01-15T00:00:00Z') / 1000;
    expect(plan.hyperLogLogMerges.get(redisKeys.uniques('shop', 'h', sec))).toEqual(new Set([minute, next]));
    expect(plan.hyperLogLogMerges.get(redisKeys.uniques('shop', 'd', day))).toEqual(new Set([minute, next]));
    expect(plan.expiries.get(redisKeys.uniques('shop', 'd', day))).toBe(day + 2 * 86_400);
    const encoded = encodePlan(plan).args;
    expect(encoded.indexOf('m')).toBeGreaterThan(encoded.lastIndexOf('p'));
    expect(plan.hashIncrements.get(redisKeys.counters('shop', 's', sec))?.get('t:page_view')).toBe(4);
  });

  it('leaves events older than the hot tier keeps to the warm tier', () => {
    const [batch] = partitionBatches(mskEventOf([enrichedEvent()]));
    const plan = new RedisPlan();
    planRealtime(batch!.events, plan, T + 2 * 86_400_000);
    expect(plan.isEmpty()).toBe(true);
  });

  it('encodes a plan whose command count follows distinct keys, not events', () => {
    const events = Array.from({ length: 5000 }, (_, i) =>
      enrichedEvent({ user_id: `u${i % 50}`, timestamp: '2026-01-15T10:00:00.000Z' }),
    );
    const [batch] = partitionBatches(mskEventOf(events));
    const plan = new RedisPlan();
    planRealtime(batch!.events, plan, T);
    const { args } = encodePlan(plan);
    const hashOps = args.filter((a) => a === 'h').length;
    expect(hashOps).toBe(2);
    expect(plan.hyperLogLogAdds.get(redisKeys.uniques('shop', 'm', sec))?.size).toBe(50);
  });
});
