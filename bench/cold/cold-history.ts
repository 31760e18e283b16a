/**
 * Cold tier over years of history, before and after compaction (io/s3/compaction.ts).
 * Run: npx tsx bench/cold/cold-history.ts [events=100000] [years=20] [runs=20] [runsBefore=5]
 *
 * On s3rver and chDB started here, as the integration tests start them: `events` shop events
 * spread evenly over `years` years ending 2026-01-01, each day's events in one hour of it (one
 * in 25 days spills into a second hour), archived through the archive function in MSK batches
 * of 1,000 records, which is how an import of that history lands: about one small object a day.
 * Then a daily series of events and of EUR revenue over the last full year, through the query
 * layer's cold reader, `runsBefore` times; compaction of everything; the same series `runs`
 * times. Every answer is checked against the generated events. Prints JSON (REPORT.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { revenueMinorUnits } from '../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../core/events/enriched-event.ts';
import { answerMetric, type TierReader } from '../../core/query/metric-answer.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { coldReader } from '../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { createS3Client } from '../../io/s3/client.ts';
import { compactArchive, listArchiveObjects } from '../../io/s3/compaction.ts';
import { createArchiveFunction } from '../../lambdas/archive/handler.ts';
import { startClickHouseEndpoint } from '../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../local/s3/buckets.ts';
import { startLocalS3 } from '../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../test/unit/aggregation/factories.ts';
import { percentile } from '../percentile.ts';

// The archive function's EMF lines are for CloudWatch; here they would bury the figures.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const n = Number(process.argv[2] ?? 100_000);
const years = Number(process.argv[3] ?? 20);
const runs = Number(process.argv[4] ?? 20);
const runsBefore = Number(process.argv[5] ?? 5);
const DAY_MS = 86_400_000;
const END = Date.UTC(2026, 0, 1);
const START = Date.UTC(2026 - years, 0, 1);
const YEAR = { fromMs: Date.UTC(2025, 0, 1), toMs: END };
const NOW = END + 90 * DAY_MS;
const unused: TierReader = () => Promise.reject(new Error('only the cold tier should be asked'));
const say = (line: string) => process.stderr.write(`[cold] ${line}\n`);

function history(): EnrichedEvent[] {
  const random = seededRandom(2026);
  const days = (END - START) / DAY_MS;
  const hours = Array.from({ length: days }, () => Math.floor(random() * 24));
  return Array.from({ length: n }, (_, i) => {
    const day = Math.floor((i / n) * days);
    const hour = random() < 0.04 / 14 ? (hours[day]! + 1) % 24 : hours[day]!;
    const purchase = random() < 0.1;
    return enrichedEvent({
      project: 'shop',
      type: purchase ? 'purchase' : 'page_view',
      user_id: `u${Math.floor(random() * 5000)}`,
      timestamp: new Date(
        START + day * DAY_MS + hour * 3_600_000 + Math.floor(random() * 3_600_000),
      ).toISOString(),
      order: purchase ? { id: `o${i}`, revenue: Math.round(random() * 20_000) / 100, currency: 'EUR' } : null,
    });
  });
}

const dirs = [
  mkdtempSync(join(tmpdir(), 'spate-bench-cold-s3-')),
  mkdtempSync(join(tmpdir(), 'spate-bench-cold-ch-')),
];
const s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
const endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
const client = createClient({ url: endpoint.url, request_timeout: 600_000 });
const s3Client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
const cold: ColdTierConfig = {
  bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
  prefix: 'events',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
};
const archive = createArchiveFunction({
  s3: { region: 'us-east-1', endpoint: s3.endpoint },
  bucket: LOCAL_BUCKETS.archive,
  prefix: 'events',
  breaker: { failureThreshold: 5, openMs: 1000 },
  retry: { attempts: 5, baseDelayMs: 50, maxDelayMs: 1000 },
});

try {
  const events = history();
  const loadStarted = Date.now();
  for (let i = 0; i < events.length; i += 1000)
    await archive.handler(
      mskEventOf(events.slice(i, i + 1000), { partition: 0, firstOffset: i }),
      createLambdaContext('archive'),
    );
  const objectsBefore = (await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events')).length;
  say(
    `${n} events archived as ${objectsBefore} objects in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`,
  );

  // The truth: per day of the year asked, events and EUR revenue in minor units.
  const days = Array.from({ length: (YEAR.toMs - YEAR.fromMs) / DAY_MS }, (_, i) => YEAR.fromMs + i * DAY_MS);
  const dayOf = (e: EnrichedEvent) => Math.floor(Date.parse(e.timestamp) / DAY_MS) * DAY_MS;
  const truth = { events: new Map<number, number>(), revenue: new Map<number, number>() };
  for (const e of events) {
    const t = dayOf(e);
    if (t < YEAR.fromMs || t >= YEAR.toMs) continue;
    truth.events.set(t, (truth.events.get(t) ?? 0) + 1);
    if (e.order) truth.revenue.set(t, (truth.revenue.get(t) ?? 0) + revenueMinorUnits(e.order.revenue));
  }

  const readers = { hot: unused, warm: unused, cold: coldReader(client, cold) };
  async function series(label: string, count: number) {
    const timings: number[] = [];
    let exact = true;
    for (let r = 0; r < count; r++) {
      for (const metric of ['events', 'revenue'] as const) {
        const started = performance.now();
        const answer = await answerMetric(
          {
            project: 'shop',
            metric,
            ...YEAR,
            stepSeconds: 86_400,
            ...(metric === 'revenue' ? { currency: 'EUR' } : {}),
          },
          readers,
          NOW,
        );
        timings.push(performance.now() - started);
        const want = days.map((t) => ({ t, value: truth[metric].get(t) ?? 0 }));
        if (JSON.stringify(answer.points) !== JSON.stringify(want)) exact = false;
      }
    }
    const ms = (p: number) => Math.round(percentile(timings, p));
    say(`${label}: p50 ${ms(50)} ms, p95 ${ms(95)} ms over ${timings.length} queries, exact: ${exact}`);
    return { queries: timings.length, p50Ms: ms(50), p95Ms: ms(95), maxMs: ms(100), exact };
  }

  const before = await series('before compaction', runsBefore);
  const compactStarted = Date.now();
  const report = await compactArchive(
    { s3: s3Client, clickhouse: client, bucket: LOCAL_BUCKETS.archive, cold },
    {
      beforeDay: new Date(END).toISOString().slice(0, 10),
    },
  );
  const compactSeconds = (Date.now() - compactStarted) / 1000;
  const after = (await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events')).length;
  say(
    `compacted in ${compactSeconds.toFixed(1)} s: ${report.jobs} jobs, ${objectsBefore} objects -> ${after}`,
  );
  const compacted = await series('after compaction', runs);
  process.stdout.write(
    `${JSON.stringify(
      {
        events: n,
        years,
        range: {
          from: new Date(YEAR.fromMs).toISOString(),
          to: new Date(YEAR.toMs).toISOString(),
          step: '1 day',
        },
        objects: { before: objectsBefore, after },
        compaction: { jobs: report.jobs, seconds: compactSeconds, deleted: report.deleted },
        before,
        after: compacted,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await archive.close();
  s3Client.destroy();
  await client.close();
  await endpoint.close();
  await s3.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
