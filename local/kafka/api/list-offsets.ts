import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

const LATEST = -1;
const EARLIEST = -2;

export function handleListOffsets(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  r.int32(); // replica id
  const readCommitted = v >= 2 ? r.int8() === 1 : false;
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      if (v >= 4) r.int32(); // current leader epoch
      return { partition, timestamp: r.int64() };
    }),
  }));
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const log = ctx.broker.partition(t.name, p.partition);
      let errorCode: number = ErrorCode.NONE;
      let offset = -1;
      let timestamp = -1;
      if (log === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (p.timestamp === LATEST) offset = readCommitted ? log.lastStableOffset : log.logEndOffset;
      else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
      else if (p.timestamp < 0) errorCode = ErrorCode.UNSUPPORTED_VERSION;
      else {
        offset = log.offsetForTimestamp(p.timestamp);
        timestamp = offset < log.logEndOffset ? p.timestamp : -1;
        if (offset >= log.logEndOffset) offset = -1;
      }
      w.int32(p.partition).int16(errorCode).int64(timestamp).int64(offset);
      if (v >= 4) w.int32(0);
    });
  });
  return w;
}
