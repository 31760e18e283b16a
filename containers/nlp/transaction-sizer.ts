/**
 * How many records go into one transaction. A transaction costs a few broker round trips
 * whatever its size, so a backlog wants large ones; but every tweet waits until its whole
 * transaction is enriched and committed, so light load wants small ones. The size follows the
 * measured enrichment rate so that one transaction's worth of work takes about `targetMs`:
 * under a steady trickle a fetched batch is small anyway and goes out in one small
 * transaction; under a backlog the size grows to `max`.
 */
export interface TransactionSizerOptions {
  readonly targetMs: number;
  readonly min: number;
  readonly max: number;
}

export class TransactionSizer {
  /** Records enriched per millisecond, smoothed; 0 until measured. */
  private perMs = 0;

  constructor(private readonly options: TransactionSizerOptions) {
    if (!Number.isInteger(options.min) || options.min < 1) {
      throw new RangeError('transactions.min: must be a positive integer');
    }
    if (!Number.isInteger(options.max) || options.max < options.min) {
      throw new RangeError('transactions.max: must be an integer of at least transactions.min');
    }
    if (!(options.targetMs > 0)) throw new RangeError('transactions.targetMs: must be positive');
  }

  /** Records for the next transaction. Before any measurement: the minimum, the safe side for latency. */
  get size(): number {
    if (this.perMs === 0) return this.options.min;
    const fits = Math.floor(this.perMs * this.options.targetMs);
    return Math.max(this.options.min, Math.min(this.options.max, fits));
  }

  /** `records` took `ms` to enrich. */
  observe(records: number, ms: number): void {
    if (records <= 0) return;
    const rate = records / Math.max(ms, 0.01);
    this.perMs = this.perMs === 0 ? rate : 0.7 * this.perMs + 0.3 * rate;
  }
}
