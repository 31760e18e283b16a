export interface RetryPolicy {
  /** First backoff; doubles each attempt. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts after the first, before a batch is given up. */
  readonly maxRetries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 60_000, maxRetries: 10 };

/** 429, 5xx and network errors may pass on a later try; any other 4xx never will. */
export function isRetryable(status: number | 'network'): boolean {
  return status === 'network' || status === 429 || status >= 500;
}

/**
 * Wait before retry number `attempt` (0-based): exponential with full jitter, so many clients
 * that failed together do not return together; a server's Retry-After is honoured as a floor.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterS?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterS !== undefined && retryAfterS > 0 ? retryAfterS * 1000 : 0;
  return Math.max(jittered, floor);
}
