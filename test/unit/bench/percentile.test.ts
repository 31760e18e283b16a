import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../../bench/percentile.ts';

describe('bench percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('is the smallest value with at least p % of the values at or below it', () => {
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([10, 20, 30], 95)).toBe(30);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
  });

  it('leaves out timings that were never taken, and has no answer for none', () => {
    expect(percentile([Number.NaN, 5, 7], 50)).toBe(5);
    expect(percentile([Number.NaN], 50)).toBeNaN();
    expect(median([])).toBeNaN();
  });

  it('does not reorder what it is given', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});
