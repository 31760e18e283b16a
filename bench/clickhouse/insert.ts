/**
 * Insert throughput through the local ClickHouse endpoint: 100k-row JSONEachRow inserts
 * with the official client, from a values array and from a stream, then writes REPORT.md
 * beside this file. Run: `npx tsx bench/clickhouse/insert.ts [--runs N] [--rows N]`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { startClickHouseEndpoint } from '../../local/clickhouse/index.ts';

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, rows: { type: 'string', default: '100000' } },
});
const runs = Number(flags.runs);
const rows = Number(flags.rows);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got '${flags.runs}'`);
if (!Number.isInteger(rows) || rows < 1)
  throw new Error(`--rows must be a positive integer, got '${flags.rows}'`);

function event(i: number) {
  return {
    event_id: `e-${i}`,
    ts: 1_700_000_000_000 + i,
    user_id: `u${i % 5000}`,
    type: i % 4 === 0 ? 'page' : 'track',
    name: `event_${i % 50}`,
    properties: JSON.stringify({ plan: i % 2 ? 'pro' : 'free', value: i % 100 }),
  };
}

interface Sample {
  readonly mode: string;
  readonly seconds: number;
  /** Engine time from the response's X-ClickHouse-Summary (parse + write). */
  readonly engineSeconds: number;
}

const dataDir = await mkdtemp(join(tmpdir(), 'spate-ch-bench-'));
const endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
const client = createClient({ url: endpoint.url });
const samples: Sample[] = [];
try {
  await client.command({
    query: `CREATE TABLE bench_events (event_id String, ts DateTime64(3), user_id String,
            type LowCardinality(String), name LowCardinality(String), properties String)
            ENGINE = MergeTree ORDER BY (type, ts)`,
  });
  const batch = Array.from({ length: rows }, (_, i) => event(i));
  // One warm-up insert so table creation and first-part costs are not measured.
  await client.insert({ table: 'bench_events', values: batch.slice(0, 1000), format: 'JSONEachRow' });
  for (let run = 0; run < runs; run += 1) {
    let start = performance.now();
    const fromArray = await client.insert({ table: 'bench_events', values: batch, format: 'JSONEachRow' });
    samples.push({
      mode: 'values array',
      seconds: (performance.now() - start) / 1000,
      engineSeconds: Number(fromArray.summary?.elapsed_ns ?? 0) / 1e9,
    });

    start = performance.now();
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < rows; i += 1) yield event(i);
      })(),
      { objectMode: true },
    );
    const fromStream = await client.insert({ table: 'bench_events', values: stream, format: 'JSONEachRow' });
    samples.push({
      mode: 'stream',
      seconds: (performance.now() - start) / 1000,
      engineSeconds: Number(fromStream.summary?.elapsed_ns ?? 0) / 1e9,
    });
  }
  const rs = await client.query({ query: 'SELECT count() AS n FROM bench_events', format: 'JSONEachRow' });
  const [{ n }] = (await rs.json()) as [{ n: number }];
  const expected = 1000 + rows * runs * 2;
  if (Number(n) !== expected) throw new Error(`expected ${expected} rows in bench_events, found ${n}`);
} finally {
  await client.close();
  await endpoint.close();
  await rm(dataDir, { recursive: true, force: true });
}

function summarise(mode: string) {
  const ofMode = samples.filter((s) => s.mode === mode);
  const sorted = ofMode.map((s) => s.seconds).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const engine = ofMode.map((s) => s.engineSeconds).sort((a, b) => a - b);
  return {
    mode,
    median,
    best: sorted[0]!,
    worst: sorted.at(-1)!,
    engineMedian: engine[Math.floor(engine.length / 2)]!,
    rowsPerSecond: Math.round(rows / median),
  };
}

const results = ['values array', 'stream'].map(summarise);
/** A Markdown table with padded columns, the layout the project's formatter keeps. */
function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, 3, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const ms = (seconds: number) => (seconds * 1000).toFixed(0);
const table = markdownTable(
  ['mode', 'rows/s (median)', 'median ms', 'best ms', 'worst ms', 'engine ms (median)'],
  results.map((r) => [
    r.mode,
    r.rowsPerSecond.toLocaleString('en-US'),
    ms(r.median),
    ms(r.best),
    ms(r.worst),
    ms(r.engineMedian),
  ]),
);
const report = `# ClickHouse endpoint: insert throughput

${rows.toLocaleString('en-US')}-row JSONEachRow inserts through \`@clickhouse/client\` into the local
ClickHouse endpoint (chDB behind the HTTP interface), ${runs} runs per mode, one MergeTree table
with six columns (the warehouse event shape). Client, endpoint and engine share one machine.

${table}

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
- The time covers client-side JSON serialisation, HTTP transfer, buffering the body, handing it to
  the engine thread and chDB's parse + MergeTree write; the endpoint answers once the part is written.
- "engine ms" is chDB's own time for the insert (from \`X-ClickHouse-Summary\`); the rest is the
  client serialising rows and the HTTP transfer. The stream mode is slower because the client
  serialises row by row through a Node stream; the endpoint receives the same bytes either way.
- Client, endpoint and chDB compete for the same cores; on a machine shared with other work the
  figures move by tens of percent between runs, so compare medians from the same machine only.
- Reproduce: \`npx tsx bench/clickhouse/insert.ts --runs ${runs} --rows ${rows}\`.
`;
await writeFile(new URL('./REPORT.md', import.meta.url), report);
process.stdout.write(report);
