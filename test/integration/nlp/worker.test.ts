import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { startNlpWorker } from '../../../containers/nlp/worker.ts';
import type { EnrichedTweet } from '../../../core/nlp/enrich.ts';
import { TOPICS } from '../../../core/topics.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { makeTweets, produceTweets, readCommitted, spawnWorker, waitForExit } from './harness.ts';

let broker: RunningBroker;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'spate-nlp-'));
  broker = await startBroker({ port: 0, dataDir });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(waitForExit));
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const workerEnv = (port: number, group: string, extra: Record<string, string> = {}) => ({
  SPATE_KAFKA_BROKERS: `127.0.0.1:${port}`,
  SPATE_NLP_GROUP_ID: group,
  SPATE_NLP_TRANSACTIONAL_ID: `${group}-0`,
  SPATE_NLP_METRICS_PORT: '0',
  ...extra,
});

describe('NLP worker against the local broker', () => {
  it('enriches tweets onto tweets.enriched and serves metrics', async () => {
    const tweets = makeTweets(200, 'basic');
    await produceTweets(broker.port, tweets);
    const worker = await startNlpWorker(readNlpWorkerConfig(workerEnv(broker.port, 'nlp-basic')));
    try {
      const ids = new Set(tweets.map((t) => t.id));
      const seen = new Map<string, EnrichedTweet>();
      await readCommitted<EnrichedTweet>(
        broker.port,
        TOPICS.tweetsEnriched.name,
        (records) => {
          for (const r of records.slice(seen.size)) if (ids.has(r.id)) seen.set(r.id, r);
          return tweets.every((t) => seen.has(t.id));
        },
        45_000,
      );
      const loving = seen.get('basic-0')!;
      // The shipped model is the default backend: sentiment and toxicity from its heads.
      expect(loving.sentiment).toMatchObject({ label: 'positive', model: 'onnx' });
      expect(loving.toxicity).toMatchObject({ flags: [] });
      expect(loving.lang).toMatchObject({ lang: 'en', target: true });
      expect(seen.get('basic-1')!.sentiment.label).toBe('negative');
      expect(seen.get('basic-2')!.entities.domains).toEqual(['acme.example']);
      expect(seen.get('basic-3')!.lang.lang).toBe('es');

      const body = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(body).toMatch(/spate_nlp_tweets_total\{outcome="enriched"\} [1-9]/);
      expect(body).toContain('spate_nlp_batch_size_bucket');
      expect(body).toContain('spate_nlp_gpu_in_use 0');
    } finally {
      await worker.stop();
    }
  });

  it('enriches every tweet exactly once when the worker is killed mid-batch and restarted', async () => {
    const tweets = makeTweets(3000, 'crash');
    await produceTweets(broker.port, tweets);
    // Small transactions so the kill lands between and inside them, many times over. Short
    // group timeouts let the group hand the dead worker's partitions to its successor in
    // seconds instead of a minute; the exactly-once proof does not depend on that wait.
    const env = workerEnv(broker.port, 'nlp-crash', {
      SPATE_NLP_MAX_TXN_RECORDS: '40',
      SPATE_NLP_MAX_BATCH: '16',
      SPATE_NLP_SESSION_TIMEOUT_MS: '6000',
      SPATE_NLP_REBALANCE_TIMEOUT_MS: '6000',
    });
    const first = await spawnWorker(env);
    children.push(first);
    await readCommitted<EnrichedTweet>(
      broker.port,
      TOPICS.tweetsEnriched.name,
      (records) => records.filter((r) => r.id.startsWith('crash-')).length >= 200,
      45_000,
    );
    first.kill('SIGKILL');
    await waitForExit(first);

    const second = await spawnWorker(env);
    children.push(second);
    const records = await readCommitted<EnrichedTweet>(
      broker.port,
      TOPICS.tweetsEnriched.name,
      (rs) => new Set(rs.filter((r) => r.id.startsWith('crash-')).map((r) => r.id)).size >= tweets.length,
      90_000,
    );
    second.kill('SIGTERM');
    await waitForExit(second);

    // Read again from the start after the worker has stopped: nothing beyond one copy of each.
    const all = await readCommitted<EnrichedTweet>(
      broker.port,
      TOPICS.tweetsEnriched.name,
      (rs) => rs.filter((r) => r.id.startsWith('crash-')).length >= tweets.length,
      30_000,
    );
    const counts = new Map<string, number>();
    for (const r of all) if (r.id.startsWith('crash-')) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    expect(records.length).toBeGreaterThanOrEqual(tweets.length);
    expect(counts.size).toBe(tweets.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(second.exitCode).toBe(0);
  }, 240_000);
});
