/**
 * The warm tier's cost of counting each event id once, measured A/B in one process so that both
 * sides share whatever else the machine is doing: two databases of one local ClickHouse endpoint
 * (chDB), each holding `--stored` events over 20 days, receive the same batches (10% of each
 * batch copies of stored events at new offsets), the two sides taking turns batch by batch.
 * - "offsets only": the warehouse as it was before event ids were deduplicated: one query for the
 *   partition's high-water, then the insert with a token over the batch's offsets. Copies count.
 * - "event ids": the warehouse sink as it is (io/clickhouse/batch-writer.ts).
 * Then warm answers (warmReader, warmOverview) alternate between the two databases for p95.
 * Writes event-copies-<stored>.json beside this file and rewrites EVENT-COPIES.md from every
 * such result. Run: `npx tsx bench/clickhouse/event-copies.ts [--stored N] [--batches N] [--batch N]`.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { deduplicationToken, type WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import type { EnrichedEvent } from '../../core/events/enriched-event.ts';
import { warmReader } from '../../io/clickhouse/warm-reader.ts';
import { warmOverview } from '../../lambdas/query/overview.ts';
import { startClickHouseEndpoint } from '../../local/clickhouse/index.ts';
import { enrichedEvent } from '../../test/unit/aggregation/factories.ts';
import { percentile } from '../percentile.ts';
import { type WarehouseDatabase, warehouseBatches, warehouseDatabase } from './warehouse-databases.ts';

const { values: flags } = parseArgs({
  options: {
    stored: { type: 'string', default: '200000' },
    batches: { type: 'string', default: '12' },
    batch: { type: 'string', default: '5000' },
    queries: { type: 'string', default: '30' },
    'report-only': { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
};
const HERE = dirname(fileURLToPath(import.meta.url));

type Mode = 'offsets only' | 'event ids';
const MODES: readonly Mode[] = ['offsets only', 'event ids'];

interface Result {
  readonly date: string;
  readonly machine: string;
  readonly stored: number;
  readonly batches: number;
  readonly batchSize: number;
  readonly modes: Record<
    Mode,
    {
      rowsPerSecond: number;
      medianBatchMs: number;
      p95BatchMs: number;
      rowsStored: number;
      idsStored: number;
      queryP95Ms: Record<string, number>;
    }
  >;
}

if (flags['report-only']) {
  await writeFile(join(HERE, 'EVENT-COPIES.md'), await report());
  process.exit(0);
}

const storedCount = positive('stored', flags.stored);
const batchCount = positive('batches', flags.batches);
const batchSize = positive('batch', flags.batch);
const queryRuns = positive('queries', flags.queries);

const DAY_MS = 86_400_000;
// The clock is fixed for the run: every event and every question is placed against it.
const NOW = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const FROM = NOW - 20 * DAY_MS;

let seq = 0;
function freshEvent(): EnrichedEvent {
  seq += 1;
  const purchase = seq % 10 === 0;
  return enrichedEvent({
    event_id: crypto.randomUUID(),
    project: 'shop',
    type: purchase ? 'purchase' : seq % 3 === 0 ? 'add_to_cart' : 'page_view',
    user_id: `u${seq % 5000}`,
    timestamp: new Date(FROM + ((seq * 7919) % (20 * DAY_MS))).toISOString(),
    order: purchase ? { id: `o${seq}`, revenue: (seq % 500) + 0.99, currency: 'EUR' } : null,
  });
}

/** The insert path before event ids counted: high-water query, then every row of the batch. */
async function insertOffsetsOnly(client: ClickHouseClient, batch: WarehouseBatch): Promise<void> {
  const highWater = await client.query({
    query: `SELECT kafka_topic, kafka_partition, max(high_water) FROM events_high_water
            WHERE kafka_topic = 'events.raw' GROUP BY kafka_topic, kafka_partition`,
    format: 'JSONEachRow',
  });
  await highWater.json();
  await client.insert({
    table: batch.table,
    values: batch.rows.map((r) => r.row),
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: deduplicationToken(
        batch.topic,
        batch.partition,
        batch.rows.map((r) => r.offset),
      ),
      insert_deduplicate: 1,
      deduplicate_blocks_in_dependent_materialized_views: 1,
    },
  });
}

