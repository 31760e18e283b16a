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

/** Lambda's limit on a synchronous invocation's payload; an MSK batch is cut to fit it. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

const base64Length = (n: number) => Math.ceil(n / 3) * 4;

/** Room one record takes in the event JSON: base64 key and value, header byte lists, fields. */
export function recordEventBytes(record: {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, unknown>>;
}): number {
  let headers = 0;
  for (const [name, value] of Object.entries(record.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    // Each header byte is written as up to three digits and a comma.
    for (const v of values) headers += name.length + 8 + 4 * Buffer.byteLength(v as Buffer | string);
  }
  return base64Length(record.key?.length ?? 0) + base64Length(record.value?.length ?? 0) + headers + 160;
}

/**
 * How many of `sizes`, from index `start` on, go into the next batch: at most `batchSize`, and no more
 * than fit in `maxBytes` (always at least one, so an oversized record is still delivered and
 * fails on its own, as on Lambda). `full` says the batch cannot grow, so it need not wait.
 */
export function takeBatch(
  sizes: readonly number[],
  start: number,
  batchSize: number,
  maxBytes = MAX_EVENT_BYTES,
): { count: number; full: boolean } {
  let bytes = 0;
  let count = 0;
  for (let i = start; i < sizes.length; i += 1) {
    const size = sizes[i]!;
    if (count === batchSize) break;
    if (count > 0 && bytes + size > maxBytes) return { count, full: true };
    bytes += size;
    count += 1;
  }
  return { count, full: count === batchSize };
}

export type BatchDecision = { readonly kind: 'invoke' } | { readonly kind: 'wait'; readonly ms: number };

/**
 * Whether a batch may go to the handler now. A full batch always may; a short one waits
 * out what is left of the window that opened at `firstSeenAt`.
 */
export function decideBatch(
  full: boolean,
  rules: BatchingRules,
  firstSeenAt: number,
  now: number,
): BatchDecision {
  if (full) return { kind: 'invoke' };
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

  /**
   * Hands an open window on to the record behind a full batch: those records have gathered
   * as long as the batch that went ahead of them, so they owe no window of their own.
   */
  carry(partition: number, headOffset: string, openedAt: number): void {
    this.opened.set(partition, { offset: headOffset, at: openedAt });
  }

  close(partition: number): void {
    this.opened.delete(partition);
  }
}
