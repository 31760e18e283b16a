import { CLUSTER_ID, NODE_ID } from '../broker.ts';
import { topicNameError } from '../log/topic-store.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

export function handleMetadata(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const requested = v >= 1 ? r.nullableArray((r) => r.string()) : r.array((r) => r.string());
  const allowAutoCreate = v >= 4 ? r.bool() : true;
  const { broker } = ctx;
  const names = requested === null || (v === 0 && requested.length === 0) ? broker.topics.names() : requested;

  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array([NODE_ID], (w, id) => {
    w.int32(id).string(ctx.advertisedHost).int32(ctx.advertisedPort);
    if (v >= 1) w.nullableString(null);
  });
  if (v >= 2) w.nullableString(CLUSTER_ID);
  if (v >= 1) w.int32(NODE_ID);
  w.array(names, (w, name) => {
    const topic = topicNameError(name) === null ? broker.topicOrAutoCreate(name, allowAutoCreate) : undefined;
    const error =
      topic !== undefined
        ? ErrorCode.NONE
        : topicNameError(name) !== null
          ? ErrorCode.INVALID_TOPIC_EXCEPTION
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    w.int16(error).string(name);
    if (v >= 1) w.bool(false);
    w.array(topic?.partitions ?? [], (w, _log, p) => {
      w.int16(ErrorCode.NONE).int32(p).int32(NODE_ID);
      if (v >= 7) w.int32(0);
      w.array([NODE_ID], (w, id) => w.int32(id));
      w.array([NODE_ID], (w, id) => w.int32(id));
      if (v >= 5) w.int32(0);
    });
    if (v >= 8) w.int32(-2147483648);
  });
  if (v >= 8) w.int32(-2147483648);
  return w;
}
