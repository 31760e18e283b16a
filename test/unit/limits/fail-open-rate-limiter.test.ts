import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../core/limits/circuit-breaker.ts';
import { FailOpenRateLimiter, type SharedRateLimit } from '../../../core/limits/fail-open-rate-limiter.ts';
import { KeyRateLimiter, type RateDecision } from '../../../core/limits/token-bucket.ts';

/** A shared bucket whose answers the test sets: a decision, or a failure of the store. */
class ScriptedStore implements SharedRateLimit {
  answer: RateDecision | Error = { allowed: true, retryAfterS: 0 };
  calls = 0;
  async take(): Promise<RateDecision> {
    this.calls += 1;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

const policy = { ratePerS: 1, burst: 10 };
const breaker = () => new CircuitBreaker({ failureThreshold: 2, openMs: 5000 });

describe('FailOpenRateLimiter', () => {
  it('answers what the shared bucket answers while the store is up', async () => {
    const store = new ScriptedStore();
    const limiter = new FailOpenRateLimiter(store, new KeyRateLimiter(policy), breaker());
    expect(await limiter.take('k', 1, 0)).toEqual({ allowed: true, retryAfterS: 0 });
    store.answer = { allowed: false, retryAfterS: 7 };
    // The local bucket is far from empty, yet the shared refusal stands: the limit is the fleet's.
    expect(await limiter.take('k', 1, 0)).toEqual({ allowed: false, retryAfterS: 7 });
  });

  it('falls back to the local bucket when the store fails, and reports each failure', async () => {
    const store = new ScriptedStore();
    store.answer = new Error('connection refused');
    const failures: unknown[] = [];
    const limiter = new FailOpenRateLimiter(store, new KeyRateLimiter(policy), breaker(), (err) =>
      failures.push(err),
    );
    expect(await limiter.take('k', 10, 0)).toEqual({ allowed: true, retryAfterS: 0 });
    expect(await limiter.take('k', 1, 0)).toEqual({ allowed: false, retryAfterS: 1 });
    expect(failures).toHaveLength(2);
  });

  it('stops asking the store once the breaker opens, and tries it again after openMs', async () => {
    const store = new ScriptedStore();
    store.answer = new Error('timeout');
    const limiter = new FailOpenRateLimiter(store, new KeyRateLimiter(policy), breaker());
    await limiter.take('k', 1, 0);
    await limiter.take('k', 1, 0);
    await limiter.take('k', 1, 100);
    expect(store.calls).toBe(2);
    store.answer = { allowed: true, retryAfterS: 0 };
    await limiter.take('k', 1, 5100);
    await limiter.take('k', 1, 5100);
    expect(store.calls).toBe(4);
  });

  it('charges the local bucket with what the store admitted, so a later outage starts from there', async () => {
    const store = new ScriptedStore();
    const limiter = new FailOpenRateLimiter(store, new KeyRateLimiter(policy), breaker());
    expect((await limiter.take('k', 10, 0)).allowed).toBe(true);
    store.answer = new Error('down');
    expect(await limiter.take('k', 1, 0)).toEqual({ allowed: false, retryAfterS: 1 });
  });
});
