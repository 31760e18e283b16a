import { describe, expect, it } from 'vitest';
import { afterFailure, backoffDelayMs, validateRetryPolicy } from '../../../local/esm/retry-policy.ts';

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles per retry, between half and all of the step', () => {
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(50);
    expect(backoffDelayMs(policy, 1, () => 0.999999)).toBe(100);
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(100);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(200);
  });

  it('never passes the ceiling', () => {
    expect(backoffDelayMs(policy, 30, () => 0.999999)).toBe(1_000);
    expect(backoffDelayMs(policy, 30, () => 0)).toBe(500);
  });

  it('spreads retries that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(policy, 4)));
    expect(delays.size).toBeGreaterThan(1);
  });

  it('rejects a retry number below 1', () => {
    expect(() => backoffDelayMs(policy, 0)).toThrow(/retry/);
  });
});

describe('afterFailure', () => {
  it('retries up to maxRetries, then gives up', () => {
    const outcomes = [1, 2, 3, 4].map((attempt) => afterFailure(policy, attempt, () => 0).kind);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'give-up']);
    expect(afterFailure({ ...policy, maxRetries: 0 }, 1)).toEqual({ kind: 'give-up' });
  });
});

describe('validateRetryPolicy', () => {
  it('names the field and the rule', () => {
    expect(() => validateRetryPolicy({ ...policy, maxRetries: -1 }, 'm')).toThrow(
      /m\.maxRetries: must be an integer/,
    );
    expect(() => validateRetryPolicy({ ...policy, maxDelayMs: 10 }, 'm')).toThrow(
      /m\.maxDelayMs: must be at least/,
    );
    expect(() => validateRetryPolicy(policy, 'm')).not.toThrow();
  });
});
