import { describe, expect, it } from 'vitest';
import { checkIncomingEvent } from '../../../core/events/event-validation.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { LatencyStats } from '../../../load/latency-stats.ts';
import { Prng } from '../../../load/prng.ts';
import { rateAt } from '../../../load/rate-schedule.ts';
import { ShopTraffic } from '../../../load/traffic.ts';
import { TweetStream } from '../../../load/tweet-stream.ts';
import { ZipfSampler } from '../../../load/zipf.ts';
import { checkTweetForTest } from './tweet-check.ts';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const take = (traffic: ShopTraffic, n: number) => Array.from({ length: n }, (_, i) => traffic.next(T0 + i));

describe('ShopTraffic', () => {
  it('replays the same events for the same seed, and others for another', () => {
    const a = take(new ShopTraffic({ seed: 7, users: 100 }), 500);
    const b = take(new ShopTraffic({ seed: 7, users: 100 }), 500);
    const c = take(new ShopTraffic({ seed: 8, users: 100 }), 500);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('makes only events the ingest API accepts', () => {
    for (const [index, event] of take(new ShopTraffic({ seed: 1, users: 50 }), 3000).entries()) {
      const check = checkIncomingEvent(event, index, INGEST_LIMITS);
      if (!check.ok) throw new Error(`${JSON.stringify(check.rejection)} in ${JSON.stringify(event)}`);
    }
  });

  it('follows a funnel: views outnumber carts, carts outnumber checkouts, checkouts outnumber purchases', () => {
    const counts: Record<string, number> = {};
    for (const e of take(new ShopTraffic({ seed: 3, users: 2000 }), 50_000))
      counts[e.type] = (counts[e.type] ?? 0) + 1;
    expect(counts.page_view!).toBeGreaterThan(counts.add_to_cart!);
    expect(counts.add_to_cart!).toBeGreaterThan(counts.checkout_started!);
    expect(counts.checkout_started!).toBeGreaterThan(counts.purchase!);
    expect(counts.purchase!).toBeGreaterThan(0);
    expect(counts.search!).toBeGreaterThan(0);
  });

  it('gives purchases revenue equal to their items', () => {
    const purchases = take(new ShopTraffic({ seed: 4, users: 500 }), 20_000).filter(
      (e) => e.type === 'purchase',
    );
    expect(purchases.length).toBeGreaterThan(0);
    for (const p of purchases) {
      const total = p.order!.items!.reduce((sum, i) => sum + (i.price ?? 0), 0);
      expect(p.order!.revenue).toBeCloseTo(total, 2);
      expect(p.order!.revenue).toBeGreaterThan(0);
    }
  });
});

describe('ZipfSampler', () => {
  it('makes the top product far more popular than the median one', () => {
    const zipf = new ZipfSampler(1000);
    const rng = new Prng(1);
    const hits = new Array<number>(1000).fill(0);
    for (let i = 0; i < 100_000; i++) hits[zipf.sample(rng)]! += 1;
    expect(hits[0]!).toBeGreaterThan(50 * hits[500]!);
    expect(hits[0]!).toBeGreaterThan(hits[1]!);
  });
});

describe('TweetStream', () => {
  it('is deterministic and valid', () => {
    const a = new TweetStream(5);
    const b = new TweetStream(5);
    for (let i = 0; i < 200; i++) {
      const tweet = a.next(T0);
      expect(tweet).toEqual(b.next(T0));
      expect(checkTweetForTest(tweet, i)).toBeUndefined();
    }
  });
});

describe('rateAt', () => {
  it('surges 10x through the middle fifth with --spike', () => {
    const schedule = { rate: 100, durationS: 100, spike: true };
    expect(rateAt(schedule, 10)).toBe(100);
    expect(rateAt(schedule, 45)).toBe(1000);
    expect(rateAt(schedule, 61)).toBe(100);
    expect(rateAt({ ...schedule, spike: false }, 45)).toBe(100);
  });
});

describe('LatencyStats', () => {
  it('reports nearest-rank percentiles', () => {
    const stats = new LatencyStats();
    for (let i = 1; i <= 100; i++) stats.record(i);
    expect(stats.percentile(50)).toBe(50);
    expect(stats.percentile(99)).toBe(99);
    expect(new LatencyStats().percentile(99)).toBe(0);
  });
});

describe('shopper devices', () => {
  it('relays realistic browsers, with a small share of crawlers flagged as bots', async () => {
    const { readUserAgent } = await import('../../../core/enrichment/user-agent.ts');
    const events = take(new ShopTraffic({ seed: 9, users: 2000 }), 20_000);
    const bots = events.filter((e) => readUserAgent(e.context?.user_agent).isBot).length;
    expect(events.every((e) => e.context?.user_agent && e.context.ip)).toBe(true);
    expect(bots / events.length).toBeGreaterThan(0.002);
    expect(bots / events.length).toBeLessThan(0.08);
    const mobile = events.filter(
      (e) => readUserAgent(e.context?.user_agent).userAgent.device_type === 'mobile',
    ).length;
    expect(mobile / events.length).toBeGreaterThan(0.2);
  });
});
