import type { Redis } from 'ioredis';
import { JOURNEY_SEPARATOR } from '../../core/aggregation/journeys.ts';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, HOUR } from '../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs, topN } from '../../core/aggregation/window-merge.ts';

export interface Journey {
  /** As stored: `a > b > c`. */
  readonly path: string;
  readonly steps: readonly string[];
  /** Journeys that ran this path in the range. */
  readonly count: number;
}

export interface TopJourneys {
  /** The start of the oldest hour read: journeys are kept per hour, so a range starts on one. */
  readonly fromSec: number;
  readonly journeys: readonly Journey[];
  /**
   * False when an hour held more paths than were read from it: its tail is left out, so a path
   * near the cut may count low or be missing. Counts are never too high.
   */
  readonly exact: boolean;
}

/**
 * Paths read per hour: the top `limit` of a few hours merged are the top of the whole range
 * unless a path ranks far lower in some hour than overall, and reading whole hours would cost
 * every path ever walked (their number grows with the pages of a site).
 */
export function pathsPerHour(limit: number): number {
  return Math.min(1000, Math.max(100, limit * 20));
}

/**
 * The commonest journeys (runs of three steps, core/aggregation/journeys.ts) of the hours that
 * [fromSec, toSec) touches, as the funnels function counts them into the hot tier: one
 * pipelined round trip, the largest paths of each hour and each hour's size.
 */
export async function readTopJourneys(
  redis: Redis,
  project: string,
  range: { readonly fromSec: number; readonly toSec: number },
  limit: number,
): Promise<TopJourneys> {
  const hours = bucketsBetween(range.fromSec, range.toSec, HOUR);
  const perHour = pathsPerHour(limit);
  const pipeline = redis.pipeline();
  for (const hour of hours) {
    const key = redisKeys.journeys(project, hour);
    pipeline.zrevrange(key, 0, perHour - 1, 'WITHSCORES');
    pipeline.zcard(key);
  }
  const replies = (await pipeline.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const tallies: Map<string, number>[] = [];
  let exact = true;
  for (let i = 0; i < hours.length; i++) {
    tallies.push(tallyFromPairs((replies[2 * i]?.[1] as string[] | undefined) ?? []));
    if (Number(replies[2 * i + 1]?.[1]) > perHour) exact = false;
  }
  const merged = mergeTallies(tallies);
  return {
    fromSec: hours[0] ?? range.fromSec,
    journeys:
      merged.size === 0
        ? []
        : topN(merged, limit).map(({ member, score }) => ({
            path: member,
            steps: member.split(JOURNEY_SEPARATOR),
            count: score,
          })),
    exact,
  };
}
