import type { CircuitBreaker } from './circuit-breaker.ts';
import type { KeyRateLimiter, RateDecision, RateLimiter } from './token-bucket.ts';

/** A token bucket every container shares; throws when its store cannot answer. */
export interface SharedRateLimit {
  take(key: string, cost: number): Promise<RateDecision>;
}

/**
 * The write key's limit as the shared bucket counts it, across every container; while the store
 * is unreachable, this container's own bucket decides instead. Ingest must keep accepting when
 * the hot tier is down: a limit that is briefly per container (N containers admit up to N times
 * it) costs less than refusing every client. After a few failures the breaker stops asking the
 * store, so an outage does not add its timeout to every request; one trial call at a time finds
 * out when it is back.
 */
export class FailOpenRateLimiter implements RateLimiter {
  readonly #shared: SharedRateLimit;
  readonly #local: KeyRateLimiter;
  readonly #breaker: CircuitBreaker;
  readonly #onStoreFailure: (err: unknown) => void;

  constructor(
    shared: SharedRateLimit,
    local: KeyRateLimiter,
    breaker: CircuitBreaker,
    onStoreFailure: (err: unknown) => void = () => undefined,
  ) {
    this.#shared = shared;
    this.#local = local;
    this.#breaker = breaker;
    this.#onStoreFailure = onStoreFailure;
  }

  async take(key: string, cost: number, nowMs: number): Promise<RateDecision> {
    if (!this.#breaker.allow(nowMs)) return this.#local.take(key, cost, nowMs);
    let decision: RateDecision;
    try {
      decision = await this.#shared.take(key, cost);
    } catch (err) {
      this.#breaker.recordFailure(nowMs);
      this.#onStoreFailure(err);
      return this.#local.take(key, cost, nowMs);
    }
    this.#breaker.recordSuccess();
    // The local bucket is charged too, so that when the store goes away it starts from what this
    // container recently admitted rather than from a full burst. Its own answer is not used here.
    if (decision.allowed) this.#local.take(key, cost, nowMs);
    return decision;
  }
}
