/**
 * A sink's circuit breaker: after `failureThreshold` failures in a row it opens and calls fail
 * at once for `openMs`, so a dead tier costs its mapping quick retries instead of timeouts;
 * then one trial call (half-open) decides whether it closes again. The clock is passed in.
 */
import { UnavailableError } from '../errors/spate-error.ts';
import { type BreakerState, CircuitBreaker as LimitsBreaker } from '../limits/circuit-breaker.ts';

export type { BreakerState };

export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly openMs: number;
}

export class CircuitOpenError extends UnavailableError {
  override readonly name = 'CircuitOpenError';

  constructor(
    readonly sink: string,
    readonly retryAtMs: number,
    retryAfterS?: number,
  ) {
    super(
      `${sink}: circuit open after repeated failures; next trial at ${new Date(retryAtMs).toISOString()}`,
      {
        code: 'circuit_open',
        retryAfterS,
      },
    );
  }
}

/**
 * The project's one breaker (core/limits/circuit-breaker.ts) wrapped for a sink: `call` runs
 * an action through it and says which sink refused and until when.
 */
export class CircuitBreaker {
  readonly #breaker: LimitsBreaker;

  constructor(
    readonly sink: string,
    settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(settings.failureThreshold) || settings.failureThreshold < 1)
      throw new Error(`failureThreshold: must be a positive integer, got ${settings.failureThreshold}`);
    if (!(settings.openMs > 0)) throw new Error(`openMs: must be positive, got ${settings.openMs}`);
    this.#breaker = new LimitsBreaker(settings);
  }

  state(): BreakerState {
    return this.#breaker.state(this.now());
  }

  async call<T>(action: () => Promise<T>): Promise<T> {
    const now = this.now();
    if (!this.#breaker.allow(now)) {
      const retryAfterS = this.#breaker.retryAfterS(now);
      throw new CircuitOpenError(this.sink, now + retryAfterS * 1000, retryAfterS);
    }
    try {
      const result = await action();
      this.#breaker.recordSuccess();
      return result;
    } catch (err) {
      this.#breaker.recordFailure(this.now());
      throw err;
    }
  }
}

/** Retries `action` with exponential backoff and full jitter; the last error is rethrown. */
export async function withRetries<T>(
  action: () => Promise<T>,
  options: {
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    retryable?: (err: unknown) => boolean;
  },
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    try {
      return await action();
    } catch (err) {
      lastError = err;
      if (options.retryable && !options.retryable(err)) throw err;
      if (attempt + 1 < options.attempts) {
        const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
        await sleep(Math.random() * cap);
      }
    }
  }
  throw lastError;
}
