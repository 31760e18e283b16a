import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../core/limits/circuit-breaker.ts';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures and refuses at once', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 5000 });
    for (let i = 0; i < 3; i++) {
      expect(breaker.allow(0)).toBe(true);
      breaker.recordFailure(0);
    }
    expect(breaker.state(0)).toBe('open');
    expect(breaker.allow(1000)).toBe(false);
    expect(breaker.retryAfterS(1000)).toBe(4);
  });

  it('a success resets the failure count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1000 });
    breaker.recordFailure(0);
    breaker.recordSuccess();
    breaker.recordFailure(0);
    expect(breaker.state(0)).toBe('closed');
  });

  it('lets one trial through when half-open, and closes on its success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1000 });
    breaker.recordFailure(0);
    expect(breaker.state(1000)).toBe('half-open');
    expect(breaker.allow(1000)).toBe(true);
    expect(breaker.allow(1001)).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state(1002)).toBe('closed');
    expect(breaker.allow(1002)).toBe(true);
  });

  it('re-opens when the trial fails', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 5, openMs: 1000 });
    for (let i = 0; i < 5; i++) breaker.recordFailure(0);
    expect(breaker.allow(1000)).toBe(true);
    breaker.recordFailure(1000);
    expect(breaker.state(1500)).toBe('open');
    expect(breaker.allow(1500)).toBe(false);
  });
});
