/**
 * Breakdown speed over a month of traffic, per tier.
 * Run: npx tsx bench/query/breakdown-speed.ts [events=10000000] [warmRounds=3] [coldRounds=1] [dataDir]
 *
 * The load is kept in `dataDir` (default: a folder of the temp dir named after `events`): a
 * second run on it skips the load and only measures, so the load can run while the machine is
 * busy and the questions on a quiet one.
 *
 * On chDB, s3rver and redis-server started here with the query routes behind the local gateway
 * (the query API stack of the integration tests), it loads `events` of seeded shop traffic
 * (bench/query/seeded-traffic.ts) spread over the 30 days before now, through the warehouse
 * and archive functions in MSK batches as the stream delivers them, compacts the archive as the
 * nightly compaction would (with each compacted object's day breakdowns; on a month loaded
 * before, the nightly run is repeated, which gives them to objects that lack them), then lets
 * the traffic go on for ten more minutes through the realtime function too (the hot tier's
 * live breakdowns). Then `GET /v1/metrics/breakdown` for every dimension, timed at the
 * client, with the query cache off (a 1 ms TTL: every answer is computed):
 *   - hot: the last 5 whole minutes (events, orders, EUR revenue: what the hot tier keeps);
 *   - warm: the last 30 days (today and the 29 days before, events and visitors), and the same
 *     filtered by country;
 *   - cold: a year, asked with the route's clock 335 days on, so that the month loaded lies in
 *     the year's archive part (the warm tier answers only the last 30 days of any clock):
 *     unfiltered, so the archive's whole days are read from their day breakdowns.
 * Every answer is checked against the generated events for events by country. Writes
 * bench/query/report.json and bench/query/REPORT.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../core/events/enriched-event.ts';
import { FIXED_DIMENSIONS } from '../../core/query/dimension.ts';
import { migrate } from '../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../io/clickhouse/migrations/index.ts';
import { createS3Client } from '../../io/s3/client.ts';
import { compactArchive, listArchiveObjects } from '../../io/s3/compaction.ts';
import { createRealtimeFunction } from '../../lambdas/realtime/handler.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../local/s3/buckets.ts';
import { PROJECT as DASHBOARD_PROJECT, tokenFor } from '../../test/integration/push/push-stack.ts';
import { startQueryApiStack } from '../../test/integration/query/query-api-stack.ts';
import { mskEventOf } from '../../test/unit/aggregation/factories.ts';
import { percentile } from '../percentile.ts';
import { type BreakdownSpeedResults, breakdownReportMd, type TierTimings } from './report-md.ts';
import { seededTraffic } from './seeded-traffic.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const total = Number(process.argv[2] ?? 10_000_000);
const warmRounds = Number(process.argv[3] ?? 3);
const coldRounds = Number(process.argv[4] ?? 1);
// The project the query API stack's dashboard token is for.
const PROJECT = DASHBOARD_PROJECT;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CHUNK = 20_000;
const say = (line: string) => process.stderr.write(`[breakdown] ${line}\n`);

const dataDir = process.argv[5] ?? join(tmpdir(), `spate-breakdown-speed-${total}`);

/** Events by country, the truth every tier's answer is checked against. */
type Tally = Map<string, number>;
const countryOf = (e: EnrichedEvent) => e.geo?.country ?? '';
function tallyInto(tally: Tally, events: readonly EnrichedEvent[], fromMs: number, toMs: number) {
  for (const e of events) {
    const t = Date.parse(e.timestamp);
    if (t >= fromMs && t < toMs) tally.set(countryOf(e), (tally.get(countryOf(e)) ?? 0) + 1);
  }
}

/** What a load left in `dataDir`, so that a later run measures without loading again. */
interface Loaded {
  readonly events: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly loadSeconds: number;
  readonly archive: BreakdownSpeedResults['archive'];
  readonly byCountry: [string, number][];
  /** The live minutes earlier runs on this folder delivered: in the warm tier too since. */
  readonly live?: { readonly runs: number; readonly events: number; readonly byCountry: [string, number][] };
}
const loadedFile = join(dataDir, 'loaded.json');
const previous = existsSync(loadedFile)
  ? (JSON.parse(readFileSync(loadedFile, 'utf8')) as Loaded)
  : undefined;
if (previous && previous.events !== total)
  throw new Error(`${dataDir} holds ${previous.events} events, not ${total}`);

