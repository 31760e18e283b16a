export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until the request would fit; 0 when allowed. */
  readonly retryAfterS: number;
}

export interface RateLimitPolicy {
  /** Sustained events per second per key. */
  readonly ratePerS: number;
  /** Most events accepted at once after a quiet spell. */
  readonly burst: number;
}

/**
 * Prices a request for one write key by its events. The shared bucket answers asynchronously
 * (it asks the hot store), the in-memory one at once; the ingest service awaits either.
 */
export interface RateLimiter {
  take(key: string, cost: number, nowMs: number): RateDecision | Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per write key, counting events rather than requests so one 1,000-event batch
 * costs what 1,000 single requests would. It lives in one container's memory, so alone it limits
 * per container: the shared bucket in the hot store (io/redis/shared-token-bucket.ts) holds the
 * limit across containers, and this one stands in while the store is unreachable.
 * The same arithmetic runs in that bucket's Lua script; keep the two in step.
 */
export class KeyRateLimiter implements RateLimiter {
  readonly #policy: RateLimitPolicy;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(policy: RateLimitPolicy, maxKeys = 10_000) {
    if (!(policy.ratePerS > 0)) throw new Error('rate limit ratePerS must be > 0');
    if (!(policy.burst >= 1)) throw new Error('rate limit burst must be >= 1');
    this.#policy = policy;
    this.#maxKeys = maxKeys;
  }

  take(key: string, cost: number, nowMs: number): RateDecision {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.clear();
      bucket = { tokens: this.#policy.burst, updatedMs: nowMs };
      this.#buckets.set(key, bucket);
    }
    const elapsedS = Math.max(0, nowMs - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(this.#policy.burst, bucket.tokens + elapsedS * this.#policy.ratePerS);
    bucket.updatedMs = nowMs;
    // A batch larger than the burst could never pass; let it through on a full bucket instead.
    const needed = Math.min(cost, this.#policy.burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return { allowed: true, retryAfterS: 0 };
    }
    const waitS = (needed - bucket.tokens) / this.#policy.ratePerS;
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitS)) };
  }
}
