/**
 * How a mapping gathers records into invocations: at most `batchSize` records, and a short
 * batch is held back until the batching window has passed since its first record was seen.
 */
export interface BatchingRules {
  readonly batchSize: number;
  readonly batchingWindowMs: number;
}

export function validateBatchingRules(rules: BatchingRules, where: string): void {
  if (!Number.isInteger(rules.batchSize) || rules.batchSize < 1) {
    throw new Error(`${where}.batchSize: must be a positive integer, got ${rules.batchSize}`);
  }
  if (!Number.isFinite(rules.batchingWindowMs) || rules.batchingWindowMs < 0) {
    throw new Error(`${where}.batchingWindowMs: must be zero or more, got ${rules.batchingWindowMs}`);
  }
}

export type BatchDecision = { readonly kind: 'invoke' } | { readonly kind: 'wait'; readonly ms: number };

/**
 * Whether a batch of `available` records may go to the handler now. A full batch always
 * may; a short one waits out what is left of the window that opened at `firstSeenAt`.
 */
export function decideBatch(
  available: number,
  rules: BatchingRules,
  firstSeenAt: number,
  now: number,
): BatchDecision {
  if (available >= rules.batchSize) return { kind: 'invoke' };
  const left = firstSeenAt + rules.batchingWindowMs - now;
  return left <= 0 ? { kind: 'invoke' } : { kind: 'wait', ms: left };
}

/**
 * Remembers, per partition, when the record at the head of the pending batch was first
 * fetched, so a window survives the refetches that gather more records behind it.
 */
export class BatchWindows {
  private readonly opened = new Map<number, { offset: string; at: number }>();

  firstSeenAt(partition: number, headOffset: string, now: number): number {
    const open = this.opened.get(partition);
    if (open && open.offset === headOffset) return open.at;
    this.opened.set(partition, { offset: headOffset, at: now });
    return now;
  }

  close(partition: number): void {
    this.opened.delete(partition);
  }
}
