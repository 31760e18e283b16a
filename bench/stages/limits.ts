import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { hashWriteKey } from '../../core/auth/write-keys.ts';
import { readIngestConfig } from '../../io/config/ingest-config.ts';
import { createIngestFunction } from '../../lambdas/ingest/handler.ts';
import { ShopTraffic } from '../../load/traffic.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { makeHttpApiEvent } from '../../test/unit/ingest/factories.ts';

/** Items per second of `work`, which handles `items` per call, called until `seconds` pass. */
async function rate(seconds: number, items: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm-up
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < seconds * 1000) {
    await work();
    done += items;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
}

const sampleEvents = (n: number) => {
  const traffic = new ShopTraffic({ seed: 7, users: 5000 });
  return Array.from({ length: n }, () => traffic.next(Date.now()));
};

/** Raw kafkajs -> broker: batches of 1,000 ~400-byte records, acks=all, 4 sends in flight. */
export async function kafkaProduceRate(endpoints: LocalEndpoints, seconds: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
  const topic = 'bench.produce';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] }).finally(() => admin.disconnect());
  const producer = kafka.producer();
  await producer.connect();
  const messages = sampleEvents(1000).map((e) => ({ key: e.user_id ?? null, value: JSON.stringify(e) }));
  try {
    return await rate(seconds, 4000, () =>
      Promise.all(Array.from({ length: 4 }, () => producer.send({ topic, acks: -1, messages }))),
    );
  } finally {
    await producer.disconnect();
  }
}

/** ioredis pipelines of 10,000 HINCRBY, the hot tier's commonest write. */
export async function redisPipelineRate(endpoints: LocalEndpoints, seconds: number): Promise<number> {
  const redis = new Redis(endpoints.redis);
  try {
    return await rate(seconds, 10_000, async () => {
      const p = redis.pipeline();
      for (let i = 0; i < 10_000; i++) p.hincrby(`bench:c:${i % 60}`, `t:${i % 7}`, 1);
      await p.exec();
    });
  } finally {
    await redis.quit();
  }
}

/** @clickhouse/client -> chDB endpoint: 10,000-row JSONEachRow inserts into a MergeTree table. */
export async function clickhouseInsertRate(endpoints: LocalEndpoints, seconds: number): Promise<number> {
  const client = createClient({ url: endpoints.clickhouse, request_timeout: 120_000 });
  try {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS bench_rows (id UUID, project String, type String, ts DateTime64(3), user String, payload String)
              ENGINE = MergeTree ORDER BY (project, type, ts)`,
    });
    const rows = sampleEvents(10_000).map((e) => ({
      id: e.event_id,
      project: 'bench',
      type: e.type,
      ts: Date.now(),
      user: e.user_id ?? e.anonymous_id ?? '',
      payload: JSON.stringify(e.properties ?? {}),
    }));
    return await rate(seconds, rows.length, () =>
      client.insert({ table: 'bench_rows', values: rows, format: 'JSONEachRow' }),
    );
  } finally {
    await client.command({ query: 'DROP TABLE IF EXISTS bench_rows' }).catch(() => undefined);
    await client.close();
  }
}

/** The ingest handler in this process (validation, enrichment, acks=all produce), 100 events a request, 8 at once. */
export async function ingestHandlerRate(endpoints: LocalEndpoints, seconds: number): Promise<number> {
  const writeKey = `wk_bench_${randomUUID().slice(0, 8)}`;
  const fn = createIngestFunction(
    readIngestConfig({
      SPATE_WRITE_KEYS: JSON.stringify({ bench: hashWriteKey(writeKey) }),
      SPATE_KAFKA_BROKERS: endpoints.kafka,
      SPATE_RATE_LIMIT_PER_S: '100000000',
      SPATE_RATE_LIMIT_BURST: '100000000',
    }),
  );
  const traffic = new ShopTraffic({ seed: 11, users: 5000 });
  const request = () =>
    makeHttpApiEvent({ writeKey, body: Array.from({ length: 100 }, () => traffic.next(Date.now())) });
  try {
    return await rate(seconds, 800, () =>
      Promise.all(Array.from({ length: 8 }, () => fn.handler(request(), createLambdaContext('ingest')))),
    );
  } finally {
    await fn.close();
  }
}

export const STAGES = {
  'kafkajs produce -> broker (records/s)': kafkaProduceRate,
  'redis pipeline (commands/s)': redisPipelineRate,
  'chDB endpoint insert (rows/s)': clickhouseInsertRate,
  'ingest handler in-process (events/s)': ingestHandlerRate,
} as const;
