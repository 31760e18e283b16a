import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../../local/kafka/protocol/api-keys.ts';
import { readBatchHeader } from '../../../local/kafka/protocol/record-batch.ts';
import { dataBatch } from './batch-builder.ts';
import { type BrokerFixture, startFixture, topic, waitFor } from './broker-fixture.ts';
import { produceBatch, RawClient } from './raw-client.ts';

/** Fetch v11 of one partition; the batches that came back and the high watermark. */
async function fetchOnce(
  raw: RawClient,
  name: string,
  offset: number,
  partitionMaxBytes: number,
  maxWaitMs = 0,
  minBytes = 1,
) {
  const r = await raw.request(ApiKey.Fetch, 11, (w) =>
    w
      .int32(-1)
      .int32(maxWaitMs)
      .int32(minBytes)
      .int32(10_000_000)
      .int8(0)
      .int32(0)
      .int32(-1)
      .array([name], (w, t) => {
        w.string(t).array([0], (w, p) =>
          w.int32(p).int32(-1).int64(offset).int64(-1).int32(partitionMaxBytes),
        );
      })
      .array([], () => {})
      .string(''),
  );
  r.int32(); // throttle
  r.int16(); // error
  r.int32(); // session
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  const errorCode = r.int16();
  const highWatermark = r.int64();
  r.int64(); // lso
  r.int64(); // log start
  r.nullableArray((r) => [r.int64(), r.int64()]);
  r.int32(); // preferred replica
  const records = r.bytes();
  const offsets: number[] = [];
  for (
    let at = 0, h = readBatchHeader(records, 0);
    h !== null;
    at += h.size, h = readBatchHeader(records, at)
  ) {
    offsets.push(h.baseOffset);
  }
  return { errorCode, highWatermark, offsets };
}

describe('admin APIs and protocol limits', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startFixture({
      topics: [topic('limits', 1), topic('gathered', 1)],
      autoCreate: true,
      defaultPartitions: 2,
    });
  });
  afterAll(() => fx.stop());

  it('creates, describes and deletes topics, and refuses bad settings by name', async () => {
    const admin = fx.kafka().admin();
    await admin.connect();
    expect(
      await admin.createTopics({
        topics: [
          { topic: 'made', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        ],
      }),
    ).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'made', numPartitions: 3 }] })).toBe(false);
    await expect(
      admin.createTopics({
        topics: [{ topic: 'bad', configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
      }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
    await expect(
      admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }),
    ).rejects.toThrow();

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'made', configNames: ['retention.ms'] }],
    });
    expect(described.resources[0]?.configEntries).toEqual([
      expect.objectContaining({ configName: 'retention.ms', configValue: '3600000' }),
    ]);
    const meta = await admin.fetchTopicMetadata({ topics: ['made'] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    await admin.deleteTopics({ topics: ['made'] });
    expect(await admin.listTopics()).not.toContain('made');
    await admin.disconnect();
  });

  it('auto-creates a topic on first produce when enabled, with the default partition count', async () => {
    const producer = fx.kafka().producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: 'appeared', messages: [{ value: 'hello' }] });
    await producer.disconnect();
    const admin = fx.kafka().admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['appeared'] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(2);
  });

  it('stamps log-append time when the topic asks for it', async () => {
    const admin = fx.kafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'stamped',
          numPartitions: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    await admin.disconnect();
    const producer = fx.kafka().producer();
    await producer.connect();
    const before = Date.now();
    await producer.send({ topic: 'stamped', messages: [{ value: 'old', timestamp: '1000' }] });
    await producer.disconnect();
    const consumer = fx.kafka().consumer({ groupId: 'stamp-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'stamped', fromBeginning: true });
    let timestamp = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        timestamp = Number(message.timestamp);
      },
    });
    await waitFor('the stamped message', () => timestamp > 0);
    await consumer.disconnect();
    expect(timestamp).toBeGreaterThanOrEqual(before);
  });

  it('honours fetch byte limits with whole batches, and always returns at least one', async () => {
    const raw = await RawClient.open(fx.broker.port);
    for (let i = 0; i < 5; i++) {
      const batch = dataBatch({
        values: Array.from({ length: 10 }, (_, j) => `v${i}-${j}-${'p'.repeat(50)}`),
      });
      expect((await produceBatch(raw, 'limits', 0, batch)).error).toBe(0);
    }
    const tiny = await fetchOnce(raw, 'limits', 0, 10);
    expect(tiny.offsets).toEqual([0]);
    const some = await fetchOnce(raw, 'limits', 15, 1500);
    expect(some.offsets).toEqual([10, 20]);
    const all = await fetchOnce(raw, 'limits', 0, 1_000_000);
    expect(all).toEqual({ errorCode: 0, highWatermark: 50, offsets: [0, 10, 20, 30, 40] });
    expect((await fetchOnce(raw, 'limits', 51, 1000)).errorCode).toBe(1);
    raw.close();
  });

  it('answers a long poll as soon as data arrives', async () => {
    const raw = await RawClient.open(fx.broker.port);
    const waiting = fetchOnce(raw, 'limits', 50, 1_000_000, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    const writer = await RawClient.open(fx.broker.port);
    await produceBatch(writer, 'limits', 0, dataBatch({ values: ['wake'] }));
    const started = Date.now();
    const got = await waiting;
    expect(got.offsets).toEqual([50]);
    expect(Date.now() - started).toBeLessThan(15_000);
    raw.close();
    writer.close();
  });

  it('holds a long poll until min_bytes have arrived, or answers with what there is at max_wait', async () => {
    const raw = await RawClient.open(fx.broker.port);
    const writer = await RawClient.open(fx.broker.port);
    const fill = (n: number) =>
      dataBatch({ values: Array.from({ length: n }, (_, i) => `m${i}-${'q'.repeat(100)}`) });
    await produceBatch(writer, 'gathered', 0, fill(1));
    // Past one small batch: held, and still held after a second small append.
    const waiting = fetchOnce(raw, 'gathered', 0, 1_000_000, 20_000, 4000);
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    await produceBatch(writer, 'gathered', 0, fill(1));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    // Enough bytes: answered at once with everything.
    await produceBatch(writer, 'gathered', 0, fill(40));
    const started = Date.now();
    expect((await waiting).offsets).toEqual([0, 1, 2]);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Never enough: answered at max_wait with what there is.
    const timed = Date.now();
    expect((await fetchOnce(raw, 'gathered', 0, 1_000_000, 300, 10_000_000)).offsets).toEqual([0, 1, 2]);
    expect(Date.now() - timed).toBeGreaterThanOrEqual(290);
    raw.close();
    writer.close();
  });

  it('appends with acks=0 and sends no response', async () => {
    const raw = await RawClient.open(fx.broker.port);
    let responses = 0;
    raw.socket.on('data', () => responses++);
    const batch = dataBatch({ values: ['fire', 'forget'] });
    void raw.request(ApiKey.Produce, 7, (w) =>
      w
        .nullableString(null)
        .int16(0)
        .int32(1000)
        .array(['limits'], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).bytes(batch))),
    );
    const admin = fx.kafka().admin();
    await admin.connect();
    await waitFor(
      'the fire-and-forget batch',
      async () => (await admin.fetchTopicOffsets('limits'))[0]?.high === '53',
    );
    await admin.disconnect();
    expect(responses).toBe(0);
    raw.close();
  });
});
