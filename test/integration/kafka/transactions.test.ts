import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataBatch } from './batch-builder.ts';
import { type BrokerFixture, startFixture, topic, waitFor } from './broker-fixture.ts';
import { initProducer, produceBatch, RawClient } from './raw-client.ts';

async function readAll(
  kafka: Kafka,
  topicName: string,
  readUncommitted: boolean,
  expected: number,
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${Math.random()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
  await waitFor(`${expected} messages of ${topicName}`, () => values.length >= expected);
  await new Promise((r) => setTimeout(r, 300)); // anything past the expected count would show up now
  await consumer.disconnect();
  return values;
}

describe('idempotent and transactional producers', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startFixture({
      topics: [topic('tx.out', 2), topic('tx.in', 1), topic('idem', 1), topic('lso', 1)],
    });
  });
  afterAll(() => fx.stop());

  it('acknowledges a retried batch without appending it twice', async () => {
    const raw = await RawClient.open(fx.broker.port);
    const { producerId, epoch } = await initProducer(raw);
    const produce = (baseSequence: number, values: string[]) =>
      produceBatch(raw, 'idem', 0, dataBatch({ values, producerId, producerEpoch: epoch, baseSequence }));
    expect(await produce(0, ['a', 'b', 'c'])).toEqual({ error: 0, baseOffset: 0 });
    expect(await produce(0, ['a', 'b', 'c'])).toEqual({ error: 0, baseOffset: 0 });
    expect(await produce(3, ['d'])).toEqual({ error: 0, baseOffset: 3 });
    expect(await produce(9, ['gap'])).toMatchObject({ error: 45 });
    raw.close();

    const producer = fx.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'idem', messages: [{ value: `k${i}` }] });
    await producer.disconnect();
    const values = await readAll(fx.kafka(), 'idem', false, 9);
    expect(values).toEqual(['a', 'b', 'c', 'd', 'k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it('shows read_committed consumers only committed transactions', async () => {
    const producer = fx
      .kafka()
      .producer({ transactionalId: 'tx-writer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const write = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic: 'tx.out', messages: values.map((v) => ({ key: v, value: v })) });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await write(['c1', 'c2', 'c3'], true);
    await write(['x1', 'x2', 'x3', 'x4'], false);
    await write(['c4', 'c5'], true);
    await producer.disconnect();

    const committed = await readAll(fx.kafka(), 'tx.out', false, 5);
    expect([...committed].sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const everything = await readAll(fx.kafka(), 'tx.out', true, 9);
    expect([...everything].sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'x1', 'x2', 'x3', 'x4']);
  });

  it('holds read_committed consumers at the last stable offset while a transaction is open', async () => {
    const txProducer = fx
      .kafka()
      .producer({ transactionalId: 'tx-slow', idempotent: true, maxInFlightRequests: 1 });
    const plain = fx.kafka().producer();
    await txProducer.connect();
    await plain.connect();
    const txn = await txProducer.transaction();
    await txn.send({ topic: 'lso', messages: [{ value: 'in-txn' }] });
    await plain.send({ topic: 'lso', messages: [{ value: 'after' }] });

    const consumer = fx.kafka().consumer({ groupId: 'lso-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'lso', fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await new Promise((r) => setTimeout(r, 1000));
    expect(values).toEqual([]);
    await txn.commit();
    await waitFor('both messages after the commit', () => values.length >= 2);
    expect(values).toEqual(['in-txn', 'after']);
    await consumer.disconnect();
    await txProducer.disconnect();
    await plain.disconnect();
  });

  it('commits consumer offsets with the transaction (sendOffsets), and not when it aborts', async () => {
    const admin = fx.kafka().admin();
    await admin.connect();
    const producer = fx
      .kafka()
      .producer({ transactionalId: 'tx-eos', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'tx.in', messages: [{ value: 'one' }, { value: 'two' }] });

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'tx.out', messages: [{ value: 'from-aborted' }] });
    await aborted.sendOffsets({
      consumerGroupId: 'eos',
      topics: [{ topic: 'tx.in', partitions: [{ partition: 0, offset: '1' }] }],
    });
    await aborted.abort();
    const afterAbort = await admin.fetchOffsets({ groupId: 'eos', topics: ['tx.in'] });
    expect(afterAbort[0]?.partitions[0]?.offset).toBe('-1');

    const txn = await producer.transaction();
    await txn.send({ topic: 'tx.out', messages: [{ value: 'from-committed' }] });
    await txn.sendOffsets({
      consumerGroupId: 'eos',
      topics: [{ topic: 'tx.in', partitions: [{ partition: 0, offset: '2' }] }],
    });
    await txn.commit();
    const afterCommit = await admin.fetchOffsets({ groupId: 'eos', topics: ['tx.in'] });
    expect(afterCommit[0]?.partitions[0]?.offset).toBe('2');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('fences the old producer when a new one initialises the same transactional id', async () => {
    const first = fx
      .kafka()
      .producer({ transactionalId: 'tx-fence', idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    const open = await first.transaction();
    await open.send({ topic: 'tx.out', messages: [{ value: 'zombie' }] });
    const second = fx
      .kafka()
      .producer({ transactionalId: 'tx-fence', idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    const successor = await second.transaction(); // InitProducerId: bumps the epoch, aborts the open one
    await expect(open.commit()).rejects.toThrow();
    await successor.abort();
    await second.disconnect();
    await first.disconnect().catch(() => {});
    const values = await readAll(fx.kafka(), 'tx.out', false, 6);
    expect(values).not.toContain('zombie');
  });

  it('aborts a transaction past its timeout and refuses the late writes of its producer', async () => {
    const producer = fx.kafka().producer({
      transactionalId: 'tx-late',
      transactionTimeout: 1000,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 1, initialRetryTime: 50 },
    });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'lso', messages: [{ value: 'timed-out' }] });
    await new Promise((r) => setTimeout(r, 2000));
    await expect(txn.send({ topic: 'lso', messages: [{ value: 'too-late' }] })).rejects.toThrow();
    await producer.disconnect().catch(() => {});

    const plain = fx.kafka().producer();
    await plain.connect();
    await plain.send({ topic: 'lso', messages: [{ value: 'visible' }] });
    await plain.disconnect();
    // Nothing is left open: a read_committed reader gets past the aborted transaction.
    const values = await readAll(fx.kafka(), 'lso', false, 3);
    expect(values).toEqual(['in-txn', 'after', 'visible']);
  });
});