const endpointDir = await mkdtemp(join(tmpdir(), 'spate-ch-copies-'));
const endpoint = await startClickHouseEndpoint({ port: 0, dataDir: endpointDir });
const admin = createClient({ url: endpoint.url });
const database: Record<Mode, string> = { 'offsets only': 'offsets_only', 'event ids': 'event_ids' };
const sides = {} as Record<Mode, WarehouseDatabase>;
try {
  for (const mode of MODES) sides[mode] = await warehouseDatabase(endpoint.url, admin, database[mode]);
  const clients = Object.fromEntries(MODES.map((m) => [m, sides[m].client])) as Record<
    Mode,
    ClickHouseClient
  >;
  const batchOf = warehouseBatches();
  const write = (mode: Mode, batch: WarehouseBatch) =>
    mode === 'event ids' ? sides[mode].sink.write([batch]) : insertOffsetsOnly(clients[mode], batch);

  const stored: EnrichedEvent[] = [];
  for (let i = 0; i < storedCount; i += 20_000) {
    const events = Array.from({ length: Math.min(20_000, storedCount - i) }, freshEvent);
    stored.push(...events);
    const batch = batchOf(events);
    for (const mode of MODES) await write(mode, batch);
  }

  const insertMs: Record<Mode, number[]> = { 'offsets only': [], 'event ids': [] };
  for (let b = 0; b < batchCount; b += 1) {
    const copies = Math.floor(batchSize / 10);
    const fresh = Array.from({ length: batchSize - copies }, freshEvent);
    // Copies of stored events, as a client's re-sent batch brings them, at new offsets.
    const copied = Array.from({ length: copies }, (_, i) => stored[((b * copies + i) * 13) % stored.length]!);
    const batch = batchOf([...fresh, ...copied]);
    // Each side goes first every other batch, so neither always meets a busier moment.
    for (const mode of b % 2 === 0 ? MODES : [...MODES].reverse()) {
      const start = performance.now();
      await write(mode, batch);
      insertMs[mode].push(performance.now() - start);
    }
  }

  const questions: Record<string, (client: ClickHouseClient) => Promise<unknown>> = {
    'events, 20 days by hour': (c) =>
      warmReader(c)({ project: 'shop', metric: 'events', fromMs: FROM, toMs: NOW, stepSeconds: 3600 }),
    'visitors, 1 day by minute': (c) =>
      warmReader(c)({
        project: 'shop',
        metric: 'visitors',
        fromMs: NOW - 2 * DAY_MS,
        toMs: NOW - DAY_MS,
        stepSeconds: 60,
      }),
    'revenue, 20 days by day': (c) =>
      warmReader(c)({
        project: 'shop',
        metric: 'revenue',
        currency: 'EUR',
        fromMs: FROM,
        toMs: NOW,
        stepSeconds: 86_400,
      }),
    'overview, 20 days': (c) => warmOverview(c, 'shop', { fromMs: FROM, toMs: NOW }),
  };
  const queryMs: Record<Mode, Record<string, number[]>> = { 'offsets only': {}, 'event ids': {} };
  for (const [name, ask] of Object.entries(questions)) {
    for (const mode of MODES) {
      await ask(clients[mode]);
      queryMs[mode][name] = [];
    }
    for (let i = 0; i < queryRuns; i += 1)
      for (const mode of i % 2 === 0 ? MODES : [...MODES].reverse()) {
        const start = performance.now();
        await ask(clients[mode]);
        queryMs[mode][name]!.push(performance.now() - start);
      }
  }

  const modes = {} as Result['modes'];
  for (const mode of MODES) {
    const [count] = await (
      await clients[mode].query({
        query: 'SELECT count() AS n, uniqExact(event_id) AS ids FROM events',
        format: 'JSONEachRow',
      })
    ).json<{ n: string; ids: string }>();
    const totalMs = insertMs[mode].reduce((a, b) => a + b, 0);
    modes[mode] = {
      rowsPerSecond: Math.round((batchCount * batchSize) / (totalMs / 1000)),
      medianBatchMs: Math.round(percentile(insertMs[mode], 50)),
      p95BatchMs: Math.round(percentile(insertMs[mode], 95)),
      rowsStored: Number(count!.n),
      idsStored: Number(count!.ids),
      queryP95Ms: Object.fromEntries(
        Object.entries(queryMs[mode]).map(([name, ms]) => [name, Math.round(percentile(ms, 95) * 10) / 10]),
      ),
    };
  }
  const result: Result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    stored: storedCount,
    batches: batchCount,
    batchSize,
    modes,
  };
  console.log(JSON.stringify(result, null, 2));
  await writeFile(join(HERE, `event-copies-${storedCount}.json`), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(HERE, 'EVENT-COPIES.md'), await report());
} finally {
  for (const mode of MODES) {
    await sides[mode]?.close();
  }
  await admin.close();
  await endpoint.close();
  await rm(endpointDir, { recursive: true, force: true });
}

