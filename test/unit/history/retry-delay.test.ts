import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryAfterMs, retryDelayMs } from '../../../bin/import/retry-delay.ts';

const now = Date.parse('2024-05-01T12:00:00.000Z');

describe('retryDelayMs', () => {
  it('waits as long as Retry-After asks, in seconds or until a date', () => {
    expect(retryDelayMs(1, '2', now)).toBe(2000);
    expect(retryDelayMs(5, '0.5', now)).toBe(500);
    expect(retryDelayMs(1, 'Wed, 01 May 2024 12:00:07 GMT', now)).toBe(7000);
    expect(retryDelayMs(1, 'Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
    expect(retryDelayMs(1, '86400', now)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('backs off exponentially with jitter without one, up to 30 s', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, null, now, high))).toEqual([250, 500, 1000, 2000]);
    expect(retryDelayMs(1, null, now, low)).toBe(125);
    expect(retryDelayMs(20, undefined, now, high)).toBe(30_000);
    expect(retryDelayMs(3, 'soon', now, high)).toBe(1000);
  });
});

describe('retryAfterMs', () => {
  it('is undefined when there is no usable header', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('later', now)).toBeUndefined();
  });
});