let clock = Date.now();
const stack = await startQueryApiStack(
  'breakdown-speed',
  { now: () => clock, queryCacheTtlMs: 1 },
  { dataDir },
);
const realtime = createRealtimeFunction({
  redis: { url: stack.redis.url },
  breaker: { failureThreshold: 3, openMs: 1000 },
  retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
  funnels: parseFunnelCatalog(undefined),
});

const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.archive.s3.endpoint });

/**
 * A run of the nightly compaction (days before today): it compacts what is new, writes the day
 * breakdowns of each object it makes, and those of compacted objects that lack them.
 */
async function compactAsNightly(): Promise<{ seconds: number; summarized: number }> {
  // A month's compaction job reads millions of rows: more than the client's default 30 s.
  const compactor = createClient({ url: stack.archive.endpoint.url, request_timeout: 900_000 });
  const started = performance.now();
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const report = await compactArchive(
    { s3, clickhouse: compactor, bucket: LOCAL_BUCKETS.archive, cold: stack.archive.cold },
    { beforeDay: new Date(today).toISOString().slice(0, 10) },
  );
  await compactor.close();
  return { seconds: (performance.now() - started) / 1000, summarized: report.summarized };
}

/**
 * The month: `total` events over the 30 days before now through the warehouse and archive
 * functions, then the archive compacted as the nightly job would (days before today). It
 * starts six hours inside the warm tier's 30 days, so neither the warehouse function's
 * retention cut nor the table's TTL (both by the real clock) drops an event before the
 * questions are asked, even a few hours later.
 */
