/**
 * Tweets this worker has enriched in transactions that committed, the last `capacity` of them,
 * each by its identity (project and tweet id: two projects may track one public tweet, and each
 * gets its own record). A tweet the firehose sent twice has the same key on tweets.raw, so its
 * copy reaches the worker that owns the original's partition, usually while the original is
 * remembered here, and is skipped: no second enrichment, no second record on tweets.enriched or
 * tweets.alerts.
 *
 * Exactly-once stays as it was: only ids whose transaction committed are remembered, so a chunk
 * retried after an abort is never skipped on the strength of its own lost attempt, and skipping
 * an id some committed transaction produced loses nothing. A copy this worker does not remember
 * (after a restart or a rebalance, past the window, or while the original's transaction is
 * still on the wire) is enriched again; the warm and cold tiers store each tweet once per
 * project anyway.
 */
export class EnrichedTweetIds {
  // A Set iterates in insertion order: its first entry is the oldest, the one to evict.
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new Error(`capacity: must be a whole number of ids, got ${capacity}`);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Call once the transaction holding these ids has committed. */
  remember(ids: Iterable<string>): void {
    if (this.capacity === 0) return;
    for (const id of ids) {
      this.ids.delete(id);
      this.ids.add(id);
      if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
