import type { Context, MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../../../core/mappings.ts';
import { TOPICS } from '../../../core/topics.ts';
import type { FailureRecord, MappingRunner } from '../../../local/esm/index.ts';
import { silentLogger, startMappingRunner } from '../../../local/esm/index.ts';
import type { TestBroker } from './harness.ts';
import { decode, openSockets, startTestBroker, waitFor } from './harness.ts';

const mapping = (
  over: Partial<MappingDefinition> & Pick<MappingDefinition, 'topic' | 'groupId'>,
): MappingDefinition => ({
  functionName: over.groupId,
  batchSize: 10,
  batchingWindowMs: 100,
  startingPosition: 'TRIM_HORIZON',
  onFailureTopic: TOPICS.mappingFailures.name,
  maxRetries: 5,
  writes: [],
  ...over,
});

const backoff = { baseDelayMs: 50, maxDelayMs: 200 };

describe('MSK event source mapping emulator', () => {
  let broker: TestBroker;
  const runners: MappingRunner[] = [];

  async function run(
    definition: MappingDefinition,
    handler: (event: MSKEvent, context: Context) => Promise<unknown>,
  ) {
    const runner = await startMappingRunner({
      brokers: [broker.address],
      mappings: [{ definition, handler }],
      logger: silentLogger,
      backoff,
    });
    runners.push(runner);
    return runner;
  }

  beforeAll(async () => {
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await Promise.allSettled(runners.map((r) => r.stop()));
    await broker?.close();
  });

  it('delivers produced records as MSK events of at most batchSize records', async () => {
    const topic = TOPICS.eventsRaw.name;
    const events: MSKEvent[] = [];
    const contexts: Context[] = [];
    await run(
      mapping({ topic, groupId: 'esm-shape', functionName: 'shape', batchSize: 3 }),
      async (event, context) => {
        events.push(event);
        contexts.push(context);
      },
    );
    const timestamp = 1_700_000_000_000;
    await broker.producer.send({
      topic,
      messages: Array.from({ length: 7 }, (_, i) => ({
        partition: 0,
        key: `user-${i}`,
        value: JSON.stringify({ n: i }),
        timestamp: String(timestamp + i),
        headers: { source: 'web', raw: Buffer.from([0, 1, 255]) },
      })),
    });
    await broker.producer.send({ topic, messages: [{ partition: 1, key: null, value: 'keyless' }] });

    const delivered = () => events.flatMap((e) => Object.values(e.records).flat());
    await waitFor('8 records', () => delivered().length >= 8);

    for (const event of events) {
      expect(event.eventSource).toBe('aws:kafka');
      expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:local:000000000000:cluster\/spate-local\//);
      expect(event.bootstrapServers).toBe(broker.address);
      const keys = Object.keys(event.records);
      expect(keys).toHaveLength(1);
      const records = event.records[keys[0]!]!;
      expect(records.length).toBeGreaterThan(0);
      expect(records.length).toBeLessThanOrEqual(3);
      for (const r of records) expect(`${r.topic}-${r.partition}`).toBe(keys[0]);
    }
    expect(events.some((e) => Object.values(e.records)[0]!.length === 3)).toBe(true);

    const p0 = delivered().filter((r) => r.partition === 0);
    expect(p0.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    p0.forEach((r, i) => {
      expect(decode(r.key)).toBe(`user-${i}`);
      expect(JSON.parse(decode(r.value)!)).toEqual({ n: i });
      expect(r.timestamp).toBe(timestamp + i);
      expect(r.timestampType).toBe('CREATE_TIME');
      expect(r.headers).toEqual([{ source: [...Buffer.from('web')] }, { raw: [0, 1, 255] }]);
    });
    const [keyless] = delivered().filter((r) => r.partition === 1);
    expect(keyless && 'key' in keyless).toBe(false);
    expect(decode(keyless?.value)).toBe('keyless');
    expect(typeof keyless?.timestamp).toBe('number');
    expect(contexts[0]?.functionName).toBe('shape');

    await waitFor('offsets committed', async () => {
      const c = await broker.committed('esm-shape', topic);
      return c[0] === '7' && c[1] === '1';
    });
  });

  it('holds a short batch for the batching window so records produced within it share one event', async () => {
    const topic = TOPICS.eventsDlq.name;
    const events: MSKEvent[] = [];
    await run(
      mapping({ topic, groupId: 'esm-window', batchSize: 100, batchingWindowMs: 3_000 }),
      async (event) => {
        events.push(event);
      },
    );
    await broker.producer.send({ topic, messages: [{ value: 'first' }] });
    await new Promise((r) => setTimeout(r, 200));
    await broker.producer.send({ topic, messages: [{ value: 'second' }] });

    await waitFor('the windowed batch', () => events.length > 0);
    expect(Object.values(events[0]!.records)[0]!.map((r) => decode(r.value))).toEqual(['first', 'second']);
  });

  it('retries a failing batch with the same event and commits only once the handler succeeds', async () => {
    const topic = TOPICS.tweetsRaw.name;
    const groupId = 'esm-retry';
    const attempts: MSKEvent[] = [];
    const committedWhileFailing: Array<Record<number, string>> = [];
    const runner = await run(mapping({ topic, groupId, maxRetries: 5 }), async (event) => {
      attempts.push(event);
      if (attempts.length <= 2) {
        committedWhileFailing.push(await broker.committed(groupId, topic));
        throw new Error(`attempt ${attempts.length} fails`);
      }
    });
    await broker.producer.send({
      topic,
      messages: [
        { partition: 2, key: 'en', value: 'one' },
        { partition: 2, key: 'en', value: 'two' },
      ],
    });

    await waitFor('the third attempt', () => attempts.length >= 3);
    await waitFor(
      'the commit after success',
      async () => (await broker.committed(groupId, topic))[2] === '2',
    );

    expect(attempts).toHaveLength(3);
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[2]).toEqual(attempts[0]);
    expect(Object.values(attempts[0]!.records)[0]!.map((r) => decode(r.value))).toEqual(['one', 'two']);
    expect(committedWhileFailing).toHaveLength(2);
    for (const committed of committedWhileFailing) expect(committed[2] ?? '-1').toBe('-1');
    expect(runner.status()[0]).toMatchObject({ groupId, batches: 1, records: 2, retries: 2, failures: 0 });
  });

  it('sends a batch that never succeeds to the on-failure topic and commits past it', async () => {
    const topic = TOPICS.tweetsEnriched.name;
    const groupId = 'esm-failure';
    let calls = 0;
    const runner = await run(
      mapping({ topic, groupId, functionName: 'always-fails', maxRetries: 2 }),
      async () => {
        calls += 1;
        throw new Error('sink unavailable');
      },
    );
    await broker.producer.send({
      topic,
      messages: ['a', 'b', 'c'].map((value) => ({ partition: 4, key: `t-${value}`, value })),
    });

    const failures: FailureRecord[] = [];
    const reader = broker.kafka.consumer({ groupId: 'esm-failure-reader', maxWaitTimeInMs: 200 });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.mappingFailures.name], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        failures.push(JSON.parse(message.value!.toString('utf8')) as FailureRecord);
      },
    });
    try {
      await waitFor('the on-failure record', () => failures.some((f) => f.functionName === 'always-fails'));
      await waitFor(
        'the commit past the batch',
        async () => (await broker.committed(groupId, topic))[4] === '3',
      );
    } finally {
      await reader.disconnect();
    }

    const failure = failures.find((f) => f.functionName === 'always-fails')!;
    expect(calls).toBe(3);
    expect(failure.source).toEqual({
      topic,
      partition: 4,
      firstOffset: '0',
      lastOffset: '2',
      recordCount: 3,
    });
    expect(failure.error).toEqual({ errorType: 'Error', errorMessage: 'sink unavailable' });
    expect(failure.consumerGroupId).toBe(groupId);
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    const records = failure.payload.records[`${topic}-4`]!;
    expect(records.map((r) => decode(r.value))).toEqual(['a', 'b', 'c']);
    expect(records.map((r) => decode(r.key))).toEqual(['t-a', 't-b', 't-c']);
    expect(runner.status()[0]).toMatchObject({
      failures: 1,
      retries: 2,
      batches: 0,
      lastError: 'sink unavailable',
    });
  });

  it('handles partitions concurrently while each keeps its order', async () => {
    const topic = TOPICS.eventsRaw.name;
    await broker.producer.send({
      topic,
      messages: [2, 3, 2, 3].map((partition, i) => ({ partition, value: `p${partition}-${i}` })),
    });
    const waiting = new Set<number>();
    let release!: () => void;
    const bothInFlight = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: string[] = [];
    await run(
      mapping({ topic, groupId: 'esm-concurrency', batchSize: 1, batchingWindowMs: 0 }),
      async (event) => {
        const [record] = Object.values(event.records).flat();
        if (!record || (record.partition !== 2 && record.partition !== 3)) return;
        waiting.add(record.partition);
        if (waiting.size === 2) release();
        // Partition 2 can only finish while partition 3 is in its handler too, and vice versa.
        const gave = await Promise.race([
          bothInFlight.then(() => 'both' as const),
          new Promise<'alone'>((r) => setTimeout(() => r('alone'), 20_000)),
        ]);
        if (gave === 'alone') throw new Error('partitions were handled one at a time');
        seen.push(decode(record.value)!);
      },
    );
    await waitFor('all four records', () => seen.length === 4, 45_000);
    expect(seen.filter((v) => v.startsWith('p2'))).toEqual(['p2-0', 'p2-2']);
    expect(seen.filter((v) => v.startsWith('p3'))).toEqual(['p3-1', 'p3-3']);
  });

  it('stop() leaves no consumer running and the next runner picks up where it left off', async () => {
    const topic = TOPICS.tweetsAlerts.name;
    const groupId = 'esm-stop';
    // The earlier tests' runners go first, so the socket count below is this runner's alone.
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    const baseline = openSockets();
    const seen: string[] = [];
    const handler = async (event: MSKEvent) => {
      for (const r of Object.values(event.records).flat()) seen.push(decode(r.value)!);
    };
    const first = await startMappingRunner({
      brokers: [broker.address],
      mappings: [{ definition: mapping({ topic, groupId }), handler }],
      logger: silentLogger,
      backoff,
    });
    await broker.producer.send({ topic, messages: [{ value: 'before stop' }] });
    await waitFor('the first record', () => seen.length === 1);
    await waitFor('its commit', async () => (await broker.committed(groupId, topic))[0] === '1');

    await first.stop();
    expect(first.status().map((s) => s.state)).toEqual(['stopped']);
    await waitFor('sockets to close', () => openSockets() <= baseline, 10_000);

    await broker.producer.send({ topic, messages: [{ value: 'while stopped' }] });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen).toEqual(['before stop']);

    const second = await run(mapping({ topic, groupId }), handler);
    await waitFor('the record produced while stopped', () => seen.length === 2);
    expect(seen).toEqual(['before stop', 'while stopped']);
    expect(second.status()[0]?.state).toBe('running');
  });
});
