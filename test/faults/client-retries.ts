/**
 * What a retrying client does to a batch: sends it again because the response was lost, some
 * seconds later or minutes later, sometimes cut into other batches. Every copy carries the same
 * event ids, so every tier must count each event once whatever reaches the topic.
 */
export interface ResendPolicy {
  /** Share of batches sent again. */
  readonly share: number;
  /** Copies of a re-sent batch: 1 to this many. */
  readonly maxCopies: number;
  /** Delays a copy is sent after: one is picked per copy. */
  readonly delaysMs: readonly number[];
  /** Share of copies re-split: sent as two batches cut at a random point. */
  readonly splitShare: number;
}

export interface PlannedCopy<T> {
  readonly afterMs: number;
  readonly batches: readonly T[][];
}

/** The copies a retrying client makes of one batch (none for most batches). */
export function plannedCopies<T>(
  batch: readonly T[],
  policy: ResendPolicy,
  random: () => number,
): PlannedCopy<T>[] {
  if (random() >= policy.share) return [];
  const copies = 1 + Math.floor(random() * policy.maxCopies);
  return Array.from({ length: copies }, () => {
    const afterMs = policy.delaysMs[Math.floor(random() * policy.delaysMs.length)] ?? 0;
    if (batch.length > 1 && random() < policy.splitShare) {
      const cut = 1 + Math.floor(random() * (batch.length - 1));
      return { afterMs, batches: [batch.slice(0, cut), batch.slice(cut)] };
    }
    return { afterMs, batches: [[...batch]] };
  });
}
