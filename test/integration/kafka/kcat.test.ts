import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_COMPRESSION_MASK, readBatchHeader } from '../../../local/kafka/protocol/record-batch.ts';
import { type BrokerFixture, startFixture, topic, waitFor } from './broker-fixture.ts';
import { registerCodecs } from './codecs.ts';
import { kcat } from './kcat.ts';

describe('librdkafka (kcat) against the broker', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    registerCodecs();
    fx = await startFixture({
      topics: [
        topic('kc.bulk', 4),
        topic('kc.group', 3),
        topic('kc.gzip', 1),
        topic('kc.codecs', 1),
        topic('kc.txn', 1),
      ],
    });
  });
  afterAll(() => fx.stop());

  it('lists metadata with the broker address it was given', async () => {
    const { stdout, code } = await kcat(['-b', fx.address, '-L']);
    expect(code).toBe(0);
    expect(stdout).toContain(`broker 0 at ${fx.address}`);
    expect(stdout).toContain('topic "kc.bulk" with 4 partitions');
  });

  it('produces 10k keyed messages and consumes them back', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `key${i % 97}:value-${i}`);
    const produced = await kcat(
      ['-b', fx.address, '-P', '-t', 'kc.bulk', '-K:', '-X', 'acks=all'],
      `${lines.join('\n')}\n`,
    );
    expect(produced.code).toBe(0);
    const consumed = await kcat(['-b', fx.address, '-C', '-t', 'kc.bulk', '-e', '-q', '-f', '%k:%s\n']);
    expect(consumed.code).toBe(0);
    const got = consumed.stdout.trim().split('\n');
    expect(got).toHaveLength(10_000);
    expect(new Set(got)).toEqual(new Set(lines));
  });

  it('consumes as a group with -G and commits its offsets', async () => {
    const producer = fx.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: 'kc.group',
      messages: Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `g${i}` })),
    });
    await producer.disconnect();
    const { stdout, code } = await kcat([
      '-b',
      fx.address,
      '-G',
      'kcat-group',
      '-X',
      'auto.offset.reset=earliest',
      '-e',
      '-q',
      '-f',
      '%s\n',
      'kc.group',
    ]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').sort()).toEqual(Array.from({ length: 300 }, (_, i) => `g${i}`).sort());
    const admin = fx.kafka().admin();
    await admin.connect();
    await waitFor('committed offsets', async () => {
      const [t] = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['kc.group'] });
      return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === 300;
    });
    await admin.disconnect();
  });

  it('reads gzip batches written by kafkajs', async () => {
    const producer = fx.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: 'kc.gzip',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 100 }, (_, i) => ({ value: `zipped-${i}` })),
    });
    await producer.disconnect();
    const { stdout } = await kcat(['-b', fx.address, '-C', '-t', 'kc.gzip', '-e', '-q']);
    expect(stdout.trim().split('\n')).toEqual(Array.from({ length: 100 }, (_, i) => `zipped-${i}`));
  });

  it('hands lz4, snappy and zstd batches written by kcat to kafkajs untouched', async () => {
    const expected: string[] = [];
    for (const codec of ['lz4', 'snappy', 'zstd']) {
      const lines = Array.from({ length: 200 }, (_, i) => `${codec}-${i}-${'payload'.repeat(5)}`);
      expected.push(...lines);
      const r = await kcat(['-b', fx.address, '-P', '-t', 'kc.codecs', '-z', codec], `${lines.join('\n')}\n`);
      expect(r.code).toBe(0);
    }
    const consumer = fx.kafka().consumer({ groupId: 'codec-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kc.codecs', fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) values.push(String(m.value));
      },
    });
    await waitFor('600 decompressed messages', () => values.length >= 600);
    await consumer.disconnect();
    expect(values).toEqual(expected);
    // The log holds the producer's batches as sent: each keeps its codec (lz4 3, snappy 2, zstd 4).
    const dir = join(fx.dataDir, 'topics', 'kc.codecs', '0');
    const log = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.log'))!));
    const stored = new Set<number>();
    for (let at = 0, h = readBatchHeader(log, 0); h !== null; at += h.size, h = readBatchHeader(log, at)) {
      stored.add(h.attributes & ATTR_COMPRESSION_MASK);
    }
    expect([...stored].sort()).toEqual([2, 3, 4]);
  });

  it('shows librdkafka (read_committed by default) only committed transactions', async () => {
    const producer = fx
      .kafka()
      .producer({ transactionalId: 'kc-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const [values, commit] of [
      [['a1', 'a2'], true],
      [['x1', 'x2', 'x3'], false],
      [['b1'], true],
    ] as const) {
      const txn = await producer.transaction();
      await txn.send({ topic: 'kc.txn', messages: values.map((value) => ({ value })) });
      if (commit) await txn.commit();
      else await txn.abort();
    }
    await producer.disconnect();
    const committed = await kcat(['-b', fx.address, '-C', '-t', 'kc.txn', '-e', '-q']);
    expect(committed.stdout.trim().split('\n')).toEqual(['a1', 'a2', 'b1']);
    const everything = await kcat([
      '-b',
      fx.address,
      '-C',
      '-t',
      'kc.txn',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_uncommitted',
    ]);
    expect(everything.stdout.trim().split('\n')).toEqual(['a1', 'a2', 'x1', 'x2', 'x3', 'b1']);
  });
});
