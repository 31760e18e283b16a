import type { Redis } from 'ioredis';
import { type MergedTally, mergeTallyReadings } from '../../core/aggregation/bounded-tally.ts';
import type { FunnelDefinition } from '../../core/aggregation/funnel-definition.ts';
import { WINDOW_KINDS, type WindowKind } from '../../core/aggregation/redis-keys.ts';
import { MINUTE } from '../../core/aggregation/time-buckets.ts';
import { breakdownsSnapshot } from '../../core/push/breakdowns-snapshot.ts';
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
import { FIXED_DIMENSIONS, type FixedDimension } from '../../core/query/dimension.ts';
import {
  countActiveNow,
  countVisitors,
  lastSeconds,
  readBreakdownMinutes,
  readFunnelMinutes,
  readSecondCounters,
  readWindowTally,
} from '../redis/hot-read-model.ts';
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
    return this.#once('seconds', () =>
      readSecondCounters(this.#redis, this.#project, this.fromSecond, LIVE_WINDOW_SECONDS),
    );
  }

  visitors(): Promise<{ unique: number; activeNow: number }> {
    return this.#once('visitors', async () => {
      const [unique, activeNow] = await Promise.all([
        countVisitors(this.#redis, this.#project, 'm', lastSeconds(this.nowMs, LIVE_WINDOW_SECONDS)),
        countActiveNow(this.#redis, this.#project, this.nowMs),
      ]);
      return { unique, activeNow };
    });
  }

  window(kind: WindowKind): Promise<Map<string, number>> {
    return this.#once(`w:${kind}`, () =>
      readWindowTally(this.#redis, this.#project, kind, lastSeconds(this.nowMs, LIVE_WINDOW_SECONDS)),
    );
  }

  funnelMinutes(): Promise<CounterHash[]> {
    return this.#once('funnel', () =>
      readFunnelMinutes(this.#redis, this.#project, lastSeconds(this.nowMs, FUNNEL_WINDOW_SECONDS)),
    );
  }

  /** Every fixed dimension's minute breakdowns over the live window, added up. */
  breakdowns(): Promise<Map<FixedDimension, MergedTally>> {
    return this.#once('breakdowns', async () => {
      const minutes = await readBreakdownMinutes(
        this.#redis,
        this.#project,
        FIXED_DIMENSIONS,
        lastSeconds(this.nowMs, LIVE_WINDOW_SECONDS),
      );
      return new Map([...minutes].map(([d, readings]) => [d, mergeTallyReadings(readings)]));
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
      case 'breakdowns':
        return breakdownsSnapshot(LIVE_WINDOW_SECONDS, await this.breakdowns());
    }
  }
}
