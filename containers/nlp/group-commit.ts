/**
 * Group commit: chunks from partitions processed concurrently share one transaction. The
 * producer carries one transaction at a time; whatever arrives while one is on the wire goes
 * into the next, so under load a transaction holds a chunk of every busy partition (fewer
 * round trips per tweet) and under light load a chunk goes out alone, at once.
 */
interface Waiting<C> {
  readonly chunk: C;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<C> {
  private waiting: Waiting<C>[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly commit: (chunks: readonly C[]) => Promise<void>) {}

  /** Resolves once a transaction holding `chunk` has committed; rejects if it failed. */
  submit(chunk: C): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ chunk, resolve, reject });
      this.running ??= this.pump();
    });
  }

  /** Resolves when nothing is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async pump(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          await this.commit(group.map((w) => w.chunk));
          for (const w of group) w.resolve();
        } catch (err) {
          // Every chunk of a failed transaction fails; each partition then restarts from its committed offset.
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
