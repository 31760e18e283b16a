/**
 * Fan-out benchmark: N dashboard clients (1,000 by default) subscribed to the overview through
 * the local gateway (real authorizer, $connect and subscribe functions, in their own process),
 * the real realtime aggregator applying a batch every 100 ms to redis-server, and the real
 * broadcast function invoked as its mapping would (no batching window: once per new batch).
 *
 * Frame latency is measured from the moment the realtime aggregator had applied the batch
 * (its handler returned) to the moment a client received the frame that first shows it. Each
 * frame's event total names the newest batch it includes, since every batch adds a known
 * number of events. The broadcaster's read (frame.at) to receipt is reported too.
 *
 * Each client subscribes to every channel, as the dashboard does, so a push carries a bundle of
 * the channels that changed; the overview's frames are the ones timed.
 *
 * Run: npx tsx bench/push/fanout.ts [rounds=5] [seconds=20] [clients=1000] [events/s=1000] [channels]
 * Prints per-round lines on stderr and a JSON summary (medians over rounds) on the last line,
 * and writes bench/push/report.json and REPORT.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { signDashboardToken } from '../../core/auth/dashboard-token.ts';
import { TOPICS } from '../../core/topics.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import { startTestRedis } from '../../test/integration/aggregation/redis-server.ts';
import { enrichedEvent, mskEventOf } from '../../test/unit/aggregation/factories.ts';
import { startComponent } from '../ingest/component-process.ts';
import { median, percentile } from '../percentile.ts';
import { type FanOutReport, fanOutMarkdown } from './report-md.ts';

// The functions publish CloudWatch EMF on stdout, which would bury the report; set before
// their modules create their Metrics instances.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const { createBroadcastFunction } = await import('../../lambdas/broadcast/handler.ts');
const { createRealtimeFunction } = await import('../../lambdas/realtime/handler.ts');

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 20);
const clients = Number(process.argv[4] ?? 1000);
const rate = Number(process.argv[5] ?? 1000);
// Each client subscribes as the dashboard does (every channel) unless a list is given.
const channelList = process.argv[6];
const BATCH_EVERY_MS = 100;
const PROJECT = 'bench';
const SECRET = 'bench-push-secret';
const HERE = import.meta.dirname;
const log = (line: string) => process.stderr.write(`${line}\n`);
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const round1 = (n: number) => Math.round(n * 10) / 10;

interface RoundResult {
  readonly clients: number;
  readonly frames: number;
  readonly samples: number;
  readonly unmatched: number;
  readonly gaps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly readP50: number;
  readonly readP99: number;
  /** First to last client receiving the same frame: the fan-out's own spread. */
  readonly spreadP50: number;
  readonly spreadP99: number;
}

