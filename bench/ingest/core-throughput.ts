/**
 * Validation + enrichment + encoding of ingest, in-process on one core: how many events per
 * second `planEvents` turns from parsed JSON into encoded Kafka records.
 *   npx tsx bench/ingest/core-throughput.ts [--seconds 5] [--json]
 */
import { planEvents } from '../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../core/limits/ingest-limits.ts';
import { ShopTraffic } from '../../load/traffic.ts';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 5) || 5;
const asJson = args.includes('--json');

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
];

// Requests of 500 events, as a batching SDK sends them; bodies are parsed again per request
// because the handler receives fresh JSON each time.
const traffic = new ShopTraffic({ seed: 1, users: 10_000 });
const now = Date.now();
const bodies = Array.from({ length: 40 }, (_, r) =>
  JSON.stringify(
    Array.from({ length: 500 }, (_, i) => ({
      ...traffic.next(now + r * 500 + i),
      sent_at: new Date(now).toISOString(),
    })),
  ),
);

let events = 0;
let rejected = 0;
let bytes = 0;
let request = 0;
const cpuStart = process.cpuUsage();
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() < deadline) {
  const body = bodies[request % bodies.length]!;
  const plan = planEvents(
    JSON.parse(body),
    {
      receivedAtMs: Date.now(),
      sourceIp: `203.0.113.${request % 250}`,
      userAgent: USER_AGENTS[request % USER_AGENTS.length],
      project: 'bench',
      source: 'spate',
    },
    INGEST_LIMITS,
    'POST /v1/events',
  );
  events += plan.accepted;
  rejected += plan.rejections.length;
  for (const r of plan.records) bytes += r.value.length;
  request += 1;
}
const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
// CPU seconds of this (single-threaded) process: on a shared machine wall time also counts
// the time other processes held the core.
const cpu = process.cpuUsage(cpuStart);
const cpuS = (cpu.user + cpu.system) / 1e6;
const result = {
  bench: 'ingest-core',
  events,
  rejected,
  seconds: Math.round(elapsedS * 100) / 100,
  cpu_seconds: Math.round(cpuS * 100) / 100,
  events_per_s: Math.round(events / elapsedS),
  events_per_cpu_s: Math.round(events / cpuS),
  avg_encoded_bytes: Math.round(bytes / Math.max(1, events)),
};
if (asJson) process.stdout.write(`${JSON.stringify(result)}\n`);
else
  process.stdout.write(
    `${result.events_per_cpu_s} events per CPU-second, ${result.events_per_s} events/s wall ` +
      `(${events} events in ${result.seconds} s, ${rejected} rejected, ~${result.avg_encoded_bytes} B each)\n`,
  );
