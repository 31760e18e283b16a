import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../local/kafka/protocol/crc32c.ts';
import {
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  buildControlBatch,
  crcMatches,
  isCommitMarker,
  readBatchHeader,
  recordTimestamps,
  splitBatches,
  stampLogAppendTime,
} from '../../../local/kafka/protocol/record-batch.ts';

describe('record batches', () => {
  it('computes CRC-32C (Castagnoli) check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('builds commit and abort markers that parse back as valid control batches', () => {
    for (const commit of [true, false]) {
      const batch = buildControlBatch({ producerId: 42, producerEpoch: 3, commit, timestamp: 1000 });
      const [only] = splitBatches(batch);
      expect(only?.header).toMatchObject({ producerId: 42, producerEpoch: 3, recordCount: 1, magic: 2 });
      expect((only!.header.attributes & ATTR_CONTROL) !== 0).toBe(true);
      expect(isCommitMarker(batch)).toBe(commit);
      expect(recordTimestamps(batch, only!.header)).toEqual([1000]);
    }
  });

  it('stamps log-append time and keeps the CRC valid', () => {
    const batch = buildControlBatch({ producerId: 1, producerEpoch: 0, commit: true, timestamp: 5 });
    stampLogAppendTime(batch, 99_000);
    const header = readBatchHeader(batch)!;
    expect(header.maxTimestamp).toBe(99_000);
    expect(header.attributes & ATTR_LOG_APPEND_TIME).toBe(ATTR_LOG_APPEND_TIME);
    expect(crcMatches(batch, header)).toBe(true);
  });

  it('refuses a batch whose bytes were altered, a truncated one, and an old magic', () => {
    const batch = buildControlBatch({ producerId: 1, producerEpoch: 0, commit: true, timestamp: 5 });
    const altered = Buffer.from(batch);
    altered[altered.length - 1]! ^= 0xff;
    expect(() => splitBatches(altered)).toThrow(/CRC mismatch/);
    expect(() => splitBatches(batch.subarray(0, batch.length - 3))).toThrow(/ends inside a batch/);
    const old = Buffer.from(batch);
    old.writeInt8(1, 16);
    expect(() => splitBatches(old)).toThrow(/magic 1/);
    const stretched = Buffer.from(batch);
    stretched.writeInt32BE(1_000_000, 23); // lastOffsetDelta far past the one record
    expect(() => splitBatches(stretched)).toThrow(/lastOffsetDelta = recordCount - 1/);
  });
});
