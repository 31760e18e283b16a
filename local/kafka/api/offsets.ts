import type { OffsetCommitEntry } from '../groups/group-coordinator.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

export function handleOffsetCommit(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  if (v >= 2 && v <= 4) r.int64(); // retention time: offsets are kept until overwritten
  if (v >= 7) r.nullableString();
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const partition = r.int32();
      const offset = r.int64();
      if (v >= 6) r.int32(); // leader epoch
      return { partition, offset, metadata: r.nullableString() };
    }),
  }));
  const { groups } = ctx.broker;
  const groupError = groups.commitError(groupId, generationId, memberId);
  const entries: OffsetCommitEntry[] = [];
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      let errorCode = groupError;
      if (errorCode === ErrorCode.NONE && ctx.broker.partition(t.name, p.partition) === undefined) {
        errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      }
      if (errorCode === ErrorCode.NONE) {
        entries.push({ topic: t.name, partition: p.partition, offset: p.offset, metadata: p.metadata });
      }
      return { partition: p.partition, errorCode };
    }),
  }));
  groups.commit(groupId, entries);
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode));
  });
  return w;
}

export function handleOffsetFetch(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const groupId = r.string();
  const requested = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
  const { offsets } = ctx.broker.groups;
  let topics: { name: string; partitions: number[] }[];
  if (requested !== null) {
    topics = requested;
  } else {
    const byTopic = new Map<string, number[]>();
    for (const e of offsets.all(groupId))
      byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e.partition]);
    topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
  }
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const c = offsets.get(groupId, t.name, p);
      w.int32(p).int64(c?.offset ?? -1);
      if (v >= 5) w.int32(-1);
      w.nullableString(c?.metadata ?? '').int16(ErrorCode.NONE);
    });
  });
  if (v >= 2) w.int16(ErrorCode.NONE);
  return w;
}
