import { describe, expect, it } from 'vitest';
import { KeyRateLimiter } from '../../../core/limits/token-bucket.ts';

describe('KeyRateLimiter', () => {
  it('allows a burst, then refuses with the seconds until it fits', () => {
    const limiter = new KeyRateLimiter({ ratePerS: 100, burst: 200 });
    expect(limiter.take('shop', 200, 0).allowed).toBe(true);
    const refused = limiter.take('shop', 150, 0);
    expect(refused).toEqual({ allowed: false, retryAfterS: 2 });
    expect(limiter.take('shop', 150, 1500).allowed).toBe(true);
  });

  it('keeps one bucket per key', () => {
    const limiter = new KeyRateLimiter({ ratePerS: 1, burst: 1 });
    expect(limiter.take('a', 1, 0).allowed).toBe(true);
    expect(limiter.take('a', 1, 0).allowed).toBe(false);
    expect(limiter.take('b', 1, 0).allowed).toBe(true);
  });

  it('lets a batch larger than the burst through on a full bucket only', () => {
    const limiter = new KeyRateLimiter({ ratePerS: 10, burst: 100 });
    expect(limiter.take('k', 1000, 0).allowed).toBe(true);
    expect(limiter.take('k', 1, 0).allowed).toBe(false);
  });

  it('refuses nonsensical policies', () => {
    expect(() => new KeyRateLimiter({ ratePerS: 0, burst: 1 })).toThrow(/ratePerS/);
  });
});
