import { SUPPORTED_VERSIONS } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

export function handleApiVersions(ctx: RequestContext, r: Reader): Writer {
  const w = new Writer();
  const range = SUPPORTED_VERSIONS.get(ctx.apiKey)!;
  const entries = [...SUPPORTED_VERSIONS].map(([key, v]) => ({ key, ...v }));
  if (ctx.version > range.max) {
    // KIP-511: answer a too-new ApiVersions in v0 form, so the client can retry with one we serve.
    w.int16(ErrorCode.UNSUPPORTED_VERSION);
    w.array(entries, (w, e) => w.int16(e.key).int16(e.min).int16(e.max));
    return w;
  }
  if (ctx.version >= 3) {
    r.compactString(); // client software name
    r.compactString(); // client software version
    r.skipTaggedFields();
    w.int16(ErrorCode.NONE);
    w.compactArray(entries, (w, e) => w.int16(e.key).int16(e.min).int16(e.max).emptyTaggedFields());
    w.int32(0);
    w.emptyTaggedFields();
    return w;
  }
  w.int16(ErrorCode.NONE);
  w.array(entries, (w, e) => w.int16(e.key).int16(e.min).int16(e.max));
  if (ctx.version >= 1) w.int32(0);
  return w;
}
