import type { Kafka, KafkaMessage } from 'kafkajs';
import { ConflictError } from '../core/errors/spate-error.ts';
import type { DeadLetter, OutgoingRecord } from '../core/events/ingest-batch.ts';
import type { IngestLimits } from '../core/limits/ingest-limits.ts';
import { TOPICS } from '../core/topics.ts';
import type { RecordSink } from './ingest/ingest-service.ts';
import { judgeDeadLetter, type LetterPosition, readDeadLetter } from './replay-dead-letter.ts';
import { DlqSummary } from './replay-dlq-summary.ts';
import { readTopicBatches } from './replay-topic.ts';

const DLQ = TOPICS.eventsDlq.name;

/**
 * The consumer group whose committed offsets on events.dlq mark what has been replayed: a
 * letter below its partition's committed offset is never replayed again.
 */
export const DLQ_REPLAY_GROUP = 'spate.dlq-replay';

/** Per partition of events.dlq: its records [low, high) and the first one not yet replayed. */
interface PartitionState {
  readonly low: number;
  readonly high: number;
  readonly replayedUpTo: number;
}

async function dlqState(kafka: Kafka, groupId: string): Promise<Map<number, PartitionState>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(DLQ);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [DLQ] });
    const state = new Map<number, PartitionState>();
    for (const end of ends) {
      const low = Number(end.low);
      const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      // No commit yet, or one the retention has passed: nothing that is still there was replayed.
      state.set(end.partition, { low, high: Number(end.high), replayedUpTo: Math.max(low, offset) });
    }
    return state;
  } finally {
    await admin.disconnect();
  }
}

export interface DlqListing {
  /** Every letter still on events.dlq, by reason; `passNow` says which pending ones would pass today. */
  readonly summary: DlqSummary;
}

/** Reads all of events.dlq (it keeps 14 days) and counts it by reason, with samples. */
export async function listDeadLetters(
  kafka: Kafka,
  options: { readonly groupId: string; readonly samples: number; readonly limits: IngestLimits },
): Promise<DlqListing> {
  const state = await dlqState(kafka, options.groupId);
  const summary = new DlqSummary(options.samples);
  for await (const batch of readTopicBatches(kafka, { topic: DLQ, start: { offset: 0 }, batchSize: 1000 })) {
    for (const records of Object.values(batch.records)) {
      for (const record of records) {
        const position = { partition: record.partition, offset: record.offset };
        const letter = readDeadLetter(Buffer.from(record.value, 'base64'));
        const pending = record.offset >= (state.get(record.partition)?.replayedUpTo ?? 0);
        const passNow =
          pending && letter !== undefined && judgeDeadLetter(letter, position, options.limits).ok;
        summary.add(position, letter, { pending, passNow });
      }
    }
  }
  return { summary };
}

export interface DlqReplayReport {
  /** Letters read past the committed offsets. */
  readonly read: number;
  /** Of those, letters accepted and written again. */
  readonly replayed: number;
  /** Records written (to events.raw, tweets.raw). */
  readonly written: number;
  /** Letters today's validation still refuses (or that are no dead letter): reported, left on events.dlq, not retried. */
  readonly stillRefused: DlqSummary;
  /** Per partition, the offset committed: everything below it has been replayed. */
  readonly committed: ReadonlyMap<number, number>;
}

export class DlqReplayBusyError extends ConflictError {
  override readonly name = 'DlqReplayBusyError';
}

