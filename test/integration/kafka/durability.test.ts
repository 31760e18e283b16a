import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { dataBatch } from './batch-builder.ts';
import { startFixture, topic, waitFor } from './broker-fixture.ts';
import { type BrokerProcess, spawnBroker } from './broker-process.ts';
import { initProducer, produceBatch, RawClient } from './raw-client.ts';

function client(port: number): Kafka {
  return new Kafka({
    clientId: 'durability',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
  });
}

async function consumeAll(
  kafka: Kafka,
  topicName: string,
  expected: number,
  groupId = `g-${Math.random()}`,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
  await waitFor(`${expected} messages`, () => values.length >= expected);
  await new Promise((r) => setTimeout(r, 300));
  await consumer.disconnect();
  return values;
}

describe('durability', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps messages, group offsets and producer state across a clean restart, and aborts orphaned transactions', async () => {
    const first = await startFixture({ topics: [topic('keep', 2)] });
    cleanups.push(() => rmSync(first.dataDir, { recursive: true, force: true }));
    const producer = first.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: 'keep',
      acks: -1,
      messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    expect(await consumeAll(first.kafka(), 'keep', 50, 'keepers')).toHaveLength(50);
    const tx = first
      .kafka()
      .producer({ transactionalId: 'orphan', idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const open = await tx.transaction();
    await open.send({ topic: 'keep', messages: [{ key: 'k0', value: 'never-committed' }] });
    // One data directory, one broker: a second one is refused while the first runs.
    await expect(startFixture({ dataDir: first.dataDir })).rejects.toThrow(/is in use by another broker/);
    const raw = await RawClient.open(first.broker.port);
    const idem = await initProducer(raw);
    const retried = dataBatch({
      values: ['once'],
      producerId: idem.producerId,
      producerEpoch: idem.epoch,
      baseSequence: 0,
    });
    const original = await produceBatch(raw, 'keep', 1, Buffer.from(retried));
    raw.close();
    await first.stop(true);
    await tx.disconnect().catch(() => {});

    const second = await startFixture({ dataDir: first.dataDir, topics: [topic('keep', 2)] });
    cleanups.push(() => second.broker.close());
    expect(second.logLines.some((l) => l.includes('aborting transaction'))).toBe(true);
    // The producer state came back with the log: a retry of a batch from before is still a duplicate.
    const raw2 = await RawClient.open(second.broker.port);
    expect(await produceBatch(raw2, 'keep', 1, retried)).toEqual(original);
    raw2.close();
    const producer2 = second.kafka().producer();
    await producer2.connect();
    await producer2.send({ topic: 'keep', acks: -1, messages: [{ key: 'k1', value: 'after-restart' }] });
    await producer2.disconnect();
    const fresh = await consumeAll(second.kafka(), 'keep', 52);
    expect(fresh).toHaveLength(52);
    expect(fresh.filter((v) => v === 'once')).toHaveLength(1);
    expect(fresh).not.toContain('never-committed');
    // The old group resumes where it committed: only what was produced after its commit.
    expect((await consumeAll(second.kafka(), 'keep', 2, 'keepers')).sort()).toEqual([
      'after-restart',
      'once',
    ]);
  });

  it('recovers after kill -9: a torn tail is cut and every acknowledged message survives', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spate-kafka-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let proc: BrokerProcess = await spawnBroker(dataDir);
    cleanups.push(async () => {
      proc.child.kill('SIGKILL');
      await proc.exited;
    });
    const producer = client(proc.port).producer();
    await producer.connect();
    for (let i = 0; i < 20; i++) {
      await producer.send({
        topic: 'events.dlq',
        acks: -1,
        messages: Array.from({ length: 50 }, (_, j) => ({ value: `m${i * 50 + j}` })),
      });
    }
    await producer.disconnect();
    proc.child.kill('SIGKILL');
    await proc.exited;

    // What a kill in the middle of a write leaves: half a batch at the end of the log.
    const partitionDir = join(dataDir, 'topics', 'events.dlq', '0');
    const log = readdirSync(partitionDir).find((f) => f.endsWith('.log'))!;
    const before = statSync(join(partitionDir, log)).size;
    const torn = Buffer.alloc(40, 0xab);
    torn.writeBigInt64BE(1000n, 0);
    torn.writeInt32BE(500, 8);
    appendFileSync(join(partitionDir, log), torn);

    proc = await spawnBroker(dataDir);
    expect(proc.stderr()).toMatch(/cut 40 torn bytes/);
    expect(statSync(join(partitionDir, log)).size).toBe(before);
    const values = await consumeAll(client(proc.port), 'events.dlq', 1000);
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    const producer2 = client(proc.port).producer();
    await producer2.connect();
    const [ack] = await producer2.send({ topic: 'events.dlq', acks: -1, messages: [{ value: 'next' }] });
    await producer2.disconnect();
    expect(ack?.baseOffset).toBe('1000');
  });

  it('drops whole old segments by size and by time', async () => {
    const fx = await startFixture({ topics: [], retentionCheckMs: 100 });
    cleanups.push(() => fx.stop());
    const admin = fx.kafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'by-size',
          numPartitions: 1,
          configEntries: [
            { name: 'segment.bytes', value: '2048' },
            { name: 'retention.bytes', value: '4096' },
          ],
        },
        {
          topic: 'by-time',
          numPartitions: 1,
          configEntries: [
            { name: 'segment.bytes', value: '2048' },
            { name: 'retention.ms', value: '60000' },
          ],
        },
      ],
    });
    const producer = fx.kafka().producer();
    await producer.connect();
    const value = 'x'.repeat(500);
    const old = String(Date.now() - 3_600_000);
    for (let i = 0; i < 40; i++) {
      await producer.send({ topic: 'by-size', messages: [{ value }] });
      await producer.send({ topic: 'by-time', messages: [{ value, timestamp: old }] });
    }
    await producer.send({ topic: 'by-time', messages: [{ value: 'recent' }] });
    await producer.disconnect();
    const partitionDir = join(fx.dataDir, 'topics', 'by-size', '0');
    const keptBytes = () =>
      readdirSync(partitionDir)
        .filter((f) => f.endsWith('.log'))
        .reduce((n, f) => n + statSync(join(partitionDir, f)).size, 0);
    // Whole segments go: what stays is under the limit plus the one segment that crosses it.
    await waitFor('size retention', () => keptBytes() < 4096 + 2048 + 600);
    await waitFor(
      'time retention',
      async () => Number((await admin.fetchTopicOffsets('by-time'))[0]?.low) > 0,
    );
    const [bySize] = await admin.fetchTopicOffsets('by-size');
    expect(Number(bySize?.high)).toBe(40);
    expect(Number(bySize?.low)).toBeGreaterThan(20);
    const [byTime] = await admin.fetchTopicOffsets('by-time');
    expect(Number(byTime?.high)).toBe(41);
    await admin.disconnect();
  });
});
