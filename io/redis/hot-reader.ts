import type { Redis } from 'ioredis';
import { counterFields, redisKeys } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, DAY, MINUTE } from '../../core/aggregation/time-buckets.ts';
import type { QueryCache, TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import { stepStarts } from '../../core/query/metric-query.ts';

/**
 * Answers from the hot tier with one pipelined round trip: counters from per-second hashes
 * when the step is finer than a minute, per-minute hashes otherwise; visitors as the union
 * (PFCOUNT over several keys) of the minute or day HyperLogLogs inside each step.
 */
export function hotReader(redis: Redis): TierReader {
  return async (q: MetricQuery) => {
    const pipeline = redis.pipeline();
    const plan: Array<{ t: number; commands: number }> = [];
    const stepSec = q.stepSeconds;
    for (const t of stepStarts(q)) {
      const fromSec = Math.max(t, q.fromMs) / 1000;
      const toSec = Math.min(t + stepSec * 1000, q.toMs) / 1000;
      if (q.metric === 'visitors') {
        // Day HyperLogLogs only for steps of whole UTC days; a union of days would count
        // visitors outside a step that starts mid-day.
        const grain = fromSec % DAY === 0 && toSec % DAY === 0 ? 'd' : 'm';
        const size = grain === 'd' ? DAY : MINUTE;
        pipeline.pfcount(
          ...bucketsBetween(fromSec, toSec, size).map((b) => redisKeys.uniques(q.project, grain, b)),
        );
        plan.push({ t, commands: 1 });
        continue;
      }
      const grain = stepSec % MINUTE === 0 && fromSec % MINUTE === 0 ? 'm' : 's';
      const buckets = bucketsBetween(fromSec, toSec, grain === 'm' ? MINUTE : 1);
      for (const b of buckets) pipeline.hgetall(redisKeys.counters(q.project, grain, b));
      plan.push({ t, commands: buckets.length });
    }
    const replies = (await pipeline.exec()) ?? [];
    const out = new Map<number, number>();
    let i = 0;
    for (const { t, commands } of plan) {
      let value = 0;
      for (let c = 0; c < commands; c++, i++) {
        const [err, reply] = replies[i] ?? [null, null];
        if (err) throw err;
        if (q.metric === 'visitors') value += Number(reply);
        else value += fieldValue(q, (reply ?? {}) as Record<string, string>);
      }
      out.set(t, value);
    }
    return out;
  };
}

function fieldValue(q: MetricQuery, hash: Record<string, string>): number {
  if (q.metric === 'revenue') return Number(hash[counterFields.revenue(q.currency ?? '')] ?? 0);
  if (q.type) return Number(hash[counterFields.type(q.type)] ?? 0);
  let sum = 0;
  for (const [field, n] of Object.entries(hash)) if (field.startsWith('t:')) sum += Number(n);
  return sum;
}

/** Frequent queries answered from Redis for a few seconds, so a wall of dashboards costs one read. */
export function redisQueryCache(redis: Redis, ttlMs = 3000): QueryCache {
  const keyOf = (key: string) => redisKeys.cachedQuery(Buffer.from(key).toString('base64url'));
  return {
    async get(key) {
      const text = await redis.get(keyOf(key));
      return text ? (JSON.parse(text) as Awaited<ReturnType<QueryCache['get']>>) : undefined;
    },
    async set(key, points) {
      await redis.set(keyOf(key), JSON.stringify(points), 'PX', ttlMs);
    },
  };
}
