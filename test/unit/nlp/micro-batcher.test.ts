import { describe, expect, it } from 'vitest';
import { type BatchReport, lengthBuckets, MicroBatcher } from '../../../core/nlp/inference/micro-batcher.ts';

const upper = async (items: string[]) => items.map((s) => s.toUpperCase());

describe('MicroBatcher', () => {
  it('returns every result to its caller in order, flushing at the batch size', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher(
      upper,
      () => 0,
      { maxBatchSize: 4, maxWaitMs: 5_000, maxQueued: 100 },
      (r) => sizes.push(r.size),
    );
    const items = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const out = await Promise.race([
      b.submitAll(items.slice(0, 8)),
      new Promise((_, reject) => setTimeout(() => reject(new Error('full batches did not flush')), 4_000)),
    ]);
    expect(out).toEqual(items.slice(0, 8).map((s) => s.toUpperCase()));
    expect(sizes.every((s) => s <= 4)).toBe(true);
    expect(sizes.reduce((a, s) => a + s, 0)).toBe(8);
  });

  it('flushes a lone item at once instead of waiting for a batch that will not fill', async () => {
    const b = new MicroBatcher(upper, () => 0, { maxBatchSize: 64, maxWaitMs: 60_000, maxQueued: 64 });
    await expect(
      Promise.race([
        b.submit('solo'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('lone item waited')), 5_000)),
      ]),
    ).resolves.toBe('SOLO');
  });

  it('waits up to the arrival rate, never longer than maxWaitMs', () => {
    let t = 0;
    const b = new MicroBatcher(
      upper,
      () => 0,
      { maxBatchSize: 100, maxWaitMs: 20, maxQueued: 100 },
      undefined,
      () => t,
    );
    for (let i = 0; i < 50; i++) {
      t += 0.1; // 10 items per millisecond
      void b.submit('x');
    }
    expect(b.waitFor(10)).toBeGreaterThan(0);
    expect(b.waitFor(10)).toBeLessThanOrEqual(20);
    expect(b.waitFor(100)).toBe(0);
  });

  it('reports full when the queue reaches maxQueued, and drains', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const reports: BatchReport[] = [];
    const b = new MicroBatcher(
      async (items: string[]) => {
        await gate;
        return items;
      },
      () => 0,
      { maxBatchSize: 2, maxWaitMs: 0, maxQueued: 3 },
      (r) => reports.push(r),
    );
    const all = b.submitAll(['a', 'b', 'c', 'd', 'e']);
    expect(b.full).toBe(true);
    release();
    await b.drain();
    expect(await all).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(b.queued).toBe(0);
    // Submitted together, the items fill whole batches in order.
    expect(reports.map((r) => r.size)).toEqual([2, 2, 1]);
  });

  it('answers several concurrent submissions each with its own results', async () => {
    const b = new MicroBatcher(upper, () => 0, { maxBatchSize: 3, maxWaitMs: 0, maxQueued: 100 });
    const [x, y, z] = await Promise.all([
      b.submitAll(['a', 'b']),
      b.submitAll([]),
      b.submitAll(['c', 'd', 'e', 'f']),
    ]);
    expect(x).toEqual(['A', 'B']);
    expect(y).toEqual([]);
    expect(z).toEqual(['C', 'D', 'E', 'F']);
  });

  it('fails the callers of a batch whose model throws, and keeps serving', async () => {
    const b = new MicroBatcher(
      async (items: string[]) => {
        if (items.includes('bad')) throw new Error('model failed');
        return items;
      },
      () => 0,
      { maxBatchSize: 1, maxWaitMs: 0, maxQueued: 10 },
    );
    await expect(b.submit('bad')).rejects.toThrow('model failed');
    await expect(b.submit('good')).resolves.toBe('good');
  });

  it('rejects bad options naming the field', () => {
    expect(() => new MicroBatcher(upper, () => 0, { maxBatchSize: 0, maxWaitMs: 1, maxQueued: 1 })).toThrow(
      /maxBatchSize/,
    );
    expect(() => new MicroBatcher(upper, () => 0, { maxBatchSize: 8, maxWaitMs: 1, maxQueued: 4 })).toThrow(
      /maxQueued/,
    );
  });
});

describe('lengthBuckets', () => {
  it('groups items so none is padded to more than twice its length', () => {
    const items = [3, 100, 12, 9, 70, 16, 1].map((length) => ({ length }));
    const buckets = lengthBuckets(items).map((b) => b.map((i) => i.length));
    expect(buckets).toEqual([
      [3, 1],
      [12, 9, 16],
      [100, 70],
    ]);
    for (const b of buckets) expect(Math.max(...b)).toBeLessThanOrEqual(2 * Math.max(8, Math.min(...b)));
  });
});
