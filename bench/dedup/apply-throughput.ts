/**
 * Hot-tier apply throughput, to compare a tree with event-id dedup against one without.
 * Run: [BENCH_BATCH=5000] npx tsx bench/dedup/apply-throughput.ts [perPartition=10000] [rounds=3]   (needs redis-server;
 * BENCH_BATCH is the records per MSK event)
 *
 * Uses only what both trees have (the three handlers, the test traffic), so the same file runs
 * in a checkout of the commit before dedup. Each round: 6 partitions of shop traffic in MSK
 * events of 5,000 records (the hot mappings' batch size) through realtime, then windows, then
 * funnels, on one Redis emptied each round. Prints events/s per handler and redis-server CPU ms per 1,000 events,
 * medians over the rounds, as JSON.
 */
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { createFunnelsFunction } from '../../lambdas/funnels/handler.ts';
import { createRealtimeFunction } from '../../lambdas/realtime/handler.ts';
import { createWindowsFunction } from '../../lambdas/windows/handler.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import { shopTraffic } from '../../test/integration/aggregation/event-stream.ts';
import { startTestRedis } from '../../test/integration/aggregation/redis-server.ts';
import { mskEventOf } from '../../test/unit/aggregation/factories.ts';

const perPartition = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const PARTITIONS = 6;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await startTestRedis();
try {
  const config = {
    redis: { url: redis.url },
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    funnels: parseFunnelCatalog(undefined),
  };
  const makers = {
    realtime: createRealtimeFunction,
    windows: createWindowsFunction,
    funnels: createFunnelsFunction,
  };
  const traffic = shopTraffic(seededRandom(7), PARTITIONS, perPartition);
  const events = traffic.flatMap((partition, p) => {
    const out = [];
    for (let i = 0; i < partition.length; i += BATCH)
      out.push(mskEventOf(partition.slice(i, i + BATCH), { partition: p, firstOffset: i }));
    return out;
  });
  const rates: Record<string, number[]> = { realtime: [], windows: [], funnels: [] };
  const redisCpu: Record<string, number[]> = { realtime: [], windows: [], funnels: [] };
  const cpuSeconds = async () => {
    const info = await redis.client.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  };
  for (let round = 0; round < rounds; round++) {
    // One Redis for the three, as in production: the first to reach a record leads, the
    // others follow its verdicts (in a tree without dedup the order changes nothing).
    await redis.client.flushall();
    for (const [name, make] of Object.entries(makers)) {
      const fn = make(config);
      const context = createLambdaContext(name);
      const cpuBefore = await cpuSeconds();
      const started = performance.now();
      for (const msk of events) await fn.handler(msk, context);
      const seconds = (performance.now() - started) / 1000;
      rates[name]!.push(Math.round((PARTITIONS * perPartition) / seconds));
      // Redis CPU time per 1,000 events, in ms: what the store pays, apart from the handler.
      redisCpu[name]!.push(
        Number(((((await cpuSeconds()) - cpuBefore) * 1e6) / (PARTITIONS * perPartition)).toFixed(2)),
      );
      await fn.close();
    }
  }
  const summary = Object.fromEntries(
    Object.entries(rates).map(([n, r]) => [
      n,
      { eventsPerSecond: median(r), rounds: r, redisCpuMsPer1kEvents: median(redisCpu[n]!) },
    ]),
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await redis.stop();
}
