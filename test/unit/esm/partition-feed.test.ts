import type { MSKEvent } from 'aws-lambda';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../../../core/mappings.ts';
import { TOPICS } from '../../../core/topics.ts';
import { silentLogger } from '../../../local/esm/logger.ts';
import { MappingCounters } from '../../../local/esm/mapping-status.ts';
import { localCluster } from '../../../local/esm/msk-event.ts';
import { PartitionFeed, type PartitionFeedDeps } from '../../../local/esm/partition-feed.ts';

const WINDOW_MS = 60_000;
const topic = TOPICS.eventsRaw.name;

const definition: MappingDefinition = {
  functionName: 'archive',
  topic,
  groupId: 'feed-test',
  batchSize: 5,
  batchingWindowMs: WINDOW_MS,
  startingPosition: 'TRIM_HORIZON',
  onFailureTopic: TOPICS.mappingFailures.name,
  maxRetries: 0,
  writes: [],
};

const message = (offset: number): KafkaMessage =>
  ({
    offset: String(offset),
    timestamp: '1700000000000',
    key: null,
    value: Buffer.from(`{"n":${offset}}`),
    headers: {},
    attributes: 0,
  }) as KafkaMessage;

/** What kafkajs hands eachBatch for one fetch of partition 0: offsets `from` to `to`, inclusive. */
function fetchOf(from: number, to: number) {
  const resolved: string[] = [];
  const payload = {
    batch: {
      topic,
      partition: 0,
      highWatermark: '1000',
      messages: Array.from({ length: to - from + 1 }, (_, i) => message(from + i)),
    },
    resolveOffset: (offset: string) => resolved.push(offset),
    commitOffsetsIfNecessary: async () => undefined,
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

function feedAt(
  clock: { now: number },
  signal = new AbortController().signal,
  over: Partial<PartitionFeedDeps> = {},
) {
  const delivered: number[][] = [];
  const feed = new PartitionFeed({
    definition,
    handler: async (event: MSKEvent) => {
      delivered.push(Object.values(event.records).flatMap((rs) => rs.map((r) => r.offset)));
    },
    cluster: localCluster(['127.0.0.1:9092']),
    retry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 10 },
    counters: new MappingCounters('archive', topic, 'feed-test'),
    logger: silentLogger,
    publishFailure: async () => undefined,
    timeoutMs: 5_000,
    signal,
    now: () => clock.now,
    ...over,
  });
  return { feed, delivered };
}

describe('PartitionFeed batching window', () => {
  it('sends a backlog as full batches and lets the short rest keep the window it waited in', async () => {
    const clock = { now: 0 };
    const stop = new AbortController();
    const { feed, delivered } = feedAt(clock, stop.signal);

    // A fetch holding one full batch and a short rest: the rest is fetched again at once, not
    // held for a window of its own (the test would time out waiting 60 s).
    const first = fetchOf(0, 6);
    await feed.eachBatch(first.payload);
    expect(delivered).toEqual([[0, 1, 2, 3, 4]]);
    expect(first.resolved).toEqual(['4']);

    clock.now = 1_000;
    const second = fetchOf(5, 11);
    await feed.eachBatch(second.payload);
    expect(delivered).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);

    // Caught up: the short rest still waits out the window opened by the first fetch...
    clock.now = 2_000;
    const waiting = feed.eachBatch(fetchOf(10, 11).payload);
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await waiting;
    expect(delivered).toHaveLength(2);
  });

  it('sends the short rest behind a backlog once the window it inherited has passed', async () => {
    const clock = { now: 0 };
    const { feed, delivered } = feedAt(clock);
    await feed.eachBatch(fetchOf(0, 6).payload);
    // ...and goes as soon as that window (opened at 0, not when the rest was fetched) is over.
    clock.now = WINDOW_MS;
    const rest = fetchOf(5, 6);
    await feed.eachBatch(rest.payload);
    expect(delivered).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]);
    expect(rest.resolved).toEqual(['6']);
  });

  it('holds a short first fetch for the window', async () => {
    const clock = { now: 0 };
    const stop = new AbortController();
    const { feed, delivered } = feedAt(clock, stop.signal);
    const waiting = feed.eachBatch(fetchOf(0, 2).payload);
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await waiting;
    expect(delivered).toEqual([]);
  });
});

describe('PartitionFeed retries', () => {
  it('gives each attempt an event of its own: a handler that changed it cannot change the retry', async () => {
    const seen: string[][] = [];
    const { feed } = feedAt({ now: 0 }, undefined, {
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      handler: async (event: MSKEvent) => {
        const records = Object.values(event.records)[0]!;
        seen.push(records.map((r) => r.value));
        records[0]!.value = 'changed';
        records.pop();
        if (seen.length === 1) throw new Error('the first attempt fails');
      },
    });
    await feed.eachBatch(fetchOf(0, 4).payload);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toHaveLength(5);
    expect(seen[1]).toEqual(seen[0]);
  });
});

describe('PartitionFeed without a batching window', () => {
  it('sends the rest behind a full batch from the same fetch, without fetching it again', async () => {
    const { feed, delivered } = feedAt({ now: 0 }, undefined, {
      definition: { ...definition, batchingWindowMs: 0 },
    });
    const fetched = fetchOf(0, 6);
    await feed.eachBatch(fetched.payload);
    expect(delivered).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]);
    expect(fetched.resolved).toEqual(['4', '6']);
  });
});
