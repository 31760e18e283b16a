/**
 * Builds one response body. Small fields go into a growing scratch buffer; record data is
 * appended as-is (no copy), so a fetch response hands the log's bytes straight to the socket.
 */
export class Writer {
  private readonly chunks: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(256);
  private used = 0;
  private flushedBytes = 0;

  private room(n: number): number {
    if (this.used + n > this.scratch.length) {
      this.flushScratch();
      if (n > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(n, 1024));
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.used));
    this.flushedBytes += this.used;
    this.scratch = Buffer.allocUnsafe(Math.max(1024, this.scratch.length));
    this.used = 0;
  }

  get length(): number {
    return this.flushedBytes + this.used;
  }

  int8(v: number): this {
    const at = this.room(1);
    this.scratch.writeInt8(v, at);
    return this;
  }

  int16(v: number): this {
    const at = this.room(2);
    this.scratch.writeInt16BE(v, at);
    return this;
  }

  int32(v: number): this {
    const at = this.room(4);
    this.scratch.writeInt32BE(v, at);
    return this;
  }

  int64(v: number): this {
    const at = this.room(8);
    this.scratch.writeBigInt64BE(BigInt(v), at);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  uvarint(v: number): this {
    let n = v;
    while (n >= 0x80) {
      const at = this.room(1);
      this.scratch.writeUInt8((n & 0x7f) | 0x80, at);
      n = Math.floor(n / 128);
    }
    const at = this.room(1);
    this.scratch.writeUInt8(n, at);
    return this;
  }

  string(v: string): this {
    const len = Buffer.byteLength(v);
    this.int16(len);
    const at = this.room(len);
    this.scratch.write(v, at, 'utf8');
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  compactString(v: string): this {
    const len = Buffer.byteLength(v);
    this.uvarint(len + 1);
    const at = this.room(len);
    this.scratch.write(v, at, 'utf8');
    return this;
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.uvarint(0) : this.compactString(v);
  }

  raw(buf: Buffer): this {
    if (buf.length <= 64) {
      const at = this.room(buf.length);
      buf.copy(this.scratch, at);
    } else {
      this.flushScratch();
      this.chunks.push(buf);
      this.flushedBytes += buf.length;
    }
    return this;
  }

  bytes(buf: Buffer): this {
    this.int32(buf.length);
    return this.raw(buf);
  }

  nullableBytes(buf: Buffer | null): this {
    return buf === null ? this.int32(-1) : this.bytes(buf);
  }

  /** Record data given as several log slices, written as one bytes field. */
  bytesFromParts(parts: readonly Buffer[]): this {
    let total = 0;
    for (const p of parts) total += p.length;
    this.int32(total);
    for (const p of parts) this.raw(p);
    return this;
  }

  array<T>(items: readonly T[], item: (w: Writer, v: T, i: number) => void): this {
    this.int32(items.length);
    for (let i = 0; i < items.length; i++) item(this, items[i]!, i);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, item);
  }

  compactArray<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }

  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  finish(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }
}
