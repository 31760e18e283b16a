import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { bucketKey } from '../../../io/redis/shared-token-bucket.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { freePorts } from '../../support/free-ports.ts';
import { makeEvent } from '../../unit/ingest/factories.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';
import { post } from './ingest-stack.ts';

const GATEWAY = fileURLToPath(new URL('../../../local/stack/gateway-main.ts', import.meta.url));
const WRITE_KEY = 'wk_fleet';
const BURST = 30;
const RATE_PER_S = 1;
const PROCESSES = 3;

let broker: RunningBroker;
let dataDir: string;
let redis: TestRedis;
const children: ChildProcess[] = [];
let ports: number[];

/** The HTTP API of the local stack, hosting the ingest function, as its own process. */
async function startIngestProcess(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', GATEWAY, '--apis', 'http', '--port', String(port)],
    {
      env: {
        ...process.env,
        SPATE_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
        SPATE_KAFKA_COMPRESSION: 'none',
        SPATE_WRITE_KEYS: JSON.stringify({ shop: hashWriteKey(WRITE_KEY) }),
        SPATE_REDIS_URL: redis.url,
        // Generous: on a loaded test machine a store call past the default 100 ms falls back to
        // the process's own bucket, by design; this test is about sharing, not that fallback.
        SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: '5000',
        SPATE_RATE_LIMIT_PER_S: String(RATE_PER_S),
        SPATE_RATE_LIMIT_BURST: String(BURST),
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('"ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`ingest process exited with ${code}: ${err}`)));
  });
  return child;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'spate-fleet-'));
  broker = await startBroker({ port: 0, dataDir, logger: { info: () => undefined, warn: () => undefined } });
  redis = await startTestRedis();
  ports = await freePorts(PROCESSES);
  await Promise.all(ports.map(startIngestProcess));
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await redis?.stop();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('per-key limits across ingest processes', () => {
  it('admits one burst in total across three processes, each with its own memory', async () => {
    const started = Date.now();
    const answers = await Promise.all(
      ports.flatMap((port) =>
        Array.from({ length: 20 }, () =>
          post(`http://127.0.0.1:${port}/v1/events`, makeEvent(), {
            authorization: `Bearer ${WRITE_KEY}`,
          }),
        ),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const admitted = answers.filter((a) => a.status === 200).length;
    // Each process alone would admit all 20 of its own: 60 in all.
    expect(admitted).toBeGreaterThanOrEqual(BURST);
    expect(admitted).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS * RATE_PER_S));
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(refused.status).toBe(429);
      expect(refused.json).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // One bucket for the write key, in the store, whichever process took from it.
    expect(await redis.client.keys('spate:rate:*')).toEqual([
      bucketKey(hashWriteKey(WRITE_KEY).slice(0, 12)),
    ]);
  }, 120_000);
});
