import { describe, expect, it } from 'vitest';
import { BatchWindows, decideBatch, validateBatchingRules } from '../../../local/esm/batching.ts';

const rules = { batchSize: 10, batchingWindowMs: 500 };

describe('decideBatch', () => {
  it('invokes at once with a full batch, window or not', () => {
    expect(decideBatch(10, rules, 1000, 1000)).toEqual({ kind: 'invoke' });
    expect(decideBatch(25, rules, 1000, 1000)).toEqual({ kind: 'invoke' });
  });

  it('holds a short batch for what is left of the window', () => {
    expect(decideBatch(3, rules, 1000, 1200)).toEqual({ kind: 'wait', ms: 300 });
  });

  it('invokes a short batch once the window has passed', () => {
    expect(decideBatch(3, rules, 1000, 1500)).toEqual({ kind: 'invoke' });
    expect(decideBatch(1, { batchSize: 10, batchingWindowMs: 0 }, 1000, 1000)).toEqual({ kind: 'invoke' });
  });
});

describe('BatchWindows', () => {
  it('keeps the window of a head offset across refetches and opens a new one when it moves', () => {
    const windows = new BatchWindows();
    expect(windows.firstSeenAt(0, '5', 100)).toBe(100);
    expect(windows.firstSeenAt(0, '5', 350)).toBe(100);
    expect(windows.firstSeenAt(1, '5', 360)).toBe(360);
    expect(windows.firstSeenAt(0, '9', 400)).toBe(400);
    windows.close(0);
    expect(windows.firstSeenAt(0, '9', 900)).toBe(900);
  });
});

describe('validateBatchingRules', () => {
  it('names the mapping and the field that breaks a rule', () => {
    expect(() => validateBatchingRules({ batchSize: 0, batchingWindowMs: 0 }, 'mappings[0]')).toThrow(
      'mappings[0].batchSize: must be a positive integer, got 0',
    );
    expect(() => validateBatchingRules({ batchSize: 1, batchingWindowMs: -1 }, 'm')).toThrow(
      /m\.batchingWindowMs/,
    );
    expect(() => validateBatchingRules(rules, 'm')).not.toThrow();
  });
});
