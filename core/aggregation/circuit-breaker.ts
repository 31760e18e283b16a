/**
 * A sink's circuit breaker: after `failureThreshold` failures in a row it opens and calls fail
 * at once for `openMs`, so a dead tier costs its mapping quick retries instead of timeouts;
 * then one trial call (half-open) decides whether it closes again. The clock is passed in.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly openMs: number;
}

export class CircuitOpenError extends Error {
  constructor(
    readonly sink: string,
    readonly retryAtMs: number,
  ) {
    super(
      `${sink}: circuit open after repeated failures; next trial at ${new Date(retryAtMs).toISOString()}`,
    );
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  private failures = 0;
  private openedAtMs: number | null = null;
  private trialInFlight = false;

  constructor(
    readonly sink: string,
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(settings.failureThreshold) || settings.failureThreshold < 1)
      throw new Error(`failureThreshold: must be a positive integer, got ${settings.failureThreshold}`);
    if (!(settings.openMs > 0)) throw new Error(`openMs: must be positive, got ${settings.openMs}`);
  }

  state(): BreakerState {
    if (this.openedAtMs === null) return 'closed';
    return this.now() - this.openedAtMs >= this.settings.openMs ? 'half-open' : 'open';
  }

  async call<T>(action: () => Promise<T>): Promise<T> {
    const state = this.state();
    if (state === 'open' || (state === 'half-open' && this.trialInFlight))
      throw new CircuitOpenError(this.sink, (this.openedAtMs ?? this.now()) + this.settings.openMs);
    if (state === 'half-open') this.trialInFlight = true;
    try {
      const result = await action();
      this.failures = 0;
      this.openedAtMs = null;
      return result;
    } catch (err) {
      this.failures += 1;
      if (state === 'half-open' || this.failures >= this.settings.failureThreshold)
        this.openedAtMs = this.now();
      throw err;
    } finally {
      if (state === 'half-open') this.trialInFlight = false;
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
