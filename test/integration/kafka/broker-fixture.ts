import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { TopicDefinition } from '../../../core/topics.ts';
import { type BrokerOptions, type RunningBroker, startBroker } from '../../../local/kafka/index.ts';

export interface BrokerFixture {
  readonly broker: RunningBroker;
  readonly dataDir: string;
  readonly address: string;
  readonly logLines: string[];
  kafka(clientId?: string): Kafka;
  /** Stops the broker; `keepData` leaves the directory for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export function topic(name: string, partitions: number): TopicDefinition {
  return { name, partitions, retentionMs: 7 * 24 * 3_600_000, retentionBytes: -1, key: 'test' };
}

export async function startFixture(options: Partial<BrokerOptions> = {}): Promise<BrokerFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'spate-kafka-'));
  const logLines: string[] = [];
  const broker = await startBroker({
    port: 0,
    topics: [],
    logger: { info: (m) => logLines.push(m), warn: (m) => logLines.push(m) },
    ...options,
    dataDir,
  });
  const address = `127.0.0.1:${broker.port}`;
  return {
    broker,
    dataDir,
    address,
    logLines,
    kafka: (clientId = 'test') =>
      new Kafka({
        clientId,
        brokers: [address],
        logLevel: logLevel.NOTHING,
        retry: { retries: 8, initialRetryTime: 100 },
      }),
    async stop(keepData = false) {
      await broker.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