/**
 * Sends every letter on events.dlq that was not replayed before through today's validation and
 * writes those that pass, each at most once: the replay group's offset is committed only after
 * the write of the letters below it was acknowledged, so a replay that fails midway resumes
 * there, and a second run finds nothing left. A crash between write and commit writes those
 * letters again on the next run, with the same event ids (lambdas/replay-dead-letter.ts), which
 * every tier counts once. Letters still refused are counted and stepped over, never re-queued.
 * Reads up to where events.dlq ended when the replay began.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  sink: RecordSink,
  options: { readonly groupId: string; readonly samples: number; readonly limits: IngestLimits },
): Promise<DlqReplayReport> {
  const state = await dlqState(kafka, options.groupId);
  const committed = new Map<number, number>();
  const pending = new Set<number>();
  for (const [partition, s] of state) {
    committed.set(partition, s.replayedUpTo);
    if (s.replayedUpTo < s.high) pending.add(partition);
  }
  const stillRefused = new DlqSummary(options.samples);
  let read = 0;
  let replayed = 0;
  let written = 0;
  if (pending.size === 0) return { read, replayed, written, stillRefused, committed };

  await refuseWhileAnotherRuns(kafka, options.groupId);
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
  });
  let failure: unknown;
  let wake: (() => void) | undefined;
  const stop = (err?: unknown) => {
    if (err !== undefined && failure === undefined) failure = err;
    wake?.();
  };
  await consumer.connect();
  try {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[DLQ] ?? [];
      if ([...pending].some((p) => !assigned.includes(p)))
        stop(new DlqReplayBusyError(`another replay holds events.dlq in group ${options.groupId}`));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => stop(payload.error));
    await consumer.subscribe({ topic: DLQ, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        const end = state.get(batch.partition)?.high ?? 0;
        const from = committed.get(batch.partition) ?? 0;
        const judged = judgeBatch(batch.partition, batch.messages, from, end, options.limits);
        const last = judged.last;
        if (last === undefined) return;
        // Written first, committed second: a failure between the two replays these again (same ids).
        await sink.send(judged.records);
        await consumer.commitOffsets([{ topic: DLQ, partition: batch.partition, offset: String(last + 1) }]);
        committed.set(batch.partition, last + 1);
        resolveOffset(String(last));
        // Counted once committed: a batch kafkajs retries after a failed write is not counted twice.
        read += judged.read;
        replayed += judged.replayed;
        written += judged.records.length;
        for (const r of judged.refused) stillRefused.add(r.position, r.letter, r.state);
        if (last + 1 >= end) {
          pending.delete(batch.partition);
          consumer.pause([{ topic: DLQ, partitions: [batch.partition] }]);
          if (pending.size === 0) stop();
        }
      },
    });
    while (pending.size > 0 && failure === undefined) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  } finally {
    await consumer.disconnect();
  }
  if (failure !== undefined) throw failure;
  return { read, replayed, written, stillRefused, committed };
}

interface JudgedBatch {
  readonly read: number;
  readonly replayed: number;
  readonly records: OutgoingRecord[];
  readonly refused: { position: LetterPosition; letter: DeadLetter | undefined; state: RefusedState }[];
  /** The last offset below the replay's end, undefined when the batch holds none. */
  readonly last: number | undefined;
}

type RefusedState = Parameters<DlqSummary['add']>[2];

/** The letters of one fetched batch in [from, end), judged again. */
function judgeBatch(
  partition: number,
  messages: readonly KafkaMessage[],
  from: number,
  end: number,
  limits: IngestLimits,
): JudgedBatch {
  let read = 0;
  let replayed = 0;
  let last: number | undefined;
  const records: OutgoingRecord[] = [];
  const refused: JudgedBatch['refused'] = [];
  for (const message of messages) {
    const offset = Number(message.offset);
    if (offset >= end) break;
    last = offset;
    if (offset < from) continue;
    read += 1;
    const position = { partition, offset };
    const letter = readDeadLetter(message.value);
    const verdict = letter ? judgeDeadLetter(letter, position, limits) : undefined;
    if (verdict?.ok) {
      replayed += 1;
      records.push(...verdict.records);
    } else {
      const state = { pending: true, passNow: false, ...(verdict ? { rejection: verdict.rejection } : {}) };
      refused.push({ position, letter, state });
    }
  }
  return { read, replayed, records, refused, last };
}

/** Two replays at once would split the partitions and each wait for the rest: refuse the second. */
async function refuseWhileAnotherRuns(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups.find((g) => g.groupId === groupId)?.members.length ?? 0;
    if (members > 0) throw new DlqReplayBusyError(`another replay is running in group ${groupId}`);
  } finally {
    await admin.disconnect();
  }
}
