/**
 * Dynamic micro-batching in front of a model. Items wait until a batch is full or the
 * oldest has waited `maxWaitMs`; under light load waiting cannot fill a batch, so the wait
 * shrinks to what the recent arrival rate can fill (down to flushing at once). Each flush is
 * split into buckets of similar length so a padded model pads little.
 */
export interface MicroBatcherOptions {
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  /** Queue length from which `full` reports true, so the consumer pauses its partitions. */
  readonly maxQueued: number;
}

export interface BatchReport {
  readonly size: number;
  /** How long the oldest item of the batch waited in the queue. */
  readonly queueWaitMs: number;
  readonly inferMs: number;
}

/**
 * The callers of one submitAll share one promise: a chunk of thousands of tweets costs one
 * promise and one array, not one promise and two closures per tweet.
 */
interface Submission<O> {
  readonly results: O[];
  remaining: number;
  settled: boolean;
  resolve(values: O[]): void;
  reject(err: unknown): void;
}

interface Pending<I, O> {
  readonly item: I;
  readonly length: number;
  readonly enqueuedAt: number;
  readonly submission: Submission<O>;
  readonly index: number;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Arrivals per millisecond, smoothed. */
  private rate = 0;
  private lastArrival = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly lengthOf: (item: I) => number,
    private readonly options: MicroBatcherOptions,
    private readonly onBatch: (report: BatchReport) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new RangeError('batch.maxBatchSize: must be a positive integer');
    }
    if (!(options.maxWaitMs >= 0)) throw new RangeError('batch.maxWaitMs: must be zero or more');
    if (!(options.maxQueued >= options.maxBatchSize)) {
      throw new RangeError('batch.maxQueued: must be at least maxBatchSize');
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= this.options.maxQueued;
  }

  submit(item: I): Promise<O> {
    return this.submitAll([item]).then((out) => out[0] as O);
  }

  /** Results in input order; rejects with the first model error among the items' batches. */
  submitAll(items: readonly I[]): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      const submission: Submission<O> = {
        results: new Array<O>(items.length),
        remaining: items.length,
        settled: false,
        resolve,
        reject,
      };
      const t = this.now();
      this.observeArrival(t, items.length);
      for (let index = 0; index < items.length; index++) {
        const item = items[index] as I;
        this.queue.push({ item, length: this.lengthOf(item), enqueuedAt: t, submission, index });
      }
      this.schedule();
    });
  }

  /** Resolves once everything queued so far has been run. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running !== undefined) {
      if (this.running === undefined) this.flush();
      await this.running;
    }
  }

  private observeArrival(t: number, count: number): void {
    const first = this.lastArrival === 0;
    const gap = Math.max(t - this.lastArrival, 0.001);
    this.lastArrival = t;
    // The first arrival says nothing about the rate.
    if (first) return;
    // `count` items at once after `gap` ms weigh as `count` arrivals of the smoothed rate.
    const instant = count / gap;
    const keep = 0.9 ** count;
    this.rate = this.rate === 0 ? instant : keep * this.rate + (1 - keep) * instant;
  }

  /** How long to let the queue fill: as long as the arrival rate needs to fill it, at most maxWaitMs. */
  waitFor(queued: number): number {
    const missing = this.options.maxBatchSize - queued;
    if (missing <= 0) return 0;
    if (this.rate === 0) return 0;
    const expected = this.rate * this.options.maxWaitMs;
    // Waiting would add less than one item per item already queued: latency wins.
    if (expected < Math.max(1, queued)) return 0;
    return Math.min(this.options.maxWaitMs, missing / this.rate);
  }

  private schedule(): void {
    if (this.running !== undefined) return;
    const first = this.queue[0];
    if (first === undefined) return;
    const waited = this.now() - first.enqueuedAt;
    const remaining = this.waitFor(this.queue.length) - waited;
    if (remaining <= 0) {
      this.flush();
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.running === undefined) this.flush();
      }, remaining);
    }
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue.splice(0, this.options.maxBatchSize);
    if (batch.length === 0) return;
    this.running = this.runBuckets(batch).finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private async runBuckets(batch: Pending<I, O>[]): Promise<void> {
    const queueWaitMs = this.now() - (batch[0]?.enqueuedAt ?? this.now());
    for (const bucket of lengthBuckets(batch)) {
      const started = this.now();
      try {
        const out = await this.run(bucket.map((p) => p.item));
        if (out.length !== bucket.length) {
          throw new Error(`model returned ${out.length} results for ${bucket.length} inputs`);
        }
        for (let i = 0; i < bucket.length; i++) {
          const { submission, index } = bucket[i]!;
          submission.results[index] = out[i] as O;
          if (--submission.remaining === 0 && !submission.settled) {
            submission.settled = true;
            submission.resolve(submission.results);
          }
        }
      } catch (err) {
        for (const { submission } of bucket) {
          if (submission.settled) continue;
          submission.settled = true;
          submission.reject(err);
        }
      }
      this.onBatch({ size: bucket.length, queueWaitMs, inferMs: this.now() - started });
    }
  }
}

/** Groups by power-of-two length class, so no item is padded to more than twice its length. */
export function lengthBuckets<T extends { readonly length: number }>(items: readonly T[]): T[][] {
  const buckets = new Map<number, T[]>();
  for (const item of items) {
    const cls = item.length <= 8 ? 0 : Math.ceil(Math.log2(item.length));
    const list = buckets.get(cls);
    if (list === undefined) buckets.set(cls, [item]);
    else list.push(item);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
}
