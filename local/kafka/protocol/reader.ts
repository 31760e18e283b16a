import { InputError } from '../../../core/errors/spate-error.ts';

/** Thrown when a request does not parse; the connection that sent it is closed. */
export class MalformedRequestError extends InputError {
  override readonly name = 'MalformedRequestError';
}

/**
 * A cursor over one request body. Every read checks bounds, so a truncated or lying frame
 * becomes one MalformedRequestError instead of a RangeError deep inside a handler.
 */
export class Reader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new MalformedRequestError(
        `${what}: needs ${n} bytes at ${this.pos}, frame has ${this.buf.length}`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }

  /** int64 as a JS number: offsets, timestamps and producer ids stay far below 2^53. */
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8, 'int64')));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf.readUInt8(this.need(1, 'varint'));
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new MalformedRequestError('varint: longer than 5 bytes');
    }
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new MalformedRequestError('string: null where a value is required');
    return s;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const at = this.need(len, 'string');
    return this.buf.toString('utf8', at, at + len);
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new MalformedRequestError('compact string: null where a value is required');
    return s;
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    const at = this.need(len, 'compact string');
    return this.buf.toString('utf8', at, at + len);
  }

  /** Bytes as a view into the frame (no copy); callers that keep them must copy. */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const at = this.need(len, 'bytes');
    return this.buf.subarray(at, at + len);
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    // Each item takes at least one byte: a count past the frame's end is a lie, not a big array.
    if (n > this.remaining) throw new MalformedRequestError(`array: count ${n} exceeds the frame`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  compactArray<T>(item: (r: Reader) => T): T[] {
    const n = this.uvarint() - 1;
    if (n < 0) return [];
    if (n > this.remaining) throw new MalformedRequestError(`compact array: count ${n} exceeds the frame`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** Tagged fields (KIP-482): none are understood here, so all are skipped. */
  skipTaggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size, 'tagged field');
    }
  }
}
