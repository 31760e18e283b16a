/**
 * When a failed batch is tried again. Backoff doubles per attempt up to a ceiling, with
 * jitter so that many partitions failing together do not retry in lockstep.
 */
export interface RetryPolicy {
  /** Retries after the first attempt; the batch goes to the on-failure topic after these. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF = { baseDelayMs: 200, maxDelayMs: 30_000 } as const;

export function validateRetryPolicy(policy: RetryPolicy, where: string): void {
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0) {
    throw new Error(`${where}.maxRetries: must be an integer of 0 or more, got ${policy.maxRetries}`);
  }
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) {
    throw new Error(`${where}.baseDelayMs: must be zero or more, got ${policy.baseDelayMs}`);
  }
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.baseDelayMs) {
    throw new Error(`${where}.maxDelayMs: must be at least baseDelayMs, got ${policy.maxDelayMs}`);
  }
}

/**
 * Delay before retry number `retry` (1 for the first retry). "Equal jitter": half the
 * exponential step is kept, so a retry never fires immediately, and half is random.
 * `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(retry) || retry < 1)
    throw new Error(`retry: must be a positive integer, got ${retry}`);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export type AttemptOutcome =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'give-up' };

/** What to do after attempt number `attempt` (1-based) of a batch failed. */
export function afterFailure(policy: RetryPolicy, attempt: number, random?: () => number): AttemptOutcome {
  if (attempt > policy.maxRetries) return { kind: 'give-up' };
  return { kind: 'retry', delayMs: backoffDelayMs(policy, attempt, random) };
}
