import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { type IngestConfig, readIngestConfig } from '../../../io/config/ingest-config.ts';
import { createIngestFunction, type IngestFunction } from '../../../lambdas/ingest/handler.ts';
import { INGEST_ROUTE_KEYS } from '../../../lambdas/ingest/routes.ts';
import { type RunningGateway, startGateway } from '../../../local/gateway/index.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';

export const WRITE_KEY = 'wk_test_shop';

export interface IngestStack {
  readonly broker: RunningBroker;
  readonly gateway: RunningGateway;
  readonly fn: IngestFunction;
  readonly brokers: string[];
  readonly dataDir: string;
  readonly config: IngestConfig;
  close(): Promise<void>;
}

const quiet = { info: () => undefined, warn: () => undefined };

/** A real broker, the real ingest function and the local gateway in front of it, on free ports. */
export async function startIngestStack(env: Record<string, string> = {}): Promise<IngestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-ingest-'));
  const broker = await startBroker({ port: 0, dataDir, logger: quiet });
  const brokers = [`127.0.0.1:${broker.port}`];
  const config = readIngestConfig({
    SPATE_WRITE_KEYS: JSON.stringify({ shop: hashWriteKey(WRITE_KEY) }),
    SPATE_KAFKA_BROKERS: brokers.join(','),
    SPATE_PRODUCE_TIMEOUT_MS: '15000',
    ...env,
  });
  const fn = createIngestFunction(config);
  const gateway = await startGateway({
    httpPort: 0,
    wsPort: 0,
    httpRoutes: INGEST_ROUTE_KEYS.map((routeKey) => ({
      routeKey,
      functionName: 'ingest',
      handler: fn.handler,
    })),
    log: () => undefined,
  });
  return {
    broker,
    gateway,
    fn,
    brokers,
    dataDir,
    config,
    close: async () => {
      await gateway.close();
      await fn.close();
      await broker.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${WRITE_KEY}` },
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
}
