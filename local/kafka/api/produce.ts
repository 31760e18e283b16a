import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import {
  ATTR_TRANSACTIONAL,
  InvalidBatchError,
  splitBatches,
  stampLogAppendTime,
} from '../protocol/record-batch.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

interface PartitionResult {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: number;
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  readonly message: string | null;
}

const MAX_BATCH_BYTES = 64 * 1024 * 1024;
const MAGIC_AT = 16;

function appendRecords(
  ctx: RequestContext,
  topicName: string,
  index: number,
  records: Buffer | null,
): PartitionResult {
  const fail = (errorCode: number, message: string | null = null): PartitionResult => ({
    index,
    errorCode,
    baseOffset: -1,
    logAppendTime: -1,
    logStartOffset: -1,
    message,
  });
  const topic = ctx.broker.topicOrAutoCreate(topicName, true);
  const log = topic?.partitions[index];
  if (topic === undefined || log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (records === null || records.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE, 'records: empty');
  if (records.length > MAX_BATCH_BYTES) return fail(ErrorCode.RECORD_LIST_TOO_LARGE);
  if (records.length > MAGIC_AT && records[MAGIC_AT] !== 2) {
    return fail(
      ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      'records: only record batch v2 (magic 2) is accepted',
    );
  }
  let batches: ReturnType<typeof splitBatches>;
  try {
    batches = splitBatches(records);
  } catch (err) {
    if (err instanceof InvalidBatchError) return fail(ErrorCode.CORRUPT_MESSAGE, err.message);
    throw err;
  }
  const now = Date.now();
  let first = -1;
  for (const { header, bytes } of batches) {
    const transactional = (header.attributes & ATTR_TRANSACTIONAL) !== 0;
    if (
      transactional &&
      !ctx.broker.txns.accepts(header.producerId, header.producerEpoch, topicName, index)
    ) {
      return fail(
        ErrorCode.INVALID_TXN_STATE,
        'transactional batch outside an ongoing transaction on this partition',
      );
    }
    const verdict = log.producers.check(
      header.producerId,
      header.producerEpoch,
      header.baseSequence,
      header.lastOffsetDelta,
    );
    if (verdict.kind === 'reject') return fail(verdict.errorCode);
    if (verdict.kind === 'duplicate') {
      // A retry of a batch already in the log: acknowledge it where it landed the first time.
      if (first < 0) first = verdict.baseOffset;
      continue;
    }
    if (topic.config.logAppendTime) stampLogAppendTime(bytes, now);
    const offset = log.append(bytes, now);
    if (first < 0) first = offset;
  }
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: first,
    logAppendTime: topic.config.logAppendTime ? now : -1,
    logStartOffset: log.logStartOffset,
    message: null,
  };
}

export function handleProduce(ctx: RequestContext, r: Reader): Writer | null {
  const v = ctx.version;
  if (v >= 3) r.nullableString(); // transactional id: the batches' producer id and epoch say the rest
  const acks = r.int16();
  r.int32(); // timeout: writes complete before the response, there is nothing to wait for
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
  }));
  const ackError = acks === 0 || acks === 1 || acks === -1 ? null : ErrorCode.INVALID_REQUIRED_ACKS;
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) =>
      ackError !== null
        ? {
            index: p.index,
            errorCode: ackError,
            baseOffset: -1,
            logAppendTime: -1,
            logStartOffset: -1,
            message: null,
          }
        : appendRecords(ctx, t.name, p.index, p.records),
    ),
  }));
  if (acks === 0) return null;
  const w = new Writer();
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (v >= 2) w.int64(p.logAppendTime);
      if (v >= 5) w.int64(p.logStartOffset);
      if (v >= 8) {
        w.array([], () => {});
        w.nullableString(p.message);
      }
    });
  });
  if (v >= 1) w.int32(0);
  return w;
}
