import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { TOPICS } from '../../../core/topics.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import { createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import { type AggregatorFunction, createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { readArchiveBatches } from '../../../lambdas/replay-archive.ts';
import { feedReplay, type ReplayTarget, replaySource } from '../../../lambdas/replay-cli.ts';
import { readTopicBatches } from '../../../lambdas/replay-topic.ts';
import { createWindowsFunction } from '../../../lambdas/windows/handler.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { shopTraffic } from './event-stream.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';
import { hotSnapshot } from './redis-snapshot.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const topic = TOPICS.eventsRaw.name;

describe('spate replay against the broker, redis-server and s3rver', () => {
  let dirs: string[];
  let broker: RunningBroker;
  let redis: TestRedis;
  let s3: LocalS3;
  let kafka: Kafka;
  let functions: AggregatorFunction[];
  let targets: ReplayTarget[];
  let events: EnrichedEvent[];
  let midTimeMs: number;

  beforeAll(async () => {
    dirs = [
      mkdtempSync(join(tmpdir(), 'spate-replay-kafka-')),
      mkdtempSync(join(tmpdir(), 'spate-replay-s3-')),
    ];
    broker = await startBroker({ port: 0, dataDir: dirs[0]!, topics: [TOPICS.eventsRaw], logger: quiet });
    redis = await startTestRedis();
    s3 = await startLocalS3({ port: 0, dataDir: dirs[1]! });
    kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
    const config = {
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
      funnels: parseFunnelCatalog(undefined),
    };
    functions = [
      createRealtimeFunction(config),
      createWindowsFunction(config),
      createFunnelsFunction(config),
    ];
    targets = functions.map((f, i) => ({ name: `f${i}`, handler: f.handler }));

    // Produced in two halves with a known time between them, for --from-time.
    events = shopTraffic(seededRandom(5), 1, 2400)[0]!;
    const producer = kafka.producer();
    await producer.connect();
    const send = (part: EnrichedEvent[]) =>
      producer.send({
        topic,
        messages: part.map((e) => ({ key: e.user_id ?? null, value: JSON.stringify(e) })),
      });
    await send(events.slice(0, 1200));
    await new Promise((r) => setTimeout(r, 50));
    midTimeMs = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await send(events.slice(1200));
    await producer.disconnect();
  }, 120_000);

  afterAll(async () => {
    for (const f of functions ?? []) await f.close();
    await s3?.close();
    await redis?.stop();
    await broker?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  const replay = (start: { offset: number } | { timeMs: number }, batchSize: number) =>
    feedReplay(targets, readTopicBatches(kafka, { topic, start, batchSize }));

  it('--from-offset restores a lost hot tier, and a second replay changes nothing', async () => {
    const first = await replay({ offset: 0 }, 500);
    expect(first.records).toBe(events.length);
    const applied = await hotSnapshot(redis.client);
    expect(applied.size).toBeGreaterThan(100);

    // Already applied, cut at other offsets: nothing changes.
    await replay({ offset: 0 }, 777);
    expect(await hotSnapshot(redis.client)).toEqual(applied);

    // --from-time re-reads only the later records; still nothing changes.
    const later = await replay({ timeMs: midTimeMs }, 300);
    expect(later.records).toBeGreaterThan(0);
    expect(later.records).toBeLessThan(events.length);
    expect(await hotSnapshot(redis.client)).toEqual(applied);

    // The hot tier is lost; a replay brings back exactly what was there.
    await redis.client.flushall();
    await replay({ offset: 0 }, 1000);
    expect(await hotSnapshot(redis.client)).toEqual(applied);
  }, 180_000);

  it('--from-s3 restores the hot tier from the archive, each offset once despite overlapping objects', async () => {
    const applied = await hotSnapshot(redis.client);
    const archive = createArchiveFunction({
      s3: { region: 'us-east-1', endpoint: s3.endpoint },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'events',
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    });
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    try {
      // Archived as the mapping would, then a redelivery cut at other offsets.
      const read = (size: number) =>
        readTopicBatches(kafka, { topic, start: { offset: 0 }, batchSize: size });
      await feedReplay([{ name: 'archive', handler: archive.handler }], read(900));
      await feedReplay([{ name: 'archive', handler: archive.handler }], read(650));

      await redis.client.flushall();
      const fromS3 = await readArchiveBatches(client, LOCAL_BUCKETS.archive, 'events/', 5000);
      expect(fromS3.events).toBe(events.length);
      await feedReplay(targets, fromS3.batches);
      expect(await hotSnapshot(redis.client)).toEqual(applied);
      await feedReplay(targets, fromS3.batches);
      expect(await hotSnapshot(redis.client)).toEqual(applied);
    } finally {
      await archive.close();
      client.destroy();
    }
  }, 180_000);

  it('checks the flags together, naming the rule', () => {
    expect(() => replaySource({ batchSize: 1 })).toThrow(/--from-s3 PREFIX, or --topic/);
    expect(() => replaySource({ topic: topic, batchSize: 1 })).toThrow(/exactly one of --from-offset/);
    expect(() => replaySource({ topic: 'nope', fromOffset: 0, batchSize: 1 })).toThrow(
      /--topic: must be one of/,
    );
    expect(() => replaySource({ fromS3: 'events/', topic, batchSize: 1 })).toThrow(/cannot be combined/);
    expect(replaySource({ topic, fromTime: 5, batchSize: 1 })).toEqual({
      kind: 'topic',
      topic,
      start: { timeMs: 5 },
    });
  });
});
