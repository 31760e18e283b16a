/**
 * Aggregation throughput and bytes per event in each tier.
 * Run: npx tsx bench/aggregation/throughput.ts [batches=20] [rounds=5]   (needs redis-server)
 * Throughputs are medians over the rounds.
 * Prints a JSON summary on the last line; bench/aggregation/REPORT.md records a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { planArchiveObjects } from '../../core/aggregation/archive-key.ts';
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { encodeArchiveObject } from '../../io/s3/archive-writer.ts';
import { createFunnelsFunction } from '../../lambdas/funnels/handler.ts';
import { createRealtimeFunction } from '../../lambdas/realtime/handler.ts';
import { createWarehouseFunction } from '../../lambdas/warehouse/handler.ts';
import { createWindowsFunction } from '../../lambdas/windows/handler.ts';
import { startClickHouseEndpoint } from '../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import { shopTraffic } from '../../test/integration/aggregation/event-stream.ts';
import { startTestRedis } from '../../test/integration/aggregation/redis-server.ts';
import { mskEventOf } from '../../test/unit/aggregation/factories.ts';

const BATCH = 5000;
const batches = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 5);
const log = (line: string) => process.stderr.write(`${line}\n`);

const redis = await startTestRedis();
const random = seededRandom(42);
// Several thousand distinct visitors per partition, as a busy shop would have.
const streams = shopTraffic(random, batches, BATCH).map((events, p) =>
  events.map((e, i) => ({ ...e, user_id: `u${p}-${i % 3000}` })),
);
const events = streams.map((s, p) => mskEventOf(s, { partition: p, firstOffset: 0 }));
const config = {
  redis: { url: redis.url },
  breaker: { failureThreshold: 3, openMs: 1000 },
  retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  funnels: parseFunnelCatalog(undefined),
};
const results: Record<string, unknown> = { batchSize: BATCH, batches, rounds, events: BATCH * batches };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const makers = [
  ['realtime', createRealtimeFunction],
  ['windows', createWindowsFunction],
  ['funnels', createFunnelsFunction],
] as const;
// Each round starts from an empty Redis (the gates would skip a replayed stream). Wall time
// includes redis-server's work on the other core; CPU time is this process only, i.e. what
// one Lambda core spends, with Redis elsewhere as ElastiCache is.
for (const [name, make] of makers) {
  const fn = make(config);
  const wall: number[] = [];
  const cpu: number[] = [];
  let roundTrips = 0;
  for (let round = 0; round < rounds; round++) {
    await redis.client.flushall();
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    roundTrips = 0;
    for (const msk of events) {
      const reports = await fn.handler(msk, createLambdaContext(name));
      roundTrips += reports.reduce((s, r) => s + r.roundTrips, 0);
    }
    const used = process.cpuUsage(cpuBefore);
    wall.push(Number(process.hrtime.bigint() - started) / 1e9);
    cpu.push((used.user + used.system) / 1e6);
  }
  results[name] = {
    eventsPerSecond: Math.round((BATCH * batches) / median(wall)),
    eventsPerCpuSecond: Math.round((BATCH * batches) / median(cpu)),
    eachRound: wall.map((w) => Math.round((BATCH * batches) / w)),
    roundTripsPerBatch: roundTrips / batches,
  };
  log(`${name}: ${JSON.stringify(results[name])}`);
  await fn.close();
}
// Memory: one pass of all three aggregators into an empty Redis.
await redis.client.flushall();
const before = Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]);
for (const [name, make] of makers) {
  const fn = make(config);
  for (const msk of events) await fn.handler(msk, createLambdaContext(name));
  await fn.close();
}
const after = Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]);
results.redisBytesPerEvent = Math.round((after - before) / (BATCH * batches));

let archiveBytes = 0;
for (const msk of events) {
  for (const batch of partitionBatches(msk)) {
    for (const object of planArchiveObjects(batch))
      archiveBytes += (await encodeArchiveObject(object)).length;
  }
}
results.s3BytesPerEvent = Number((archiveBytes / (BATCH * batches)).toFixed(1));
await redis.stop();

const dataDir = mkdtempSync(join(tmpdir(), 'spate-bench-ch-'));
const endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
const warehouse = createWarehouseFunction({
  clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
  breaker: { failureThreshold: 3, openMs: 1000 },
  retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
});
// Two batches of 5000 per call: the warehouse mapping's 10k-record invocations.
const started = process.hrtime.bigint();
for (let i = 0; i < events.length; i += 2) {
  const records = Object.assign({}, events[i]!.records, events[i + 1]?.records ?? {});
  await warehouse.handler({ ...events[i]!, records }, createLambdaContext('warehouse'));
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
results.clickhouseRowsPerSecond = Math.round((BATCH * batches) / seconds);
const client = createClient({ url: endpoint.url });
await client.command({ query: 'OPTIMIZE TABLE events FINAL' });
const parts = await (
  await client.query({
    query: `SELECT table, sum(data_compressed_bytes) AS bytes, sum(rows) AS rows FROM system.parts
            WHERE active AND database = currentDatabase() GROUP BY table`,
    format: 'JSONEachRow',
  })
).json<{ table: string; bytes: string; rows: string }>();
const eventsPart = parts.find((p) => p.table === 'events');
results.clickhouseBytesPerEvent = eventsPart
  ? Number((Number(eventsPart.bytes) / Number(eventsPart.rows)).toFixed(1))
  : null;
results.clickhouseRollupBytes = Object.fromEntries(
  parts.filter((p) => p.table !== 'events').map((p) => [p.table, Number(p.bytes)]),
);
await client.close();
await warehouse.close();
await endpoint.close();
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(`\nRESULT ${JSON.stringify(results)}\n`);
process.exit(0);