async function loadMonth(): Promise<Loaded> {
  const toMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const fromMs = toMs - 30 * DAY_MS + 6 * 3_600_000;
  const byCountry: Tally = new Map();
  const started = performance.now();
  let loaded = 0;
  for (const chunk of seededTraffic({ project: PROJECT, events: total, fromMs, toMs, seed: 2026 }, CHUNK)) {
    await stack.deliver(chunk);
    tallyInto(byCountry, chunk, fromMs, toMs);
    loaded += chunk.length;
    if (loaded % 500_000 === 0)
      say(`${loaded} events loaded, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const loadSeconds = (performance.now() - started) / 1000;
  say(`${loaded} events through the warehouse and archive functions in ${loadSeconds.toFixed(1)} s`);

  const objectsBefore = (await listArchiveObjects(s3, LOCAL_BUCKETS.archive, 'events')).length;
  const compactSeconds = (await compactAsNightly()).seconds;
  const objectsAfter = (await listArchiveObjects(s3, LOCAL_BUCKETS.archive, 'events')).length;
  say(`archive: ${objectsBefore} objects, compacted to ${objectsAfter} in ${compactSeconds.toFixed(1)} s`);
  const result: Loaded = {
    events: loaded,
    fromMs,
    toMs,
    loadSeconds: Math.round(loadSeconds),
    archive: { objectsBefore, objectsAfter, compactSeconds: Math.round(compactSeconds) },
    byCountry: [...byCountry],
  };
  writeFileSync(loadedFile, JSON.stringify(result));
  return result;
}

/**
 * Live traffic at the next offsets (after the month's): to the warehouse and the archive, as
 * every event goes, and to the realtime function, which makes the hot tier's live breakdowns.
 */
async function deliverLive(events: EnrichedEvent[], firstOffset: number) {
  const msk = mskEventOf(events, { partition: 0, firstOffset });
  await stack.warehouse.handler(msk, createLambdaContext('warehouse'));
  await stack.archive.archive.handler(msk, createLambdaContext('archive'));
  await realtime.handler(msk, createLambdaContext('realtime'));
}

/**
 * Waits for the warm tier's background work to finish (a migration's MATERIALIZE PROJECTION over
 * a month loaded before it, and the merges of the parts a load leaves: the events table's and
 * the rollups' and day breakdowns' parts), so the questions are timed on the tables as they stay.
 */
async function settled() {
  const started = performance.now();
  for (;;) {
    const result = await stack.archive.client.query({
      query: `SELECT (SELECT count() FROM system.mutations WHERE NOT is_done)
                   + (SELECT count() FROM system.merges) AS n`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: string }>();
    if (Number(row?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  say(`warm table settled in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

try {
  // The schema first, with a client that waits: on a month loaded by an earlier version, a new
  // projection's MATERIALIZE reads every row (chDB runs it in the foreground), longer than the
  // warehouse function's first call, which would otherwise apply it, may take.
  const migrator = createClient({ url: stack.archive.endpoint.url, request_timeout: 900_000 });
  const applied = await migrate(migrator, MIGRATIONS);
  await migrator.close();
  if (applied.length > 0) say(`migrations ${applied.join(', ')} applied`);
  const month = previous ?? (await loadMonth());
  if (previous) say(`measuring the ${previous.events} events loaded into ${dataDir}`);
  // On a month loaded before, the nightly run again: it gives day breakdowns to the compacted
  // objects of a load made before they existed.
  const nightly = previous ? await compactAsNightly() : undefined;
  if (nightly)
    say(
      `nightly compaction: ${nightly.summarized} objects given day breakdowns in ${nightly.seconds.toFixed(1)} s`,
    );
  const all: Tally = new Map(month.byCountry);
  for (const [country, n] of month.live?.byCountry ?? []) all.set(country, (all.get(country) ?? 0) + n);
  const run = month.live?.runs ?? 0;

  // Ten more minutes of the same traffic, at the same rate, ending at the current minute: the
  // hot tier's live breakdowns are made by the realtime function as the stream delivers them.
  const liveTo = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const liveFrom = liveTo - 10 * MINUTE_MS;
  const perMinute = Math.max(1, Math.round(total / ((month.toMs - month.fromMs) / MINUTE_MS)));
  const generated = [
    ...seededTraffic(
      { project: PROJECT, events: perMinute * 10, fromMs: liveFrom, toMs: liveTo, seed: 2027 },
      CHUNK,
    ),
  ].flat();
  // Event ids of the live part are its own (and this run's), so none is taken for a copy of another.
  const liveEvents = generated.map((e, i) => ({
    ...e,
    event_id: `00000000-0000-4000-9${String(run).padStart(3, '0')}-${String(i).padStart(12, '0')}`,
  }));
  await deliverLive(liveEvents, month.events + (month.live?.events ?? 0));
  const liveByCountry: Tally = new Map(month.live?.byCountry ?? []);
  tallyInto(liveByCountry, liveEvents, 0, Number.MAX_SAFE_INTEGER);
  tallyInto(all, liveEvents, 0, Number.MAX_SAFE_INTEGER);
  await settled();
  const live: Loaded['live'] = {
    runs: run + 1,
    events: (month.live?.events ?? 0) + liveEvents.length,
    byCountry: [...liveByCountry],
  };
  writeFileSync(loadedFile, JSON.stringify({ ...month, live }));
  const hotTruth: Tally = new Map();
  tallyInto(hotTruth, liveEvents, liveTo - 5 * MINUTE_MS, liveTo);
  clock = liveTo + 1000;

  const dimensions = [...FIXED_DIMENSIONS, 'prop.plan'];
  const iso = (ms: number) => new Date(ms).toISOString();
  async function ask(path: string): Promise<{
    ms: number;
    body: { rows: { key: string; value: number }[]; tiers: string[]; degraded: unknown[] };
  }> {
    const t0 = performance.now();
    // A token valid at the route's clock, which the cold questions move 335 days on.
    const response = await stack.fetch(path, {
      headers: { authorization: `Bearer ${tokenFor(PROJECT, 400 * 86_400)}` },
    });
    const body = (await response.json()) as never;
    const ms = performance.now() - t0;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return { ms, body };
  }
  const exactFor = (rows: { key: string; value: number }[], truth: Tally) =>
    JSON.stringify([...rows].sort((a, b) => (a.key < b.key ? -1 : 1))) ===
    JSON.stringify(
      [...truth]
        .filter(([, value]) => value > 0)
        .map(([key, value]) => ({ key, value }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    );

  /** "visitors by page": a question's metric and dimension, from its path. */
  const questionOf = (path: string) => path.replace(/^.*metric=(\w+)&by=([\w.]+).*$/, '$1 by $2');

  async function timeTier(
    label: string,
    rounds: number,
    questions: readonly { path: string; truth?: Tally; tier: string }[],
  ): Promise<TierTimings> {
    const timings: number[] = [];
    let exact = true;
    const degraded = new Set<string>();
    const tiers = new Set<string>();
    const byQuestion = new Map<string, number[]>();
    // Questions another tier answered: the hot tier hands a minute whose values overflowed its
    // bound (more than 50 pages in a minute) to the warm tier, which holds them all.
    const elsewhere = new Set<string>();
    for (let r = 0; r < rounds; r++)
      for (const q of questions) {
        const { ms, body } = await ask(q.path);
        timings.push(ms);
        const question = questionOf(q.path);
        byQuestion.set(question, [...(byQuestion.get(question) ?? []), ms]);
        for (const t of body.tiers) tiers.add(t);
        for (const d of body.degraded) degraded.add(JSON.stringify(d));
        if (!body.tiers.includes(q.tier)) elsewhere.add(questionOf(q.path));
        if (q.truth && !exactFor(body.rows, q.truth)) exact = false;
      }
    const ms = (p: number) => Math.round(percentile(timings, p) * 10) / 10;
    const result = {
      label,
      queries: timings.length,
      p50Ms: ms(50),
      p95Ms: ms(95),
      maxMs: ms(100),
      exact,
      tiers: [...tiers],
      degraded: [...degraded],
      answeredElsewhere: [...elsewhere],
      // Each question's slowest answer: which ones make the tail.
      slowest: [...byQuestion]
        .map(([question, ms]) => ({ question, maxMs: Math.round(Math.max(...ms)) }))
        .sort((a, b) => b.maxMs - a.maxMs)
        .slice(0, 6),
    };
    say(`${label}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms over ${result.queries}, exact ${exact}`);
    return result;
  }

  const hotRange = `from=${iso(liveTo - 5 * MINUTE_MS)}&to=${iso(liveTo)}`;
  const hot = await timeTier(
    'hot: last 5 minutes',
    warmRounds,
    FIXED_DIMENSIONS.flatMap((by) =>
      (['events', 'orders', 'revenue'] as const).map((metric) => ({
        path: `/v1/metrics/breakdown?metric=${metric}&by=${by}&${hotRange}&limit=1000`,
        tier: 'hot',
        ...(by === 'country' && metric === 'events' ? { truth: hotTruth } : {}),
      })),
    ),
  );

  // "The last 30 days" as a dashboard asks for them: today and the 29 whole UTC days before it,
  // all within the warm tier's 30 days (a range reaching past them reads that part from the
  // archive, in the same statement).
  const warmFrom = Math.floor(clock / DAY_MS) * DAY_MS - 29 * DAY_MS;
  const warmRange = `from=${iso(warmFrom)}&to=${iso(liveTo)}`;
  // The truth of that range: the month's first hours fall before it; the seeded stream is in
  // time order, so they are its first events, generated again and taken off.
  const warmTruth: Tally = new Map(all);
  for (const chunk of seededTraffic(
    { project: PROJECT, events: total, fromMs: month.fromMs, toMs: month.toMs, seed: 2026 },
    CHUNK,
  )) {
    if (Date.parse(chunk[0]!.timestamp) >= warmFrom) break;
    const before: Tally = new Map();
    tallyInto(before, chunk, month.fromMs, warmFrom);
    for (const [country, n] of before) warmTruth.set(country, warmTruth.get(country)! - n);
  }
  const warmQuestions = (filter: string) =>
    dimensions.flatMap((by) =>
      (['events', 'visitors'] as const).map((metric) => ({
        path: `/v1/metrics/breakdown?metric=${metric}&by=${by}&${warmRange}&limit=1000${filter}`,
        tier: 'warm',
        ...(by === 'country' && metric === 'events' && filter === '' ? { truth: warmTruth } : {}),
      })),
    );
  const warm = await timeTier('warm: last 30 days', warmRounds, warmQuestions(''));
  const warmFiltered = await timeTier(
    'warm: last 30 days, filter=country:DE',
    warmRounds,
    warmQuestions('&filter=country:DE'),
  );

  clock = liveTo + 335 * DAY_MS;
  const coldRange = `from=${iso(clock - 365 * DAY_MS)}&to=${iso(clock)}`;
  const cold = await timeTier(
    'cold: a year (the month loaded, from the archive)',
    coldRounds,
    dimensions.flatMap((by) =>
      (['events', 'visitors'] as const).map((metric) => ({
        path: `/v1/metrics/breakdown?metric=${metric}&by=${by}&${coldRange}&limit=1000`,
        tier: 'cold',
        ...(by === 'country' && metric === 'events' ? { truth: all } : {}),
      })),
    ),
  );

  const results: BreakdownSpeedResults = {
    at: new Date().toISOString(),
    events: month.events + live.events,
    loadSeconds: month.loadSeconds,
    archive: {
      ...month.archive,
      ...(nightly ? { rerun: { summarized: nightly.summarized, seconds: Math.round(nightly.seconds) } } : {}),
    },
    liveEventsPerMinute: perMinute,
    tiers: [hot, warm, warmFiltered, cold],
  };
  writeFileSync('bench/query/report.json', `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync('bench/query/REPORT.md', breakdownReportMd(results, process.argv.slice(2)));
} finally {
  s3.destroy();
  await realtime.close();
  await stack.close();
}
