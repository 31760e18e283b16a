import type { Redis } from 'ioredis';
import { redisKeys, type WindowKind } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, MINUTE, WINDOW_BUCKET_SECONDS } from '../../core/aggregation/time-buckets.ts';
import { mergeTallies, type Ranked, tallyFromPairs, topN } from '../../core/aggregation/window-merge.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * A top-N window over [from, to): the 10-second buckets inside it merged in one pipelined
 * round trip. The sliding 5-minute window is this with from = now - 5 min.
 */
export async function readWindowTally(
  redis: Redis,
  project: string,
  kind: WindowKind,
  fromMs: number,
  toMs: number,
): Promise<Map<string, number>> {
  const pipeline = redis.pipeline();
  for (const b of bucketsBetween(seconds(fromMs), seconds(toMs), WINDOW_BUCKET_SECONDS))
    pipeline.zrange(redisKeys.window(project, kind, b), '0', '-1', 'WITHSCORES');
  const replies = (await pipeline.exec()) ?? [];
  return mergeTallies(
    replies.map(([err, reply]) => {
      if (err) throw err;
      return tallyFromPairs(reply as string[]);
    }),
  );
}

export async function readTopN(
  redis: Redis,
  project: string,
  kind: WindowKind,
  window: { fromMs: number; toMs: number },
  n = 10,
): Promise<Ranked[]> {
  return topN(await readWindowTally(redis, project, kind, window.fromMs, window.toMs), n);
}

/** Visitors reaching each funnel step (index = step) over whole minutes in [from, to). */
export async function readFunnelSteps(
  redis: Redis,
  project: string,
  fromMs: number,
  toMs: number,
): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const m of bucketsBetween(seconds(fromMs), seconds(toMs), MINUTE))
    pipeline.hgetall(redisKeys.funnelSteps(project, m));
  const replies = (await pipeline.exec()) ?? [];
  const steps: number[] = [];
  for (const [err, reply] of replies) {
    if (err) throw err;
    for (const [step, n] of Object.entries(reply as Record<string, string>)) {
      const i = Number(step);
      while (steps.length <= i) steps.push(0);
      steps[i] = (steps[i] ?? 0) + Number(n);
    }
  }
  return steps;
}
