import type { Redis } from 'ioredis';
import { type CounterGrain, counterFields, redisKeys } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, DAY, MINUTE } from '../../core/aggregation/time-buckets.ts';
import type { CounterHash } from '../../core/push/snapshots.ts';
import type { QueryCache, TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import { stepStarts } from '../../core/query/metric-query.ts';
import { readCounterHashes } from './hot-reads/counters.ts';
import { countVisitors } from './hot-reads/visitors.ts';

/**
 * Answers from the hot tier: counters from per-second hashes when the step is finer than a
 * minute, per-minute hashes otherwise, every step's in one pipelined read; visitors as the
 * union (PFCOUNT over several keys) of the minute or day HyperLogLogs inside each step.
 */
export function hotReader(redis: Redis): TierReader {
  return async (q: MetricQuery) => {
    const stepSec = q.stepSeconds;
    const steps = stepStarts(q).map((t) => ({
      t,
      fromSec: Math.max(t, q.fromMs) / 1000,
      toSec: Math.min(t + stepSec * 1000, q.toMs) / 1000,
    }));
    if (q.metric === 'visitors') {
      const counts = steps.map(({ t, fromSec, toSec }) => {
        // Day HyperLogLogs only for steps of whole UTC days; a union of days would count
        // visitors outside a step that starts mid-day.
        const grain = fromSec % DAY === 0 && toSec % DAY === 0 ? 'd' : 'm';
        return countVisitors(redis, q.project, grain, { fromSec, toSec }).then((n) => [t, n] as const);
      });
      return new Map(await Promise.all(counts));
    }
    const perStep = steps.map(({ fromSec, toSec }) => {
      const grain: CounterGrain = stepSec % MINUTE === 0 && fromSec % MINUTE === 0 ? 'm' : 's';
      return bucketsBetween(fromSec, toSec, grain === 'm' ? MINUTE : 1).map((bucket) => ({ grain, bucket }));
    });
    const hashes = await readCounterHashes(redis, q.project, perStep.flat());
    const out = new Map<number, number>();
    let i = 0;
    steps.forEach(({ t }, s) => {
      let value = 0;
      for (const end = i + (perStep[s]?.length ?? 0); i < end; i++) value += fieldValue(q, hashes[i] ?? {});
      out.set(t, value);
    });
    return out;
  };
}

function fieldValue(q: MetricQuery, hash: CounterHash): number {
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
