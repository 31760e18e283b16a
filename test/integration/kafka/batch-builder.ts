import { crc32c } from '../../../local/kafka/protocol/crc32c.ts';

function varint(n: number): number[] {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** An uncompressed record batch v2, as a producer would send it. */
export function dataBatch(opts: {
  values: string[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  timestamp?: number;
}): Buffer {
  const records = opts.values.map((v, i) => {
    const value = Buffer.from(v);
    const body = Buffer.from([
      0,
      ...varint(0),
      ...varint(i),
      ...varint(-1),
      ...varint(value.length),
      ...value,
      ...varint(0),
    ]);
    return Buffer.concat([Buffer.from(varint(body.length)), body]);
  });
  const recordBytes = Buffer.concat(records);
  const batch = Buffer.alloc(61 + recordBytes.length);
  const ts = BigInt(opts.timestamp ?? Date.now());
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(0, 21);
  batch.writeInt32BE(opts.values.length - 1, 23);
  batch.writeBigInt64BE(ts, 27);
  batch.writeBigInt64BE(ts, 35);
  batch.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  batch.writeInt16BE(opts.producerEpoch ?? -1, 51);
  batch.writeInt32BE(opts.baseSequence ?? -1, 53);
  batch.writeInt32BE(opts.values.length, 57);
  recordBytes.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}
