import { InputError } from '../../../core/errors/spate-error.ts';
import { crc32c } from './crc32c.ts';

/**
 * Record batch v2 header. The broker never decodes records: batches are stored and served
 * byte for byte, so every compression codec passes through untouched.
 */
export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's count starts: baseOffset (8) + batchLength (4). */
export const BATCH_LOG_OVERHEAD = 12;

const OFF_BATCH_LENGTH = 8;
const OFF_LEADER_EPOCH = 12;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_BASE_TIMESTAMP = 27;
const OFF_MAX_TIMESTAMP = 35;
const OFF_PRODUCER_ID = 43;
const OFF_PRODUCER_EPOCH = 51;
const OFF_BASE_SEQUENCE = 53;
const OFF_RECORD_COUNT = 57;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface BatchHeader {
  readonly baseOffset: number;
  /** Whole batch size in bytes, including the 12-byte log overhead. */
  readonly size: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
}

export class InvalidBatchError extends InputError {
  override readonly name = 'InvalidBatchError';
}

/** Reads the header of the batch at `at`; null when fewer bytes than a whole batch remain. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader | null {
  if (buf.length - at < BATCH_HEADER_SIZE) return null;
  const batchLength = buf.readInt32BE(at + OFF_BATCH_LENGTH);
  const size = batchLength + BATCH_LOG_OVERHEAD;
  if (batchLength < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD) {
    throw new InvalidBatchError(`batchLength ${batchLength} is smaller than a batch header`);
  }
  if (buf.length - at < size) return null;
  return {
    baseOffset: Number(buf.readBigInt64BE(at)),
    size,
    magic: buf.readInt8(at + OFF_MAGIC),
    crc: buf.readUInt32BE(at + OFF_CRC),
    attributes: buf.readInt16BE(at + OFF_ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(at + OFF_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(at + OFF_PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(at + OFF_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + OFF_BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + OFF_RECORD_COUNT),
  };
}

export function crcMatches(batch: Buffer, header: BatchHeader): boolean {
  return crc32c(batch, OFF_ATTRIBUTES, header.size) === header.crc;
}

/**
 * Splits a produce request's record set into batches, checking each the way the broker
 * must before it accepts bytes it will serve forever: magic 2, a whole batch, a valid CRC.
 */
export function splitBatches(records: Buffer): { header: BatchHeader; bytes: Buffer }[] {
  const out: { header: BatchHeader; bytes: Buffer }[] = [];
  let at = 0;
  while (at < records.length) {
    const header = readBatchHeader(records, at);
    if (header === null) throw new InvalidBatchError(`record set ends inside a batch at byte ${at}`);
    if (header.magic !== 2)
      throw new InvalidBatchError(`magic ${header.magic}: only record batch v2 is accepted`);
    // Producers number records 0..n-1; anything else would move the log's offsets by a lie.
    if (header.recordCount < 1 || header.lastOffsetDelta !== header.recordCount - 1) {
      throw new InvalidBatchError(
        `recordCount ${header.recordCount} and lastOffsetDelta ${header.lastOffsetDelta}: need lastOffsetDelta = recordCount - 1 >= 0`,
      );
    }
    const bytes = records.subarray(at, at + header.size);
    if (!crcMatches(bytes, header)) throw new InvalidBatchError(`CRC mismatch in the batch at byte ${at}`);
    out.push({ header, bytes });
    at += header.size;
  }
  return out;
}

/** Assigns the batch its place in the log: the offset is outside the CRC, the leader epoch too. */
export function assignBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  batch.writeInt32BE(0, OFF_LEADER_EPOCH);
}

/** Log-append time replaces the producer's max timestamp; both are CRC-covered, so the CRC is redone. */
export function stampLogAppendTime(batch: Buffer, now: number): void {
  const attributes = batch.readInt16BE(OFF_ATTRIBUTES);
  batch.writeInt16BE(attributes | ATTR_LOG_APPEND_TIME, OFF_ATTRIBUTES);
  batch.writeBigInt64BE(BigInt(now), OFF_MAX_TIMESTAMP);
  batch.writeUInt32BE(crc32c(batch, OFF_ATTRIBUTES, batch.length), OFF_CRC);
}

function zigzagVarint(n: number): number[] {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** The commit or abort marker a transaction leaves in each partition it wrote to. */
export function buildControlBatch(opts: {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  timestamp: number;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(opts.commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(0, 2);
  const body = Buffer.from([
    0, // attributes
    ...zigzagVarint(0), // timestamp delta
    ...zigzagVarint(0), // offset delta
    ...zigzagVarint(key.length),
    ...key,
    ...zigzagVarint(value.length),
    ...value,
    ...zigzagVarint(0), // headers
  ]);
  const record = Buffer.concat([Buffer.from(zigzagVarint(body.length)), body]);
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + record.length);
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD, OFF_BATCH_LENGTH);
  batch.writeInt8(2, OFF_MAGIC);
  batch.writeInt16BE(ATTR_TRANSACTIONAL | ATTR_CONTROL, OFF_ATTRIBUTES);
  batch.writeInt32BE(0, OFF_LAST_OFFSET_DELTA);
  batch.writeBigInt64BE(BigInt(opts.timestamp), OFF_BASE_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(opts.timestamp), OFF_MAX_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(opts.producerId), OFF_PRODUCER_ID);
  batch.writeInt16BE(opts.producerEpoch, OFF_PRODUCER_EPOCH);
  batch.writeInt32BE(-1, OFF_BASE_SEQUENCE);
  batch.writeInt32BE(1, OFF_RECORD_COUNT);
  record.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(crc32c(batch, OFF_ATTRIBUTES, batch.length), OFF_CRC);
  return batch;
}

/**
 * Timestamp of each record of an uncompressed batch, so ListOffsets by time can answer
 * with the exact offset; compressed batches answer with their base offset.
 */
export function recordTimestamps(batch: Buffer, header: BatchHeader): number[] | null {
  if ((header.attributes & ATTR_COMPRESSION_MASK) !== 0) return null;
  const out: number[] = [];
  let at = BATCH_HEADER_SIZE;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = batch[at++];
      if (b === undefined) throw new InvalidBatchError('record ends inside a varint');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  };
  for (let i = 0; i < header.recordCount && at < batch.length; i++) {
    const length = readVarint();
    const end = at + length;
    at += 1; // attributes
    out.push(header.baseTimestamp + readVarint());
    at = end;
  }
  return out;
}

/** Whether a control batch is a commit marker (its record key is version int16, type int16). */
export function isCommitMarker(batch: Buffer): boolean {
  let at = BATCH_HEADER_SIZE;
  const skipVarint = () => {
    while ((batch[at++] ?? 0) & 0x80) {}
  };
  skipVarint(); // record length
  at += 1; // attributes
  skipVarint(); // timestamp delta
  skipVarint(); // offset delta
  skipVarint(); // key length
  return batch.length >= at + 4 && batch.readInt16BE(at + 2) === 1;
}