async function runRound(round: number): Promise<RoundResult> {
  const redis = await startTestRedis();
  const env = {
    SPATE_REDIS_URL: redis.url,
    SPATE_DASHBOARD_TOKEN_SECRET: SECRET,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const dir = mkdtempSync(join(tmpdir(), 'spate-bench-push-'));
  const gateway = await startComponent([join(HERE, 'gateway-process.ts')], env);
  const token = signDashboardToken({ project: PROJECT, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET);
  const out = join(dir, 'samples.json');
  const connectStarted = Date.now();
  const audience = await startComponent([
    join(HERE, 'clients-process.ts'),
    String(gateway.ready.wsUrl),
    token,
    String(clients),
    out,
    ...(channelList ? [channelList] : []),
  ]);
  log(`round ${round}: ${audience.ready.clients} clients subscribed in ${Date.now() - connectStarted} ms`);
  const realtime = createRealtimeFunction({
    redis: { url: redis.url },
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    funnels: parseFunnelCatalog(undefined),
  });
  const broadcast = createBroadcastFunction({
    ...env,
    SPATE_WS_MANAGEMENT_URL: String(gateway.ready.managementEndpoint),
  });

  // Event total after each applied batch -> when the aggregator had applied it.
  const appliedAt = new Map<number, number>();
  let total = 0;
  let offset = 0;
  let latest: ReturnType<typeof mskEventOf> | undefined;
  let running = true;
  const perBatch = Math.max(1, Math.round((rate * BATCH_EVERY_MS) / 1000));
  const context = createLambdaContext('realtime');

  const pump = (async () => {
    for (let next = Date.now(); running; next += BATCH_EVERY_MS) {
      await sleep(next - Date.now());
      const at = new Date().toISOString();
      const events = Array.from({ length: perBatch }, (_, i) =>
        enrichedEvent({
          project: PROJECT,
          type: i % 10 === 0 ? 'add_to_cart' : 'page_view',
          user_id: `u${(offset + i) % 5000}`,
          timestamp: at,
          received_at: at,
        }),
      );
      const batch = mskEventOf(events, { topic: TOPICS.eventsRaw.name, partition: 0, firstOffset: offset });
      offset += perBatch;
      await realtime.handler(batch, context);
      total += perBatch;
      appliedAt.set(total, nowMs());
      latest = batch;
    }
  })();

  // The broadcaster's mapping has no batching window: each poll that finds new records invokes it.
  const mapping = (async () => {
    let seen: typeof latest;
    while (running) {
      if (!latest || latest === seen) {
        await sleep(5);
        continue;
      }
      seen = latest;
      await broadcast.handler(latest);
    }
  })();

  await sleep(seconds * 1000);
  running = false;
  await Promise.all([pump, mapping]);
  await sleep(1500);
  await audience.stop();
  await realtime.close();
  await broadcast.close();
  await gateway.stop();
  await redis.stop();

  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    samples: number[];
    gaps: number;
    failures: number;
  };
  rmSync(dir, { recursive: true, force: true });
  const latencies: number[] = [];
  const reads: number[] = [];
  const arrivals = new Map<number, { first: number; last: number }>();
  let unmatched = 0;
  for (let i = 0; i + 2 < result.samples.length; i += 3) {
    const [events, receivedAt, at] = result.samples.slice(i, i + 3) as [number, number, number];
    reads.push(receivedAt - at);
    const applied = appliedAt.get(events);
    if (applied === undefined) unmatched++;
    else latencies.push(receivedAt - applied);
    const a = arrivals.get(at) ?? { first: receivedAt, last: receivedAt };
    arrivals.set(at, { first: Math.min(a.first, receivedAt), last: Math.max(a.last, receivedAt) });
  }
  latencies.sort((a, b) => a - b);
  reads.sort((a, b) => a - b);
  const spreads = [...arrivals.values()].map((a) => a.last - a.first).sort((a, b) => a - b);
  const r: RoundResult = {
    clients: Number(audience.ready.clients),
    frames: arrivals.size,
    samples: latencies.length,
    unmatched,
    gaps: result.gaps,
    p50: round1(percentile(latencies, 50)),
    p99: round1(percentile(latencies, 99)),
    max: round1(latencies.at(-1) ?? Number.NaN),
    readP50: round1(percentile(reads, 50)),
    readP99: round1(percentile(reads, 99)),
    spreadP50: round1(percentile(spreads, 50)),
    spreadP99: round1(percentile(spreads, 99)),
  };
  log(`round ${round}: ${JSON.stringify(r)}`);
  return r;
}

const results: RoundResult[] = [];
for (let round = 1; round <= rounds; round++) results.push(await runRound(round));
const pick = (k: keyof RoundResult) => round1(median(results.map((r) => r[k])));
const summary = {
  rounds,
  seconds,
  clients,
  eventsPerSecond: rate,
  channels: channelList ?? 'all',
  loadAverage: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
  latencyFrom: 'realtime aggregator applied the batch',
  medianOfRounds: {
    p50Ms: pick('p50'),
    p99Ms: pick('p99'),
    maxMs: pick('max'),
    broadcasterReadToClientP50Ms: pick('readP50'),
    broadcasterReadToClientP99Ms: pick('readP99'),
    fanOutSpreadP50Ms: pick('spreadP50'),
    fanOutSpreadP99Ms: pick('spreadP99'),
    framesPerRound: pick('frames'),
    samplesPerRound: pick('samples'),
  },
  unmatched: results.reduce((s, r) => s + r.unmatched, 0),
  gaps: results.reduce((s, r) => s + r.gaps, 0),
};
const report: FanOutReport = {
  at: new Date().toISOString(),
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
  ...summary,
  perRound: results.map((r) => ({ ...r })),
};
writeFileSync(join(HERE, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(HERE, 'REPORT.md'), fanOutMarkdown(report));
console.log(JSON.stringify(summary));
