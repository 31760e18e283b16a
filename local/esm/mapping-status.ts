/** Where a mapping's consumer is in its life. */
export type MappingState = 'starting' | 'running' | 'retrying' | 'stopping' | 'stopped' | 'crashed';

export interface MappingStatus {
  readonly functionName: string;
  readonly topic: string;
  readonly groupId: string;
  readonly state: MappingState;
  /** Batches the handler accepted. */
  readonly batches: number;
  /** Records in those batches. */
  readonly records: number;
  /** Batches sent to the on-failure topic after their retries ran out. */
  readonly failures: number;
  /** Handler invocations that were repeats of a failed one. */
  readonly retries: number;
  /** Records behind the high watermark across the partitions seen so far. */
  readonly lag: number;
  readonly lastError: string | undefined;
}

/** The running counts of one mapping; the runner's `status()` reads snapshots of it. */
export class MappingCounters {
  state: MappingState = 'starting';
  private batches = 0;
  private records = 0;
  private failures = 0;
  private retries = 0;
  private lastError: string | undefined;
  private readonly lagByPartition = new Map<number, number>();

  constructor(
    private readonly functionName: string,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** `nextOffset` is the first offset not yet handled on that partition. */
  observeLag(partition: number, highWatermark: string, nextOffset: string): void {
    const lag = Number(BigInt(highWatermark) - BigInt(nextOffset));
    this.lagByPartition.set(partition, Math.max(0, lag));
  }

  delivered(recordCount: number): void {
    this.batches += 1;
    this.records += recordCount;
  }

  retried(error: string): void {
    this.retries += 1;
    this.lastError = error;
  }

  sentToFailureTopic(error: string): void {
    this.failures += 1;
    this.lastError = error;
  }

  noteError(error: string): void {
    this.lastError = error;
  }

  snapshot(): MappingStatus {
    let lag = 0;
    for (const l of this.lagByPartition.values()) lag += l;
    return {
      functionName: this.functionName,
      topic: this.topic,
      groupId: this.groupId,
      state: this.state,
      batches: this.batches,
      records: this.records,
      failures: this.failures,
      retries: this.retries,
      lag,
      lastError: this.lastError,
    };
  }
}
