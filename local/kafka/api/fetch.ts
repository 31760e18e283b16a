import type { PartitionLog } from '../log/partition-log.ts';
import type { AbortedTxn } from '../log/producer-state.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

interface FetchPartition {
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

interface FetchTopic {
  readonly name: string;
  readonly partitions: FetchPartition[];
}

interface PartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly aborted: AbortedTxn[] | null;
  readonly parts: Buffer[];
}

const READ_COMMITTED = 1;

function readAll(ctx: RequestContext, topics: FetchTopic[], maxBytes: number, isolation: number) {
  let total = 0;
  const logs: PartitionLog[] = [];
  const responses = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const log = ctx.broker.partition(t.name, p.partition);
      if (log === undefined) {
        return {
          partition: p.partition,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          aborted: null,
          parts: [],
        };
      }
      logs.push(log);
      const base = {
        partition: p.partition,
        highWatermark: log.logEndOffset,
        lastStableOffset: log.lastStableOffset,
        logStartOffset: log.logStartOffset,
      };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, aborted: null, parts: [] };
      }
      const budget = Math.min(p.maxBytes, maxBytes - total);
      if (budget <= 0 && total > 0) return { ...base, errorCode: ErrorCode.NONE, aborted: null, parts: [] };
      const upTo = isolation === READ_COMMITTED ? base.lastStableOffset : base.highWatermark;
      const data = log.read(p.fetchOffset, Math.max(budget, 1), upTo);
      total += data.bytes;
      const aborted = isolation === READ_COMMITTED ? log.producers.abortedIn(p.fetchOffset, upTo) : null;
      return { ...base, errorCode: ErrorCode.NONE, aborted, parts: data.parts };
    }),
  }));
  const anyError = responses.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
  return { responses, total, logs, anyError };
}

export async function handleFetch(ctx: RequestContext, r: Reader): Promise<Writer> {
  const v = ctx.version;
  r.int32(); // replica id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  const isolation = r.int8();
  if (v >= 7) {
    r.int32(); // session id: sessions are not kept, every fetch is a full one
    r.int32(); // session epoch
  }
  const topics = r.array(
    (r): FetchTopic => ({
      name: r.string(),
      partitions: r.array((r): FetchPartition => {
        const partition = r.int32();
        if (v >= 9) r.int32(); // current leader epoch
        const fetchOffset = r.int64();
        if (v >= 5) r.int64(); // follower's log start offset
        return { partition, fetchOffset, maxBytes: r.int32() };
      }),
    }),
  );
  if (v >= 7) r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
  if (v >= 11) r.string(); // rack id

  let result = readAll(ctx, topics, maxBytes, isolation);
  // Long poll, as Kafka answers it: once min_bytes are there, or at max_wait_ms with what there
  // is, reading again after each append to a requested partition.
  const deadline = Date.now() + maxWaitMs;
  while (result.total < minBytes && !result.anyError && result.logs.length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        for (const stop of stops) stop();
        resolve();
      };
      const timer = setTimeout(finish, left);
      const stops = result.logs.map((log) => log.whenAppended(finish));
    });
    result = readAll(ctx, topics, maxBytes, isolation);
  }

  const w = new Writer();
  w.int32(0);
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0);
  w.array(result.responses, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset);
      if (v >= 5) w.int64(p.logStartOffset);
      w.nullableArray(p.aborted, (w, a) => w.int64(a.producerId).int64(a.firstOffset));
      if (v >= 11) w.int32(-1);
      w.bytesFromParts(p.parts);
    });
  });
  return w;
}
