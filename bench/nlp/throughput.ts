/**
 * NLP worker benchmark on the local broker.
 *   npx tsx bench/nlp/throughput.ts --tweets 1000000 [--backend lexicon|onnx]
 *     preloads tweets.raw with `spate load`'s tweet stream, then times the worker from start
 *     to the last tweet enriched (counted from its /metrics).
 *   npx tsx bench/nlp/throughput.ts --rate 2000 --seconds 60 [--backend ...]
 *     produces at a steady rate while the worker runs and reports produced -> enriched
 *     latency (p50/p99) as seen by a read_committed consumer of tweets.enriched.
 * --runs N repeats a measurement on a fresh broker each time and ends with the medians.
 * --profile DIR writes the worker's V8 CPU profile there (node --cpu-prof).
 * Prints one JSON line per run (with the load average when it started), then one summary line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { TOPICS } from '../../core/topics.ts';
import { TweetStream } from '../../load/tweet-stream.ts';
import { type RunningBroker, startBroker } from '../../local/kafka/index.ts';
import { median, percentile } from '../percentile.ts';

const { values } = parseArgs({
  options: {
    tweets: { type: 'string', default: '1000000' },
    backend: { type: 'string', default: 'lexicon' },
    rate: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    runs: { type: 'string', default: '1' },
    // Writes the worker's V8 CPU profile (node --cpu-prof) into this directory.
    profile: { type: 'string' },
  },
});

interface Run {
  readonly broker: RunningBroker;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly stream: TweetStream;
}

async function produce(run: Run, n: number): Promise<void> {
  const batch = 2000;
  for (let sent = 0; sent < n; sent += batch) {
    const now = Date.now();
    const messages = Array.from({ length: Math.min(batch, n - sent) }, () => {
      const t = run.stream.next(now);
      return { key: t.hashtags[0] ?? t.lang, value: JSON.stringify(t) };
    });
    await run.producer.send({ topic: TOPICS.tweetsRaw.name, messages });
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc on Linux; NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function startWorker(
  run: Run,
): Promise<{ stop(): Promise<void>; metricsPort: number; cpuSeconds(): number }> {
  const profile = values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values.profile];
  const child = spawn(process.execPath, [...profile, 'bin/spate.js', 'nlp'], {
    env: {
      ...process.env,
      SPATE_KAFKA_BROKERS: `127.0.0.1:${run.broker.port}`,
      SPATE_NLP_BACKEND: values.backend,
      SPATE_NLP_METRICS_PORT: '0',
      SPATE_NLP_GROUP_ID: 'nlp-bench',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The worker must not outlive the benchmark (and its broker) if the benchmark fails.
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line !== undefined) {
        resolve({
          metricsPort: (JSON.parse(line) as { port: number }).port,
          cpuSeconds: () => cpuSeconds(child.pid),
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

async function enrichedCount(port: number): Promise<number> {
  try {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/spate_nlp_tweets_total\{outcome="enriched"\} (\d+)/u.exec(body)?.[1] ?? 0);
  } catch {
    // A reused keep-alive connection can be reset on a starved machine; the next poll asks again.
    return 0;
  }
}

async function throughputRun(run: Run): Promise<Record<string, number>> {
  const n = Number(values.tweets);
  const t0 = performance.now();
  await produce(run, n);
  const preloadS = (performance.now() - t0) / 1000;
  const started = performance.now();
  const worker = await startWorker(run);
  let done = 0;
  while (done < n) {
    await new Promise((r) => setTimeout(r, 250));
    done = Math.max(done, await enrichedCount(worker.metricsPort));
  }
  const seconds = (performance.now() - started) / 1000;
  const workerCpuS = worker.cpuSeconds();
  await worker.stop();
  return {
    tweets: n,
    seconds: Number(seconds.toFixed(1)),
    // What the worker itself used, start-up included: the figure the box's load does not move much.
    worker_cpu_s: Number(workerCpuS.toFixed(1)),
    tweets_per_s: Math.round(n / seconds),
    preload_s: Number(preloadS.toFixed(1)),
  };
}

async function latencyRun(run: Run): Promise<Record<string, number>> {
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const worker = await startWorker(run);
  const latencies: number[] = [];
  const consumer = run.kafka.consumer({ groupId: 'nlp-bench-reader', maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.tweetsEnriched.name, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const t = JSON.parse(m.value?.toString() ?? '{}') as { createdAt?: string };
        if (t.createdAt !== undefined) latencies.push(now - Date.parse(t.createdAt));
      }
    },
  });
  const tick = 50;
  const perTick = Math.round((rate * tick) / 1000);
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / tick) * perTick);
    if (due > sent) {
      await produce(run, due - sent);
      sent = due;
    }
    await new Promise((r) => setTimeout(r, tick / 2));
  }
  const deadline = Date.now() + 30_000;
  while (latencies.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  await worker.stop();
  // The first seconds include the worker joining the group; steady state is what is asked.
  const steady = latencies.slice(Math.floor(latencies.length * 0.1)).sort((a, b) => a - b);
  return {
    rate,
    seconds,
    produced: sent,
    enriched: latencies.length,
    p50_ms: percentile(steady, 50),
    p99_ms: percentile(steady, 99),
  };
}

const mode = values.rate === undefined ? 'throughput' : 'latency';
const results: Record<string, number>[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-nlp-bench-'));
  const broker = await startBroker({ port: 0, dataDir, logger: { info: () => {}, warn: () => {} } });
  const kafka = new Kafka({
    clientId: 'nlp-bench',
    brokers: [`127.0.0.1:${broker.port}`],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  const run: Run = { broker, kafka, producer, stream: new TweetStream(42) };
  const load = Number(loadavg()[0]!.toFixed(1));
  try {
    const result = mode === 'throughput' ? await throughputRun(run) : await latencyRun(run);
    results.push(result);
    process.stdout.write(
      `${JSON.stringify({ mode, backend: values.backend, run: i + 1, load_1m: load, ...result })}\n`,
    );
  } finally {
    await producer.disconnect();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const keys = mode === 'throughput' ? ['seconds', 'tweets_per_s'] : ['p50_ms', 'p99_ms'];
process.stdout.write(
  `${JSON.stringify({ mode: 'summary', of: mode, backend: values.backend, runs: results.length, ...Object.fromEntries(keys.map((k) => [`median_${k}`, median(results.map((r) => r[k]!))])) })}\n`,
);
