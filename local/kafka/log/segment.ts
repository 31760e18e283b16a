import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  crcMatches,
  readBatchHeader,
} from '../protocol/record-batch.ts';
import { type BatchEntry, decodeEntry, ENTRY_SIZE, encodeEntry, entryFromHeader } from './batch-entry.ts';

export function segmentFileName(baseOffset: number, ext: 'log' | 'index'): string {
  return `${String(baseOffset).padStart(20, '0')}.${ext}`;
}

/**
 * One append-only log file and its batch index. Writes are synchronous so that a batch is in
 * the OS before the produce is acknowledged: a killed broker loses nothing it acknowledged.
 */
export class Segment {
  readonly entries: BatchEntry[] = [];
  private logFd: number;
  private indexFd: number;
  private bytes = 0;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
  ) {
    this.logFd = openSync(join(dir, segmentFileName(baseOffset, 'log')), 'a+');
    this.indexFd = openSync(join(dir, segmentFileName(baseOffset, 'index')), 'a+');
  }

  static create(dir: string, baseOffset: number): Segment {
    return new Segment(dir, baseOffset);
  }

  /**
   * Opens an existing segment. Index entries are trusted only as far as they match the log;
   * the rest of the log is rescanned with CRC checks and a torn tail is cut off.
   */
  static recover(dir: string, baseOffset: number, log: (msg: string) => void): Segment {
    const seg = new Segment(dir, baseOffset);
    seg.recoverFromDisk(log);
    return seg;
  }

  private recoverFromDisk(log: (msg: string) => void): void {
    const logSize = fstatSync(this.logFd).size;
    const indexSize = fstatSync(this.indexFd).size;
    const index = Buffer.alloc(indexSize - (indexSize % ENTRY_SIZE));
    if (index.length > 0) readSync(this.indexFd, index, 0, index.length, 0);
    let end = 0;
    for (let at = 0; at < index.length; at += ENTRY_SIZE) {
      const e = decodeEntry(index, at);
      if (e.position !== end || e.position + e.size > logSize || e.size <= 0) break;
      this.entries.push(e);
      end = e.position + e.size;
    }
    const trustedEntries = this.entries.length;
    // Rescan what the index does not cover, batch by batch, checking each CRC.
    let pos = end;
    while (pos + BATCH_HEADER_SIZE <= logSize) {
      const head = this.read(pos, BATCH_LOG_OVERHEAD);
      const size = head.readInt32BE(8) + BATCH_LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE || pos + size > logSize) break;
      const bytes = this.read(pos, size);
      let header = null;
      try {
        header = readBatchHeader(bytes, 0);
      } catch {
        break;
      }
      if (header === null || header.magic !== 2 || !crcMatches(bytes, header)) break;
      if (header.baseOffset !== this.nextOffset) break;
      this.entries.push(entryFromHeader(header, header.baseOffset, pos));
      pos += header.size;
    }
    if (pos < logSize) {
      log(`segment ${this.dir}/${segmentFileName(this.baseOffset, 'log')}: cut ${logSize - pos} torn bytes`);
      ftruncateSync(this.logFd, pos);
    }
    this.bytes = pos;
    if (this.entries.length !== trustedEntries || indexSize !== trustedEntries * ENTRY_SIZE) {
      ftruncateSync(this.indexFd, trustedEntries * ENTRY_SIZE);
      const extra = this.entries.slice(trustedEntries);
      if (extra.length > 0) {
        const buf = Buffer.allocUnsafe(extra.length * ENTRY_SIZE);
        for (let i = 0; i < extra.length; i++) encodeEntry(extra[i]!, buf, i * ENTRY_SIZE);
        writeSync(this.indexFd, buf);
      }
    }
  }

  private nextOffsetOr(fallback: number): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? fallback : last.lastOffset + 1;
  }

  get size(): number {
    return this.bytes;
  }

  get nextOffset(): number {
    return this.nextOffsetOr(this.baseOffset);
  }

  get maxTimestamp(): number {
    let max = -1;
    for (const e of this.entries) if (e.maxTimestamp > max) max = e.maxTimestamp;
    return max;
  }

  append(batch: Buffer, entry: BatchEntry): void {
    writeSync(this.logFd, batch);
    writeSync(this.indexFd, encodeEntry(entry));
    this.entries.push(entry);
    this.bytes += batch.length;
  }

  /** Index of the first batch whose last offset is at or past `offset`. */
  findEntry(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.logFd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  close(): void {
    closeSync(this.logFd);
    closeSync(this.indexFd);
  }

  delete(): void {
    this.close();
    for (const ext of ['log', 'index'] as const) {
      const file = join(this.dir, segmentFileName(this.baseOffset, ext));
      if (existsSync(file)) rmSync(file);
    }
  }
}
