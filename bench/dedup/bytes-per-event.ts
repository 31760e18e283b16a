/**
 * Hot-tier dedup memory: bytes per remembered event id, from Redis's own accounting.
 * Run: npx tsx bench/dedup/bytes-per-event.ts [ids=200000] [partitions=6] [generations=3] [batch=500]
 *
 * Loads `ids` distinct event ids through the real apply path (OffsetGate with the realtime
 * aggregation, the apply script, redis-server) on `partitions` partitions, at a steady rate
 * over `generations` dedup generations (3 h each with the 24 h window), on a simulated clock
 * that starts now. Offsets start past 2^30, where a stored offset costs what it costs on a
 * partition that has been busy for months. Then it reads used_memory, deletes every dedup key
 * and reads it again: the difference is the dedup state. MEMORY USAGE per key (all samples)
 * gives the same per generation, so the first generation (sized cold, by bursts) and the later
 * ones (sized from the one before) show apart. Prints a JSON summary on the last line;
 * bench/dedup/REPORT.md records a run.
 */
import type { Redis } from 'ioredis';
import { dedupClock, GENERATIONS_PER_WINDOW, generationAt } from '../../core/aggregation/dedup-directory.ts';
import type { PositionedEvent } from '../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../core/aggregation/realtime-counters.ts';
import { KEY_ROOT } from '../../core/aggregation/redis-keys.ts';
import { OffsetGate } from '../../io/redis/offset-gate.ts';
import { startTestRedis } from '../../test/integration/aggregation/redis-server.ts';
import { enrichedEvent } from '../../test/unit/aggregation/factories.ts';

const ids = Number(process.argv[2] ?? 200_000);
const partitions = Number(process.argv[3] ?? 6);
const generations = Number(process.argv[4] ?? 3);
const batchSize = Number(process.argv[5] ?? 500);
const WINDOW = 86_400;
const FIRST_OFFSET = 2 ** 30 + 12_345;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function dedupKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${KEY_ROOT}:dd:*`, 'COUNT', 10_000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  try {
    const clock = dedupClock(WINDOW);
    const gate = new OffsetGate(redis.client, realtimeAggregation, { dedupWindowSeconds: WINDOW });
    // Start at the beginning of a generation, so each simulated generation is a whole one.
    const startMs = (generationAt(clock, Date.now()) + 1) * clock.generationSeconds * 1000;
    const perPartition = Math.ceil(ids / partitions);
    const batchesPerPartition = Math.ceil(perPartition / batchSize);
    const generationMs = clock.generationSeconds * 1000;
    const before = await usedMemory(redis.client);
    const cpuBefore = await redisCpuSeconds(redis.client);
    // Redis CPU of the last generation alone: by then as many segments are live as will be.
    let lastGenerationCpu = { seconds: 0, ids: 0, at: -1 };
    const started = performance.now();
    let loaded = 0;
    for (let b = 0; b < batchesPerPartition; b++) {
      // Batches of all partitions interleave, as the partitions' mappings run side by side.
      const nowMs = startMs + Math.floor((b / batchesPerPartition) * generations * generationMs);
      if (lastGenerationCpu.at < 0 && nowMs >= startMs + (generations - 1) * generationMs)
        lastGenerationCpu = { seconds: 0, ids: loaded, at: await redisCpuSeconds(redis.client) };
      for (let p = 0; p < partitions; p++) {
        const from = b * batchSize;
        const count = Math.min(batchSize, perPartition - from, ids - loaded);
        if (count <= 0) continue;
        const events: PositionedEvent[] = Array.from({ length: count }, (_, i) => {
          const event = enrichedEvent({
            event_id: `p${p}-${from + i}`,
            user_id: `u${p}-${(from + i) % 997}`,
            timestamp: new Date(nowMs).toISOString(),
          });
          return { offset: FIRST_OFFSET + from + i, event, timeMs: nowMs };
        });
        await gate.apply(
          { topic: 'events.raw', partition: p, lastOffset: FIRST_OFFSET + from + count - 1, events },
          nowMs,
        );
        loaded += count;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await redisCpuSeconds(redis.client);
    const lastGenerationIds = loaded - lastGenerationCpu.ids;
    const keys = await dedupKeys(redis.client);
    const byGeneration = new Map<string, { bytes: number; keys: number; ids: number }>();
    for (const key of keys) {
      const part = key.split(':')[4];
      const generation = part === undefined ? 'directory' : part === 'v' ? 'verdicts' : part.split('.')[0]!;
      const usage = Number(await redis.client.memory('USAGE', key, 'SAMPLES', 0));
      const fields = (await redis.client.type(key)) === 'hash' ? await redis.client.hlen(key) : 0;
      const row = byGeneration.get(generation) ?? { bytes: 0, keys: 0, ids: 0 };
      row.bytes += usage;
      row.keys += 1;
      if (generation !== 'directory' && generation !== 'verdicts') row.ids += fields;
      byGeneration.set(generation, row);
    }
    const loadedMemory = await usedMemory(redis.client);
    for (let i = 0; i < keys.length; i += 1000) await redis.client.del(...keys.slice(i, i + 1000));
    const withoutDedup = await usedMemory(redis.client);
    const dedupBytes = loadedMemory - withoutDedup;
    const memoryUsageBytes = [...byGeneration.values()].reduce((sum, r) => sum + r.bytes, 0);
    const generationRows = [...byGeneration]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([generation, r]) => ({
        generation,
        ids: r.ids,
        keys: r.keys,
        bytesPerId: r.ids > 0 ? Number((r.bytes / r.ids).toFixed(2)) : null,
        bytes: r.bytes,
      }));
    const summary = {
      ids: loaded,
      partitions,
      generations,
      batchSize,
      dedupKeys: keys.length,
      usedMemoryGrowth: loadedMemory - before,
      dedupBytes,
      bytesPerId: Number((dedupBytes / loaded).toFixed(2)),
      // The sum of MEMORY USAGE over the dedup keys: the same state, and the figure to read for
      // small runs, where used_memory moves by more than the state for other reasons.
      memoryUsageBytes,
      memoryUsageBytesPerId: Number((memoryUsageBytes / loaded).toFixed(2)),
      // Redis holds between one window and one window plus a generation of ids.
      worstBytesPerIdInWindow: Number(((dedupBytes / loaded) * (1 + 1 / GENERATIONS_PER_WINDOW)).toFixed(2)),
      byGeneration: generationRows,
      applySeconds: Number(seconds.toFixed(1)),
      idsPerSecond: Math.round(loaded / seconds),
      // redis-server CPU per event through the realtime gate (its counters and HLLs included).
      redisCpuUsPerId: Number((((cpuAfter - cpuBefore) * 1e6) / loaded).toFixed(2)),
      redisCpuUsPerIdLastGeneration: Number(
        (((cpuAfter - lastGenerationCpu.at) * 1e6) / lastGenerationIds).toFixed(2),
      ),
    };
    for (const r of generationRows)
      log(`generation ${r.generation}: ${r.ids} ids, ${r.keys} keys, ${r.bytesPerId} B/id`);
    log(
      `${loaded} ids: dedup state ${dedupBytes} B (used_memory delta) = ${summary.bytesPerId} B/id ` +
        `(MEMORY USAGE: ${summary.memoryUsageBytesPerId} B/id); ` +
        `at most ${summary.worstBytesPerIdInWindow} B per id in the window`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await redis.stop();
  }
}

await main();
