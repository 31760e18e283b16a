import type { Redis } from 'ioredis';
import type { FunnelDefinition } from '../../core/aggregation/funnel-definition.ts';
import { redisKeys, WINDOW_KINDS, type WindowKind } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, MINUTE, WINDOW_BUCKET_SECONDS } from '../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs } from '../../core/aggregation/window-merge.ts';
import { type Channel, parseChannel, type TopDimension } from '../../core/push/channels.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import {
  type CounterHash,
  funnelSnapshot,
  LIVE_WINDOW_SECONDS,
  opsSnapshot,
  overviewSnapshot,
  timeseriesSnapshot,
  topSnapshot,
} from '../../core/push/snapshots.ts';
import { liveAlerts, liveTweets } from './tweet-aggregates.ts';

const KIND_OF: Record<TopDimension, WindowKind> = {
  products: WINDOW_KINDS.productViews,
  pages: WINDOW_KINDS.pages,
  referrers: WINDOW_KINDS.referrers,
  carts: WINDOW_KINDS.addToCarts,
  purchases: WINDOW_KINDS.purchases,
};

/** The funnel panel looks back this far: long enough for a visitor to finish a session. */
export const FUNNEL_WINDOW_SECONDS = 30 * MINUTE;

/**
 * The live numbers of one project at one instant, read from the hot tier on demand and each
 * read at most once, so channels that share data (overview, timeseries, ops) share the reads.
 */
export class LiveAggregates {
  readonly #redis: Redis;
  readonly #project: string;
  readonly #funnel: FunnelDefinition;
  readonly nowMs: number;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(redis: Redis, project: string, funnel: FunnelDefinition, nowMs: number) {
    this.#redis = redis;
    this.#project = project;
    this.#funnel = funnel;
    this.nowMs = nowMs;
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.#memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      this.#memo.set(key, p);
    }
    return p;
  }

  get fromSecond(): number {
    return Math.floor(this.nowMs / 1000) - LIVE_WINDOW_SECONDS + 1;
  }

  seconds(): Promise<CounterHash[]> {
    return this.#once('seconds', async () => {
      const pipeline = this.#redis.pipeline();
      for (let s = this.fromSecond; s < this.fromSecond + LIVE_WINDOW_SECONDS; s++)
        pipeline.hgetall(redisKeys.counters(this.#project, 's', s));
      return unwrap<CounterHash>(await pipeline.exec());
    });
  }

  visitors(): Promise<{ unique: number; activeNow: number }> {
    return this.#once('visitors', async () => {
      const nowSec = Math.floor(this.nowMs / 1000);
      const minutes = (span: number) =>
        bucketsBetween(nowSec - span + 1, nowSec + 1, MINUTE).map((m) =>
          redisKeys.uniques(this.#project, 'm', m),
        );
      const [unique, activeNow] = await Promise.all([
        this.#redis.pfcount(...minutes(LIVE_WINDOW_SECONDS)),
        // Active now: seen in this minute or the one before.
        this.#redis.pfcount(...minutes(MINUTE + 1)),
      ]);
      return { unique, activeNow };
    });
  }

  window(kind: WindowKind): Promise<Map<string, number>> {
    return this.#once(`w:${kind}`, async () => {
      const nowSec = Math.floor(this.nowMs / 1000);
      const pipeline = this.#redis.pipeline();
      for (const b of bucketsBetween(nowSec - LIVE_WINDOW_SECONDS + 1, nowSec + 1, WINDOW_BUCKET_SECONDS))
        pipeline.zrange(redisKeys.window(this.#project, kind, b), '0', '-1', 'WITHSCORES');
      return mergeTallies(unwrap<string[]>(await pipeline.exec()).map(tallyFromPairs));
    });
  }

  funnelMinutes(): Promise<CounterHash[]> {
    return this.#once('funnel', async () => {
      const nowSec = Math.floor(this.nowMs / 1000);
      const pipeline = this.#redis.pipeline();
      for (const m of bucketsBetween(nowSec - FUNNEL_WINDOW_SECONDS + 1, nowSec + 1, MINUTE))
        pipeline.hgetall(redisKeys.funnelSteps(this.#project, m));
      return unwrap<CounterHash>(await pipeline.exec());
    });
  }

  /** The channel's snapshot, or undefined for channels the hot tier has nothing for yet. */
  async snapshot(channelName: string): Promise<JsonObject | undefined> {
    const channel: Channel = parseChannel(channelName);
    switch (channel.kind) {
      case 'overview': {
        const [seconds, v] = await Promise.all([this.seconds(), this.visitors()]);
        return overviewSnapshot({
          fromSecond: this.fromSecond,
          seconds,
          uniqueVisitors: v.unique,
          activeNow: v.activeNow,
        });
      }
      case 'timeseries':
        return timeseriesSnapshot(channel.metric, this.fromSecond, await this.seconds());
      case 'top':
        return topSnapshot(
          channel.dimension,
          LIVE_WINDOW_SECONDS,
          await this.window(KIND_OF[channel.dimension]),
        );
      case 'funnel':
        return funnelSnapshot(this.#funnel, FUNNEL_WINDOW_SECONDS, await this.funnelMinutes());
      case 'ops':
        return opsSnapshot(this.fromSecond, await this.seconds());
      case 'tweets':
        return this.#once('tweets', () => liveTweets(this.#redis, this.#project, this.nowMs));
      case 'alerts':
        return this.#once('alerts', () => liveAlerts(this.#redis, this.#project, this.nowMs));
    }
  }
}

function unwrap<T>(replies: Array<[Error | null, unknown]> | null): T[] {
  return (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}
