/**
 * The point up to which an input is done when batches are answered out of order: batch `n`'s
 * work is committed only once batches 0..n all are, so a resume point never skips a batch that
 * was still in flight. Sequence numbers start at `first` and have no gaps.
 */
export class AckWatermark<T> {
  private next: number;
  private readonly answered = new Map<number, T>();

  constructor(first = 0) {
    this.next = first;
  }

  /** Records batch `seq` as answered; returns the batches committed by it, in order. */
  complete(seq: number, value: T): T[] {
    if (seq < this.next || this.answered.has(seq)) throw new Error(`batch ${seq} was answered twice`);
    this.answered.set(seq, value);
    const committed: T[] = [];
    while (this.answered.has(this.next)) {
      committed.push(this.answered.get(this.next) as T);
      this.answered.delete(this.next);
      this.next += 1;
    }
    return committed;
  }

  /** Batches answered but waiting on an earlier one. */
  get waiting(): number {
    return this.answered.size;
  }
}
