import { describe, expect, it } from 'vitest';
import { MalformedRequestError, Reader } from '../../../local/kafka/protocol/reader.ts';
import { Writer } from '../../../local/kafka/protocol/writer.ts';

const bytesOf = (w: Writer) => Buffer.concat(w.finish());

describe('Writer and Reader', () => {
  it('round-trips every field type across scratch-buffer boundaries', () => {
    const long = 'member-'.repeat(200);
    const big = Buffer.alloc(5000, 7);
    const w = new Writer();
    for (let i = 0; i < 50; i++)
      w.int8(-1)
        .int16(-300)
        .int32(70_000)
        .int64(2 ** 40 + i)
        .string(long);
    w.nullableString(null).bytes(big).nullableBytes(null).uvarint(300).compactString('héllo');
    w.array([1, 2, 3], (w, v) => w.int32(v));
    const buf = bytesOf(w);
    expect(buf.length).toBe(w.length);
    const r = new Reader(buf);
    for (let i = 0; i < 50; i++) {
      expect([r.int8(), r.int16(), r.int32(), r.int64(), r.string()]).toEqual([
        -1,
        -300,
        70_000,
        2 ** 40 + i,
        long,
      ]);
    }
    expect(r.nullableString()).toBeNull();
    expect(r.bytes().equals(big)).toBe(true);
    expect(r.nullableBytes()).toBeNull();
    expect(r.uvarint()).toBe(300);
    expect(r.compactString()).toBe('héllo');
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(r.remaining).toBe(0);
  });

  it('rejects truncated input and lying counts with a MalformedRequestError', () => {
    const buf = bytesOf(new Writer().string('abcdef'));
    expect(() => new Reader(buf.subarray(0, 4)).string()).toThrow(MalformedRequestError);
    expect(() => new Reader(bytesOf(new Writer().int32(1_000_000))).array((r) => r.int8())).toThrow(
      /exceeds the frame/,
    );
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(
      /longer than 5 bytes/,
    );
  });
});
