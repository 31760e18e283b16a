import { describe, expect, it } from 'vitest';
import { AckWatermark } from '../../../bin/import/ack-watermark.ts';

describe('AckWatermark', () => {
  it('commits batches in order, holding one answered early until those before it are', () => {
    const mark = new AckWatermark<string>();
    expect(mark.complete(1, 'b1')).toEqual([]);
    expect(mark.complete(2, 'b2')).toEqual([]);
    expect(mark.waiting).toBe(2);
    expect(mark.complete(0, 'b0')).toEqual(['b0', 'b1', 'b2']);
    expect(mark.waiting).toBe(0);
    expect(mark.complete(3, 'b3')).toEqual(['b3']);
  });

  it('never commits past a batch that was not answered', () => {
    const mark = new AckWatermark<number>();
    mark.complete(0, 0);
    for (const seq of [2, 3, 4]) expect(mark.complete(seq, seq)).toEqual([]);
    expect(mark.waiting).toBe(3);
  });

  it('refuses an answer twice', () => {
    const mark = new AckWatermark<number>();
    mark.complete(0, 0);
    expect(() => mark.complete(0, 0)).toThrow(/twice/);
    mark.complete(2, 2);
    expect(() => mark.complete(2, 2)).toThrow(/twice/);
  });
});
