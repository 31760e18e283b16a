import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { readIngestConfig } from '../../../io/config/ingest-config.ts';
import {
  bucketKey,
  connectRateLimitStore,
  SharedTokenBucket,
} from '../../../io/redis/shared-token-bucket.ts';
import { createIngestFunction, type IngestFunction } from '../../../lambdas/ingest/handler.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { makeEvent, makeHttpApiEvent } from '../../unit/ingest/factories.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';

const WRITE_KEY = 'wk_shared_limit';
const BURST = 20;
const RATE_PER_S = 1;

let broker: RunningBroker;
let dataDir: string;
let redis: TestRedis;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'spate-rate-'));
  broker = await startBroker({ port: 0, dataDir, logger: { info: () => undefined, warn: () => undefined } });
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis?.stop();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One ingest function as one Lambda container would hold it: its own producer and buckets. */
function container(env: Record<string, string> = {}): IngestFunction {
  return createIngestFunction(
    readIngestConfig({
      SPATE_WRITE_KEYS: JSON.stringify({ shop: hashWriteKey(WRITE_KEY) }),
      SPATE_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
      SPATE_RATE_LIMIT_PER_S: String(RATE_PER_S),
      SPATE_RATE_LIMIT_BURST: String(BURST),
      ...env,
    }),
  );
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

/** `requests` single-event posts to each container, all at once. */
async function postToAll(containers: readonly IngestFunction[], requests: number): Promise<Answer[]> {
  const calls = containers.flatMap((fn) =>
    Array.from({ length: requests }, async () => {
      const response = await fn.handler(
        makeHttpApiEvent({ body: makeEvent(), writeKey: WRITE_KEY }),
        createLambdaContext('ingest'),
      );
      return { status: response.statusCode ?? 0, retryAfter: response.headers?.['retry-after'] as string };
    }),
  );
  return Promise.all(calls);
}

describe('per-key limits across containers', () => {
  it('admits one limit in total across three containers sharing the hot store', async () => {
    await redis.client.flushall();
    // A generous store timeout: on a loaded test machine a call past the default 100 ms falls
    // back to the container's own bucket, by design; this test is about sharing.
    const containers = [1, 2, 3].map(() =>
      container({ SPATE_REDIS_URL: redis.url, SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: '5000' }),
    );
    try {
      const started = Date.now();
      const answers = await postToAll(containers, 15);
      const elapsedS = (Date.now() - started) / 1000;
      const admitted = answers.filter((a) => a.status === 200).length;
      // The burst, plus what refilled while the requests were in flight; never 3 x 15.
      expect(admitted).toBeGreaterThanOrEqual(BURST);
      expect(admitted).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS * RATE_PER_S));
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused.length).toBe(45 - admitted);
      for (const answer of refused) {
        expect(answer.status).toBe(429);
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await Promise.all(containers.map((fn) => fn.close()));
    }
  });

  it('without the store each container counts alone: three admit three bursts', async () => {
    const containers = [1, 2, 3].map(() => container());
    try {
      const answers = await postToAll(containers, 15);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(45);
    } finally {
      await Promise.all(containers.map((fn) => fn.close()));
    }
  });

  it('keeps accepting when the store is down, each container holding the limit alone', async () => {
    const doomed = await startTestRedis();
    const containers = [1, 2].map(() =>
      container({ SPATE_REDIS_URL: doomed.url, SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: '200' }),
    );
    await doomed.stop();
    try {
      const started = Date.now();
      const answers = await postToAll(containers, BURST + 5);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(2 * BURST);
      expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(
        2 * (BURST + Math.ceil(((Date.now() - started) / 1000) * RATE_PER_S)),
      );
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    } finally {
      await Promise.all(containers.map((fn) => fn.close()));
    }
  });
});

describe('SharedTokenBucket', () => {
  it('refills by the store clock, tells the wait, and lets idle buckets expire', async () => {
    await redis.client.flushall();
    const bucket = new SharedTokenBucket({
      policy: { ratePerS: 10, burst: 10 },
      connect: async () => connectRateLimitStore(redis.url, 1000),
      connectTimeoutMs: 1000,
    });
    try {
      expect(await bucket.take('k1', 10)).toEqual({ allowed: true, retryAfterS: 0 });
      expect(await bucket.take('k1', 5)).toEqual({ allowed: false, retryAfterS: 1 });
      // Another key has its own bucket, under its own hash-tagged name.
      expect((await bucket.take('k2', 10)).allowed).toBe(true);
      const ttlMs = await redis.client.pttl(bucketKey('k1'));
      expect(bucketKey('k1')).toBe('spate:rate:{k1}');
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(2000);
      await new Promise((r) => setTimeout(r, 350));
      expect((await bucket.take('k1', 3)).allowed).toBe(true);
    } finally {
      await bucket.close();
    }
  });

  it('gives up on a store not made in time (a slow secret read on a cold start)', async () => {
    const bucket = new SharedTokenBucket({
      policy: { ratePerS: 1, burst: 1 },
      connect: () => new Promise(() => undefined),
      connectTimeoutMs: 50,
    });
    await expect(bucket.take('k', 1)).rejects.toThrow('the rate-limit store was not ready within 50 ms');
  });

  it('lets a batch larger than the burst through on a full bucket, then owes for it', async () => {
    await redis.client.flushall();
    const bucket = new SharedTokenBucket({
      policy: { ratePerS: 5, burst: 10 },
      connect: async () => connectRateLimitStore(redis.url, 1000),
      connectTimeoutMs: 1000,
    });
    try {
      expect((await bucket.take('big', 30)).allowed).toBe(true);
      // 20 tokens in debt at 5/s: one event needs 21 tokens, 4.2 s, answered as 5 (4 on a
      // machine slow enough that 0.2 s passed between the two calls).
      const refused = await bucket.take('big', 1);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterS).toBeGreaterThanOrEqual(4);
      expect(refused.retryAfterS).toBeLessThanOrEqual(5);
    } finally {
      await bucket.close();
    }
  });
});
