import type { BatchHeader } from '../protocol/record-batch.ts';

/** What the broker remembers about one stored batch, so it never has to reread headers. */
export interface BatchEntry {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** Byte position of the batch in its segment's log file. */
  readonly position: number;
  readonly size: number;
  readonly attributes: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/** One fixed-size record per batch in the segment's .index file. */
export const ENTRY_SIZE = 44;

export function entryFromHeader(header: BatchHeader, baseOffset: number, position: number): BatchEntry {
  return {
    baseOffset,
    lastOffset: baseOffset + header.lastOffsetDelta,
    position,
    size: header.size,
    attributes: header.attributes,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
  };
}

export function encodeEntry(e: BatchEntry, out: Buffer = Buffer.allocUnsafe(ENTRY_SIZE), at = 0): Buffer {
  out.writeBigInt64BE(BigInt(e.baseOffset), at);
  out.writeInt32BE(e.lastOffset - e.baseOffset, at + 8);
  out.writeInt32BE(e.position, at + 12);
  out.writeInt32BE(e.size, at + 16);
  out.writeInt16BE(e.attributes, at + 20);
  out.writeInt16BE(e.producerEpoch, at + 22);
  out.writeBigInt64BE(BigInt(e.maxTimestamp), at + 24);
  out.writeBigInt64BE(BigInt(e.producerId), at + 32);
  out.writeInt32BE(e.baseSequence, at + 40);
  return out;
}

export function decodeEntry(buf: Buffer, at: number): BatchEntry {
  const baseOffset = Number(buf.readBigInt64BE(at));
  return {
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + 8),
    position: buf.readInt32BE(at + 12),
    size: buf.readInt32BE(at + 16),
    attributes: buf.readInt16BE(at + 20),
    producerEpoch: buf.readInt16BE(at + 22),
    maxTimestamp: Number(buf.readBigInt64BE(at + 24)),
    producerId: Number(buf.readBigInt64BE(at + 32)),
    baseSequence: buf.readInt32BE(at + 40),
  };
}
