import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ALL_TOPICS } from '../../../core/topics.ts';
import { startBroker } from '../../../local/kafka/index.ts';

/** A broker of the project on a free port, with Spate's topics, and kafkajs clients for it. */
export async function startTestBroker() {
  const dataDir = await mkdtemp(join(tmpdir(), 'spate-esm-'));
  const quiet = { info: () => undefined, warn: () => undefined };
  const broker = await startBroker({ port: 0, dataDir, topics: ALL_TOPICS, logger: quiet });
  const address = `127.0.0.1:${broker.port}`;
  const kafka = new Kafka({ clientId: 'esm-test', brokers: [address], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  return {
    address,
    kafka,
    producer,
    admin,
    /** The offset the group has committed for each partition of `topic`, '-1' where none. */
    async committed(groupId: string, topic: string): Promise<Record<number, string>> {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries((entry?.partitions ?? []).map((p) => [p.partition, p.offset]));
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestBroker = Awaited<ReturnType<typeof startTestBroker>>;

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Open TCP sockets of this process, to tell whether something was left connected. */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

export const decode = (base64: string | undefined) =>
  base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8');
