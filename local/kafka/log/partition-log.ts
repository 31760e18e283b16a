import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { ATTR_CONTROL, isCommitMarker, readBatchHeader, recordTimestamps } from '../protocol/record-batch.ts';
import type { BatchEntry } from './batch-entry.ts';
import { ProducerState } from './producer-state.ts';
import { Segment } from './segment.ts';

export interface LogConfig {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  logAppendTime: boolean;
}

export interface ReadResult {
  /** Slices of the log, whole batches, in offset order. */
  readonly parts: Buffer[];
  readonly bytes: number;
}

/**
 * One partition: a sequence of segments, the producer state derived from them, and the
 * offsets clients see (log start, high watermark, last stable offset).
 */
export class PartitionLog {
  private readonly segments: Segment[] = [];
  readonly producers = new ProducerState();
  private onAppend = new Set<() => void>();

  private constructor(
    readonly dir: string,
    public config: LogConfig,
  ) {}

  static open(dir: string, config: LogConfig, log: (msg: string) => void): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const p = new PartitionLog(dir, config);
    const bases = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => Number(f.slice(0, -4)))
      .filter((n) => Number.isSafeInteger(n))
      .sort((a, b) => a - b);
    for (const base of bases) {
      const seg = Segment.recover(dir, base, log);
      // An empty segment before the last one is a leftover of an interrupted roll.
      if (seg.entries.length === 0 && base !== bases[bases.length - 1]) {
        seg.delete();
        continue;
      }
      p.segments.push(seg);
      for (const e of seg.entries) p.replay(seg, e);
    }
    if (p.segments.length === 0) p.segments.push(Segment.create(dir, 0));
    return p;
  }

  private replay(seg: Segment, e: BatchEntry): void {
    if ((e.attributes & ATTR_CONTROL) !== 0) {
      this.producers.observeMarker(e.producerId, isCommitMarker(seg.read(e.position, e.size)), e.baseOffset);
    } else {
      this.producers.observe(e);
    }
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  get logStartOffset(): number {
    const first = this.segments[0]!;
    return first.entries[0]?.baseOffset ?? first.baseOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get lastStableOffset(): number {
    return this.producers.lastStableOffset(this.logEndOffset);
  }

  /** Appends one batch (its header already validated); returns the offset given to it. */
  append(batch: Buffer, now: number): number {
    const header = readBatchHeader(batch, 0)!;
    if (this.active.size >= this.config.segmentBytes && this.active.entries.length > 0) {
      this.segments.push(Segment.create(this.dir, this.logEndOffset));
    }
    const baseOffset = this.logEndOffset;
    batch.writeBigInt64BE(BigInt(baseOffset), 0);
    batch.writeInt32BE(0, 12);
    const entry: BatchEntry = {
      baseOffset,
      lastOffset: baseOffset + header.lastOffsetDelta,
      position: this.active.size,
      size: batch.length,
      attributes: header.attributes,
      maxTimestamp: this.config.logAppendTime ? now : header.maxTimestamp,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
    };
    this.active.append(batch, entry);
    if ((header.attributes & ATTR_CONTROL) !== 0) {
      this.producers.observeMarker(header.producerId, isCommitMarker(batch), baseOffset);
    } else {
      this.producers.observe(entry);
    }
    this.wakeWaiters();
    return baseOffset;
  }

  /** Calls `fn` once, on the next append; returns the way to stop waiting. */
  whenAppended(fn: () => void): () => void {
    this.onAppend.add(fn);
    return () => this.onAppend.delete(fn);
  }

  private wakeWaiters(): void {
    if (this.onAppend.size === 0) return;
    const waiting = this.onAppend;
    this.onAppend = new Set();
    for (const w of waiting) w();
  }

  /**
   * Whole batches from the one holding `offset`, below `upTo`, at most `maxBytes` unless the
   * first batch alone is larger (then it is returned whole, so a consumer always progresses).
   */
  read(offset: number, maxBytes: number, upTo: number): ReadResult {
    const parts: Buffer[] = [];
    let bytes = 0;
    let segIdx = this.segmentFor(offset);
    let from = offset;
    while (segIdx < this.segments.length) {
      const seg = this.segments[segIdx]!;
      let i = seg.findEntry(from);
      const start = i;
      let runBytes = 0;
      while (i < seg.entries.length) {
        const e = seg.entries[i]!;
        if (e.baseOffset >= upTo) break;
        if (bytes + runBytes + e.size > maxBytes && bytes + runBytes > 0) break;
        runBytes += e.size;
        i++;
      }
      if (runBytes > 0) {
        parts.push(seg.read(seg.entries[start]!.position, runBytes));
        bytes += runBytes;
      }
      if (i < seg.entries.length) break;
      segIdx++;
      from = seg.nextOffset;
    }
    return { parts, bytes };
  }

  private segmentFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First offset whose timestamp is at or after `ts`, or the log end offset when none is. */
  offsetForTimestamp(ts: number): number {
    for (const seg of this.segments) {
      for (const e of seg.entries) {
        if (e.maxTimestamp < ts || (e.attributes & ATTR_CONTROL) !== 0) continue;
        if (this.config.logAppendTime) return e.baseOffset;
        const batch = seg.read(e.position, e.size);
        const header = readBatchHeader(batch, 0);
        const times = header === null ? null : recordTimestamps(batch, header);
        if (times === null) return e.baseOffset;
        const idx = times.findIndex((t) => t >= ts);
        return e.baseOffset + Math.max(idx, 0);
      }
    }
    return this.logEndOffset;
  }

  /** Drops whole segments past the time or size limit; the active segment always stays. */
  enforceRetention(now: number): number {
    let removed = 0;
    let total = this.segments.reduce((n, s) => n + s.size, 0);
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const tooOld = this.config.retentionMs >= 0 && oldest.maxTimestamp < now - this.config.retentionMs;
      const tooBig = this.config.retentionBytes >= 0 && total - oldest.size >= this.config.retentionBytes;
      if (!tooOld && !tooBig) break;
      this.segments.shift();
      total -= oldest.size;
      oldest.delete();
      removed++;
    }
    if (removed > 0) this.producers.forgetBefore(this.logStartOffset);
    return removed;
  }

  close(): void {
    for (const s of this.segments) s.close();
    this.wakeWaiters();
  }

  destroy(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
