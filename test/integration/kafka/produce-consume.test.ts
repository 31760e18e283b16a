import { type EachMessagePayload, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startFixture, topic, waitFor } from './broker-fixture.ts';

describe('kafkajs produce and consume', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startFixture({ topics: [topic('orders', 3), topic('other', 1)] });
  });
  afterAll(() => fx.stop());

  it('advertises the address the client connected to', async () => {
    const admin = fx.kafka().admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: fx.broker.port }]);
  });

  it('puts each key on the partition kafkajs computes and reads everything back in key order', async () => {
    const producer = fx.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `user-${i % 30}`, value: `event-${i}` }));
    const acks = await producer.send({ topic: 'orders', acks: -1, messages });
    await producer.disconnect();
    expect(acks.length).toBeGreaterThan(1);

    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((p) => ({
      partitionId: p,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
    const expected = (key: string) =>
      partitioner({ topic: 'orders', partitionMetadata, message: { key, value: '' } });

    const consumer = fx.kafka().consumer({ groupId: 'readers', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: { key: string; value: string; partition: number; offset: number }[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        seen.push({
          key: String(message.key),
          value: String(message.value),
          partition,
          offset: Number(message.offset),
        });
      },
    });
    await waitFor('300 messages', () => seen.length >= 300);
    await consumer.disconnect();

    expect(seen).toHaveLength(300);
    expect(new Set(seen.map((s) => s.partition)).size).toBe(3);
    for (const s of seen) expect(s.partition).toBe(expected(s.key));
    const byKey = new Map<string, number[]>();
    for (const s of seen) byKey.set(s.key, [...(byKey.get(s.key) ?? []), Number(s.value.slice(6))]);
    for (const values of byKey.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('seeks back to offset 0 and replays a partition', async () => {
    const producer = fx.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: 'other',
      messages: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}` })),
    });
    await producer.disconnect();

    const consumer = fx.kafka().consumer({ groupId: 'replayers', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'other', fromBeginning: true });
    const values: string[] = [];
    let replayed = false;
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (values.length === 20 && !replayed) {
          replayed = true;
          consumer.seek({ topic: 'other', partition: 0, offset: '0' });
        }
      },
    });
    await waitFor('replayed messages', () => values.length >= 40);
    await consumer.disconnect();
    expect(values.slice(20, 40)).toEqual(values.slice(0, 20));
    expect(values[0]).toBe('m0');
  });

  it('answers offsets: earliest, latest and by timestamp', async () => {
    const producer = fx.kafka().producer();
    await producer.connect();
    const t0 = Date.now() + 60_000; // later than every earlier record
    await producer.send({
      topic: 'other',
      messages: [
        { value: 'a', timestamp: String(t0) },
        { value: 'b', timestamp: String(t0 + 1000) },
      ],
    });
    await producer.disconnect();
    const admin = fx.kafka().admin();
    await admin.connect();
    const [latest] = await admin.fetchTopicOffsets('other');
    const [byTime] = await admin.fetchTopicOffsetsByTimestamp('other', t0 + 500);
    await admin.disconnect();
    expect(latest).toMatchObject({ partition: 0, low: '0', high: '22' });
    expect(byTime).toEqual({ partition: 0, offset: '21' });
  });

  it('returns UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist', async () => {
    const admin = fx.kafka().admin();
    await admin.connect();
    await expect(admin.fetchTopicMetadata({ topics: ['nope'] })).rejects.toThrow(
      /does not host this topic-partition/,
    );
    await admin.disconnect();
  });
});
