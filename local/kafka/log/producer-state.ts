import { ErrorCode } from '../protocol/error-codes.ts';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL } from '../protocol/record-batch.ts';
import type { BatchEntry } from './batch-entry.ts';

/** Batches remembered per producer to recognise retries (Kafka keeps the same five). */
const RECENT_BATCHES = 5;
const INT32_MAX = 2 ** 31 - 1;

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  recent: { firstSeq: number; lastSeq: number; baseOffset: number }[];
}

export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export type SequenceVerdict =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'reject'; errorCode: number };

/**
 * Per-partition idempotence and transaction bookkeeping, derived from the batches in the
 * log: replaying the batch index after a restart rebuilds it exactly.
 */
export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>();
  /** Producer id → first offset of its transaction still open in this partition. */
  private readonly open = new Map<number, number>();
  private aborted: AbortedTxn[] = [];

  check(producerId: number, epoch: number, firstSeq: number, lastOffsetDelta: number): SequenceVerdict {
    if (producerId < 0) return { kind: 'append' };
    const p = this.producers.get(producerId);
    if (p === undefined || firstSeq < 0) return { kind: 'append' };
    if (epoch < p.epoch) return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (epoch > p.epoch) return { kind: 'append' };
    const lastSeq = (firstSeq + lastOffsetDelta) % (INT32_MAX + 1);
    const seen = p.recent.find((r) => r.firstSeq === firstSeq && r.lastSeq === lastSeq);
    if (seen !== undefined) return { kind: 'duplicate', baseOffset: seen.baseOffset };
    const expected = p.lastSequence === INT32_MAX ? 0 : p.lastSequence + 1;
    if (firstSeq !== expected) return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { kind: 'append' };
  }

  /** Records an appended batch (also used when replaying the log at start). */
  observe(e: BatchEntry): void {
    if (e.producerId < 0) return;
    const isControl = (e.attributes & ATTR_CONTROL) !== 0;
    if (isControl) return; // markers are applied through observeMarker, which knows commit/abort
    if (e.baseSequence >= 0) {
      let p = this.producers.get(e.producerId);
      if (p === undefined || e.producerEpoch > p.epoch) {
        p = { epoch: e.producerEpoch, lastSequence: -1, recent: [] };
        this.producers.set(e.producerId, p);
      }
      const lastSeq = (e.baseSequence + (e.lastOffset - e.baseOffset)) % (INT32_MAX + 1);
      p.lastSequence = lastSeq;
      p.recent.push({ firstSeq: e.baseSequence, lastSeq, baseOffset: e.baseOffset });
      if (p.recent.length > RECENT_BATCHES) p.recent.shift();
    }
    if ((e.attributes & ATTR_TRANSACTIONAL) !== 0 && !this.open.has(e.producerId)) {
      this.open.set(e.producerId, e.baseOffset);
    }
  }

  observeMarker(producerId: number, commit: boolean, markerOffset: number): void {
    const first = this.open.get(producerId);
    if (first === undefined) return;
    this.open.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset: first, lastOffset: markerOffset });
  }

  hasOpenTransaction(producerId: number): boolean {
    return this.open.has(producerId);
  }

  openProducers(): number[] {
    return [...this.open.keys()];
  }

  /** First offset no read_committed consumer may pass yet. */
  lastStableOffset(logEndOffset: number): number {
    let lso = logEndOffset;
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions that overlap [from, to), which read_committed fetches must list. */
  abortedIn(from: number, to: number): AbortedTxn[] {
    return this.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < to);
  }

  forgetBefore(logStartOffset: number): void {
    this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
  }
}