/** The report from every stored result, by table size, the two modes side by side. */
async function report(): Promise<string> {
  const files = (await readdir(HERE)).filter((f) => /^event-copies-\d+\.json$/.test(f));
  const results: Result[] = (
    await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(HERE, f), 'utf8')) as Result))
  ).sort((a, b) => a.stored - b.stored);
  const columns = results.flatMap((r) => MODES.map((mode) => ({ r, mode, m: r.modes[mode] })));
  const names = Object.keys(results[0]?.modes['event ids'].queryP95Ms ?? {});
  const row = (cells: readonly unknown[]) => `| ${cells.join(' | ')} |`;
  return [
    '# Warm tier: the cost of counting each event id once',
    '',
    'Generated by `npx tsx bench/clickhouse/event-copies.ts --stored <N>` (results in',
    '`event-copies-<N>.json`). One local ClickHouse endpoint (chDB), two databases that each hold',
    '`stored` events over 20 days, then the same batches into both, the two sides taking turns',
    'batch by batch (10% of every batch are copies of stored events at new offsets), then the warm',
    'answers, again taking turns. "offsets only" is the insert path as it was before event ids',
    'counted (the high-water query, then every row with a token over the offsets); "event ids" is',
    'the warehouse sink as it is now (io/clickhouse/batch-writer.ts).',
    '',
    row(['', ...columns.map((c) => `${c.mode}, ${c.r.stored.toLocaleString('en')} stored`)]),
    row(['---', ...columns.map(() => '---')]),
    row(['insert rows/s', ...columns.map((c) => c.m.rowsPerSecond.toLocaleString('en'))]),
    row(['batch ms (median / p95)', ...columns.map((c) => `${c.m.medianBatchMs} / ${c.m.p95BatchMs}`)]),
    row(['rows / distinct ids stored', ...columns.map((c) => `${c.m.rowsStored} / ${c.m.idsStored}`)]),
    ...names.map((n) => row([`p95 ms: ${n}`, ...columns.map((c) => c.m.queryP95Ms[n])])),
    '',
    ...results.map(
      (r) =>
        `- ${r.stored.toLocaleString('en')} stored: ${r.batches} batches × ${r.batchSize} rows, ${r.date}, ${r.machine}.`,
    ),
    '',
    '## Reading the figures',
    '',
    '- "offsets only" stores every copy a client re-sent again: rows exceed distinct ids by the',
    '  copies sent. "event ids" stores each id once.',
    '- "event ids" pays per batch one lookup in the identity index `warehouse_ids`, a confirmation',
    '  in the raw table where claims exist (copies, retries), and a second, small insert (the',
    '  claims). A batch of 5,000 ids touches nearly every granule of an index of a few million ids,',
    '  so at these sizes the lookup reads most of the index and its cost grows with the table; once',
    '  the index holds many more granules than a batch has ids, the read is bounded by the batch',
    '  (about one compressed block per id and part of the index), not by the table.',
    '- The warm answers read the rollups, whose schema is the same on both sides and which hold',
    '  only first copies on the "event ids" side, so nothing in the change makes them slower. The',
    '  p95 figures move in both directions between the columns (the overview faster, revenue',
    '  slower): the machine has 2 cores shared with other work, and the two databases are caught in',
    '  different states of their background merges (the identity index adds merges of its own).',
    '',
  ].join('\n');
}
