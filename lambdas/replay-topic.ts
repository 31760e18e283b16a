import type { MSKEvent } from 'aws-lambda';
import type { Kafka } from 'kafkajs';
import { replayTopicEvents, type TopicRecord } from '../core/aggregation/replay-batches.ts';

const MAX_QUEUED = 8;

/** Where a topic replay starts on every partition: an offset, or the first record at or after a time. */
export type ReplayStart = { readonly offset: number } | { readonly timeMs: number };

export interface TopicReplay {
  readonly topic: string;
  readonly start: ReplayStart;
  readonly batchSize: number;
  /** Only these partitions; all when absent. */
  readonly partitions?: readonly number[];
}

/** Per partition, the offsets [from, to) a replay reads: from the start up to the end at call time. */
export async function replayRanges(
  kafka: Kafka,
  replay: TopicReplay,
): Promise<Map<number, { from: number; to: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(replay.topic);
    const starts =
      'timeMs' in replay.start
        ? await admin.fetchTopicOffsetsByTimestamp(replay.topic, replay.start.timeMs)
        : undefined;
    const ranges = new Map<number, { from: number; to: number }>();
    for (const end of ends) {
      if (replay.partitions && !replay.partitions.includes(end.partition)) continue;
      const low = Number(end.low);
      const high = Number(end.high);
      const wanted =
        'offset' in replay.start
          ? replay.start.offset
          : Number(starts?.find((s) => s.partition === end.partition)?.offset ?? high);
      // A time past the last record answers -1 or the end: nothing to replay there.
      const from = Math.max(low, wanted < 0 ? high : wanted);
      if (from < high) ranges.set(end.partition, { from, to: high });
    }
    return ranges;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic's records from the start up to where each partition ended when the replay
 * began, with their own offsets, as MSK events of `batchSize` records: the offset gates and
 * high-waters then recognise what was applied before. No offsets are committed anywhere.
 */
export async function* readTopicBatches(kafka: Kafka, replay: TopicReplay): AsyncGenerator<MSKEvent> {
  const ranges = await replayRanges(kafka, replay);
  if (ranges.size === 0) return;
  const consumer = kafka.consumer({
    groupId: `spate-replay-${process.pid}-${Date.now()}`,
    allowAutoTopicCreation: false,
  });
  const queue: MSKEvent[] = [];
  const remaining = new Set(ranges.keys());
  let wake: (() => void) | undefined;
  let failure: unknown;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: replay.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }) => {
        // The handlers set the pace: fetch no further while several batches wait for them.
        while (queue.length >= MAX_QUEUED && !failure) await new Promise((r) => setTimeout(r, 20));
        const range = ranges.get(batch.partition);
        if (!range || !remaining.has(batch.partition)) {
          pause();
          return;
        }
        const records: TopicRecord[] = [];
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= range.from && offset < range.to)
            records.push({ offset, timestampMs: Number(m.timestamp), key: m.key, value: m.value });
          resolveOffset(m.offset);
        }
        queue.push(...replayTopicEvents(replay.topic, batch.partition, records, replay.batchSize));
        const last = batch.messages[batch.messages.length - 1];
        if (last && Number(last.offset) >= range.to - 1) {
          remaining.delete(batch.partition);
          pause();
        }
        wake?.();
      },
    });
    for (const [partition, { from }] of ranges)
      consumer.seek({ topic: replay.topic, partition, offset: String(from) });
    consumer.on(consumer.events.CRASH, (e) => {
      failure = e.payload.error;
      wake?.();
    });
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure) throw failure;
      if (remaining.size === 0) break;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  } finally {
    await consumer.disconnect();
  }
}
