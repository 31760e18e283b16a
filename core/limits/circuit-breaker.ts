export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly openMs: number;
}

/**
 * Guards calls to Kafka. While Kafka is down, waiting out a produce timeout per request only
 * piles up work; an open circuit answers at once. After `openMs` a single trial goes through,
 * and its outcome closes or re-opens the circuit.
 */
export class CircuitBreaker {
  readonly #policy: BreakerPolicy;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAtMs = 0;
  #trialInFlight = false;

  constructor(policy: BreakerPolicy) {
    if (!(policy.failureThreshold >= 1)) throw new Error('breaker failureThreshold must be >= 1');
    if (!(policy.openMs > 0)) throw new Error('breaker openMs must be > 0');
    this.#policy = policy;
  }

  state(nowMs: number): BreakerState {
    if (this.#state === 'open' && nowMs - this.#openedAtMs >= this.#policy.openMs) return 'half-open';
    return this.#state;
  }

  /** Whether a call may proceed now; in half-open only one trial at a time. */
  allow(nowMs: number): boolean {
    const state = this.state(nowMs);
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#state = 'half-open';
    this.#trialInFlight = true;
    return true;
  }

  /** Seconds a refused caller should wait before trying again. */
  retryAfterS(nowMs: number): number {
    if (this.#state !== 'open') return 1;
    return Math.max(1, Math.ceil((this.#openedAtMs + this.#policy.openMs - nowMs) / 1000));
  }

  recordSuccess(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#trialInFlight = false;
  }

  recordFailure(nowMs: number): void {
    this.#failures += 1;
    this.#trialInFlight = false;
    if (this.#state === 'half-open' || this.#failures >= this.#policy.failureThreshold) {
      this.#state = 'open';
      this.#openedAtMs = nowMs;
    }
  }
}
