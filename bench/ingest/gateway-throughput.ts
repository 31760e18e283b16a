/**
 * Ingest through the local gateway into the broker, each in its own process as `spate local`
 * runs them: (1) the most events per second with batches of 500, (2) request latency at a
 * steady 5,000 events/s. Client-side round trips, so latency includes HTTP and the gateway.
 *   npx tsx bench/ingest/gateway-throughput.ts [--seconds 20] [--concurrency 8] [--compression gzip|none]
 *     [--http-workers N]
 * With --http-workers N > 1 the HTTP API runs as `spate local` runs it: N processes sharing one
 * port (local/stack/gateway-main.ts), as Lambda runs several containers of the function at once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashWriteKey } from '../../core/auth/write-keys.ts';
import { LatencyStats } from '../../load/latency-stats.ts';
import { runLoad } from '../../load/load-runner.ts';
import { ShopTraffic } from '../../load/traffic.ts';
import { freePort } from '../../test/support/free-ports.ts';
import { type Component, startComponent } from './component-process.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const seconds = Number(flag('--seconds', '20'));
const concurrency = Number(flag('--concurrency', '8'));
const compression = flag('--compression', 'gzip');
const latencyRate = Number(flag('--latency-rate', '5000'));
const httpWorkers = Number(flag('--http-workers', '1'));
const WRITE_KEY = 'wk_bench';

const dataDir = mkdtempSync(join(tmpdir(), 'spate-ingest-bench-'));
const components: Component[] = [];
try {
  const broker = await startComponent(['bin/cli.ts', 'broker', '--port', '0', '--data-dir', dataDir]);
  components.push(broker);
  const functionEnv = {
    SPATE_WRITE_KEYS: JSON.stringify({ bench: hashWriteKey(WRITE_KEY) }),
    SPATE_KAFKA_BROKERS: `127.0.0.1:${broker.ready.port}`,
    SPATE_KAFKA_COMPRESSION: compression,
    SPATE_RATE_LIMIT_PER_S: '10000000',
    SPATE_RATE_LIMIT_BURST: '10000000',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  let server: Component;
  let url: string;
  if (httpWorkers > 1) {
    const port = await freePort();
    server = await startComponent(
      [
        'local/stack/gateway-main.ts',
        '--apis',
        'http',
        '--workers',
        String(httpWorkers),
        '--port',
        String(port),
      ],
      { ...functionEnv, SPATE_DASHBOARD_TOKEN_SECRET: 'bench', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    );
    url = `http://127.0.0.1:${port}`;
  } else {
    server = await startComponent(['bench/ingest/ingest-server.ts'], functionEnv);
    url = String(server.ready.url);
  }
  components.push(server);

  const cpuBefore = cpuSeconds([broker, server]);
  const throughput = await maxThroughput(`${url}/v1/events`, seconds, concurrency);
  const cpuAfter = cpuSeconds([broker, server]);
  // CPU spent per acknowledged event by each process: unlike wall-clock rates, this does not
  // depend on what else the machine is running, and 2 / total is what two free cores could do.
  const perEventUs = cpuAfter.map(
    (after, i) => ((after - cpuBefore[i]!) / Math.max(1, throughput.accepted)) * 1e6,
  );
  const [brokerUs = 0, ingestUs = 0, driverUs = 0] = perEventUs;
  const cpu = {
    broker_us_per_event: round1(brokerUs),
    gateway_ingest_us_per_event: round1(ingestUs),
    load_driver_us_per_event: round1(driverUs),
    two_core_capacity_events_per_s: Math.round(2e6 / (brokerUs + ingestUs + driverUs)),
    two_core_capacity_without_driver_events_per_s: Math.round(2e6 / (brokerUs + ingestUs)),
  };
  const latency = [];
  for (const batchSize of [100, 500]) {
    const report = await runLoad({
      endpoint: url,
      writeKey: WRITE_KEY,
      rate: latencyRate,
      durationS: Math.max(5, Math.round(seconds / 2)),
      users: 10_000,
      tweetsRate: 0,
      seed: 7,
      spike: false,
      batchSize,
      concurrency: 32,
    });
    latency.push({
      batch_size: batchSize,
      target_events_per_s: latencyRate,
      achieved_events_per_s: report.events_per_s,
      accepted: report.accepted,
      refused: report.refused,
      latency_ms: report.latency_ms,
    });
  }
  process.stdout.write(
    `${JSON.stringify({ bench: 'ingest-gateway', compression, http_workers: httpWorkers, throughput, cpu, latency })}\n`,
  );
} finally {
  for (const c of components.reverse()) await c.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * CPU seconds (user + system) so far of each component process with its live child processes
 * (the HTTP API's workers), then of this process.
 */
function cpuSeconds(components: Component[]): number[] {
  const tick = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / tick,
      });
    } catch {
      // the process ended while we looked
    }
  }
  const tree = (pid: number): number =>
    (stats.get(pid)?.cpu ?? 0) +
    [...stats].filter(([, s]) => s.ppid === pid).reduce((sum, [child]) => sum + tree(child), 0);
  const own = process.cpuUsage();
  return [...components.map((c) => tree(c.child.pid!)), (own.user + own.system) / 1e6];
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

async function maxThroughput(target: string, durationS: number, workers: number) {
  const traffic = new ShopTraffic({ seed: 3, users: 10_000 });
  const now = Date.now();
  const bodies = Array.from({ length: 50 }, () =>
    JSON.stringify(
      Array.from({ length: 500 }, () => ({ ...traffic.next(now), sent_at: new Date(now).toISOString() })),
    ),
  );
  const latency = new LatencyStats();
  let accepted = 0;
  let refused = 0;
  let requests = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const worker = async (w: number) => {
    for (let i = w; performance.now() < deadline; i += workers) {
      const t0 = performance.now();
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
        body: bodies[i % bodies.length],
      });
      const body = (await response.json()) as { accepted?: number };
      latency.record(performance.now() - t0);
      requests += 1;
      if (response.status === 200) accepted += body.accepted ?? 0;
      else refused += 500;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    batch_size: 500,
    concurrency: workers,
    seconds: Math.round(elapsedS * 10) / 10,
    requests,
    accepted,
    refused,
    events_per_s: Math.round(accepted / elapsedS),
    latency_ms: { p50: Math.round(latency.percentile(50)), p99: Math.round(latency.percentile(99)) },
  };
}
