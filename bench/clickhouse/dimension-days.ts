/**
 * What the day breakdowns (migration 12, `event_dimension_days` filled by a materialized view)
 * cost the warehouse's inserts, measured A/B in one process so both sides share whatever else the
 * machine is doing: two databases of one local ClickHouse endpoint (chDB), both migrated, one
 * with the view dropped, receive the same batches of seeded shop traffic (bench/query/
 * seeded-traffic.ts: every dimension and a custom property varied) through the warehouse sink
 * (io/clickhouse/warehouse-sink.ts), taking turns batch by batch, each going first every other
 * batch. Writes dimension-days.json and DIMENSION-DAYS.md beside this file.
 * Run: `npx tsx bench/clickhouse/dimension-days.ts [--batches N] [--batch N]`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { DIMENSION_DAYS } from '../../io/clickhouse/warm-dimensions.ts';
import { startClickHouseEndpoint } from '../../local/clickhouse/index.ts';
import { percentile } from '../percentile.ts';
import { seededTraffic } from '../query/seeded-traffic.ts';
import { type WarehouseDatabase, warehouseBatches, warehouseDatabase } from './warehouse-databases.ts';

const { values: flags } = parseArgs({
  options: {
    batches: { type: 'string', default: '40' },
    batch: { type: 'string', default: '5000' },
  },
});
const positive = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
};
const batchCount = positive('batches', flags.batches);
const batchSize = positive('batch', flags.batch);
const HERE = dirname(fileURLToPath(import.meta.url));
const DAY_MS = 86_400_000;

type Side = 'without day breakdowns' | 'with day breakdowns';
const SIDES: readonly Side[] = ['without day breakdowns', 'with day breakdowns'];
const database: Record<Side, string> = {
  'without day breakdowns': 'without_days',
  'with day breakdowns': 'with_days',
};

const toMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const batches = [
  ...seededTraffic(
    { project: 'shop', events: batchCount * batchSize, fromMs: toMs - 3 * DAY_MS, toMs, seed: 12 },
    batchSize,
  ),
];

const endpointDir = await mkdtemp(join(tmpdir(), 'spate-ch-dimension-days-'));
const endpoint = await startClickHouseEndpoint({ port: 0, dataDir: endpointDir });
const admin = createClient({ url: endpoint.url, request_timeout: 300_000 });
const sides = {} as Record<Side, WarehouseDatabase>;
try {
  for (const side of SIDES) sides[side] = await warehouseDatabase(endpoint.url, admin, database[side]);
  await sides['without day breakdowns'].client.command({ query: `DROP VIEW ${DIMENSION_DAYS}_mv` });
  const batchOf = warehouseBatches();
  const insertMs: Record<Side, number[]> = { 'without day breakdowns': [], 'with day breakdowns': [] };
  for (const [b, events] of batches.entries()) {
    const batch = batchOf(events);
    for (const side of b % 2 === 0 ? SIDES : [...SIDES].reverse()) {
      const start = performance.now();
      await sides[side].sink.write([batch]);
      insertMs[side].push(performance.now() - start);
    }
  }
  const stored = async (side: Side, table: string) => {
    const result = await admin.query({
      query: `SELECT count() AS n FROM ${database[side]}.${table}`,
      format: 'JSONEachRow',
    });
    return Number((await result.json<{ n: string }>())[0]?.n);
  };
  const measured = {} as Record<Side, Record<string, number>>;
  for (const side of SIDES) {
    const ms = insertMs[side];
    const total = ms.reduce((a, b) => a + b, 0);
    measured[side] = {
      rowsPerSecond: Math.round((batchCount * batchSize) / (total / 1000)),
      medianBatchMs: Math.round(percentile(ms, 50)),
      p95BatchMs: Math.round(percentile(ms, 95)),
      events: await stored(side, 'events'),
      dayBreakdownRows: await stored(side, DIMENSION_DAYS),
    };
  }
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
    batches: batchCount,
    batchSize,
    sides: measured,
  };
  await writeFile(join(HERE, 'dimension-days.json'), `${JSON.stringify(result, null, 2)}\n`);
  const w = measured['with day breakdowns']!;
  const wo = measured['without day breakdowns']!;
  const slower = (a: number, b: number) => `${Math.round((a / b - 1) * 100)}%`;
  await writeFile(
    join(HERE, 'DIMENSION-DAYS.md'),
    `# The day breakdowns' cost on the warehouse's inserts

\`npx tsx bench/clickhouse/dimension-days.ts --batches ${batchCount} --batch ${batchSize}\` at ${result.date}, ${result.machine}.
Two databases of one local ClickHouse endpoint (chDB), migrated alike, one with the day
breakdowns' materialized view (migration 12) dropped, take turns inserting the same ${batchCount} batches of
${batchSize.toLocaleString('en-US')} events of seeded shop traffic through the warehouse sink. What is measured is in the
comment at the top of \`bench/clickhouse/dimension-days.ts\`.

| | rows/s | median batch ms | p95 batch ms | events stored | day breakdown rows |
|---|---:|---:|---:|---:|---:|
${SIDES.map((s) => `| ${s} | ${measured[s]!.rowsPerSecond!.toLocaleString('en-US')} | ${measured[s]!.medianBatchMs} | ${measured[s]!.p95BatchMs} | ${measured[s]!.events!.toLocaleString('en-US')} | ${measured[s]!.dayBreakdownRows!.toLocaleString('en-US')} |`).join('\n')}

With the day breakdowns a batch takes ${slower(w.medianBatchMs!, wo.medianBatchMs!)} longer at the median and
${slower(w.p95BatchMs!, wo.p95BatchMs!)} longer at p95. Client, endpoint and engine share the machine.
`,
  );
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  for (const side of SIDES) await sides[side]?.close();
  await admin.close();
  await endpoint.close();
  await rm(endpointDir, { recursive: true, force: true });
}
