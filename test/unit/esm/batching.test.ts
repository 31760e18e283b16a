import { describe, expect, it } from 'vitest';
import {
  BatchWindows,
  decideBatch,
  recordEventBytes,
  takeBatch,
  validateBatchingRules,
} from '../../../local/esm/batching.ts';

const rules = { batchSize: 10, batchingWindowMs: 500 };

describe('decideBatch', () => {
  it('invokes at once with a full batch, window or not', () => {
    expect(decideBatch(true, rules, 1000, 1000)).toEqual({ kind: 'invoke' });
  });

  it('holds a short batch for what is left of the window', () => {
    expect(decideBatch(false, rules, 1000, 1200)).toEqual({ kind: 'wait', ms: 300 });
  });

  it('invokes a short batch once the window has passed', () => {
    expect(decideBatch(false, rules, 1000, 1500)).toEqual({ kind: 'invoke' });
    expect(decideBatch(false, { batchSize: 10, batchingWindowMs: 0 }, 1000, 1000)).toEqual({
      kind: 'invoke',
    });
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

describe('takeBatch', () => {
  it('takes up to batchSize records and calls that full', () => {
    expect(takeBatch([1, 1, 1, 1], 0, 3, 100)).toEqual({ count: 3, full: true });
    expect(takeBatch([1, 1], 0, 3, 100)).toEqual({ count: 2, full: false });
    expect(takeBatch([1, 1, 1, 1, 1], 3, 3, 100)).toEqual({ count: 2, full: false });
  });

  it('cuts the batch where the next record would pass the payload limit', () => {
    expect(takeBatch([40, 40, 40], 0, 10, 100)).toEqual({ count: 2, full: true });
  });

  it('still delivers a single record larger than the limit', () => {
    expect(takeBatch([500, 1], 0, 10, 100)).toEqual({ count: 1, full: true });
  });
});

describe('recordEventBytes', () => {
  it('grows with the base64 size of key and value and with headers', () => {
    const bare = recordEventBytes({ key: null, value: Buffer.alloc(0), headers: {} });
    const withValue = recordEventBytes({ key: null, value: Buffer.alloc(300), headers: {} });
    const withHeader = recordEventBytes({ key: null, value: Buffer.alloc(300), headers: { h: 'abc' } });
    expect(withValue - bare).toBe(400);
    expect(withHeader).toBeGreaterThan(withValue + 12);
  });
});
