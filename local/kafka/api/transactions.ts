import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

export function handleInitProducerId(ctx: RequestContext, r: Reader): Writer {
  const transactionalId = r.nullableString();
  const timeoutMs = r.int32();
  const result = ctx.broker.txns.initProducerId(transactionalId, timeoutMs);
  return new Writer().int32(0).int16(result.errorCode).int64(result.producerId).int16(result.epoch);
}

export function handleAddPartitionsToTxn(ctx: RequestContext, r: Reader): Writer {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
  const flat = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const codes = ctx.broker.txns.addPartitions(transactionalId, producerId, epoch, flat);
  let i = 0;
  const w = new Writer().int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p).int16(codes[i++] ?? 0));
  });
  return w;
}

export function handleAddOffsetsToTxn(ctx: RequestContext, r: Reader): Writer {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const groupId = r.string();
  return new Writer().int32(0).int16(ctx.broker.txns.addOffsets(transactionalId, producerId, epoch, groupId));
}

export function handleEndTxn(ctx: RequestContext, r: Reader): Writer {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const commit = r.bool();
  return new Writer().int32(0).int16(ctx.broker.txns.end(transactionalId, producerId, epoch, commit));
}

export function handleTxnOffsetCommit(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const transactionalId = r.string();
  const groupId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      const offset = r.int64();
      if (v >= 2) r.int32(); // leader epoch
      return { partition, offset, metadata: r.nullableString() };
    }),
  }));
  const entries = topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partition,
      offset: p.offset,
      metadata: p.metadata,
    })),
  );
  const code = ctx.broker.txns.commitOffsets(transactionalId, producerId, epoch, groupId, entries);
  const w = new Writer().int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.partition).int16(code));
  });
  return w;
}
