import { describe, expect, it } from 'vitest';
import { ChannelState } from '../../../core/push/frame-sequence.ts';
import { frameFor, parseFrame, SNAPSHOT_EVERY } from '../../../core/push/frames.ts';
import { applyMergePatch, createMergePatch, type JsonObject } from '../../../core/push/merge-patch.ts';

const series = (from: number, n: number): JsonObject => {
  const points: JsonObject = {};
  for (let s = from; s < from + n; s++) points[String(s)] = { page_view: s % 7, purchase: s % 3 };
  return { step: 1, points };
};

describe('merge patch', () => {
  it('round-trips: applying the patch from a to b gives b', () => {
    const a = { events: 10, by_type: { page_view: 8, purchase: 2 }, top: [1, 2], gone: 'x' };
    const b = { events: 12, by_type: { page_view: 8, add_to_cart: 4 }, top: [2, 1] };
    const patch = createMergePatch(a, b)!;
    expect(patch).toEqual({
      gone: null,
      events: 12,
      by_type: { purchase: null, add_to_cart: 4 },
      top: [2, 1],
    });
    expect(applyMergePatch(a, patch)).toEqual(b);
  });

  it('has no patch for equal snapshots', () => {
    expect(createMergePatch(series(100, 5), series(100, 5))).toBeUndefined();
  });
});

describe('frames', () => {
  it('sends a sliding per-second series as a small delta', () => {
    const prev = series(1000, 300);
    const next = series(1001, 300);
    const frame = frameFor('timeseries:events', 2, 5, prev, next)!;
    expect(frame.type).toBe('delta');
    if (frame.type !== 'delta') return;
    expect(frame.patch).toEqual({
      points: { '1000': null, '1300': { page_view: 1300 % 7, purchase: 1300 % 3 } },
    });
    expect(JSON.stringify(frame).length).toBeLessThan(JSON.stringify(next).length / 10);
  });

  it('sends a snapshot first, every SNAPSHOT_EVERY frames, and when a delta would be larger', () => {
    expect(frameFor('ops', 1, 0, undefined, { a: 1 })?.type).toBe('snapshot');
    expect(frameFor('ops', SNAPSHOT_EVERY, 0, { a: 1 }, { a: 2 })?.type).toBe('snapshot');
    expect(frameFor('ops', 3, 0, { a: 1, b: 2 }, { c: 3 })?.type).toBe('snapshot');
    expect(frameFor('ops', 3, 0, { a: 1 }, { a: 1 })).toBeUndefined();
  });

  it('checks frames from the wire', () => {
    expect(() => parseFrame('{')).toThrow(/not JSON/);
    expect(() => parseFrame('{"type":"delta","channel":"ops","seq":0,"at":1,"patch":{}}')).toThrow(
      /frame.seq/,
    );
    expect(() => parseFrame('{"type":"snapshot","channel":"ops","seq":1,"at":1,"data":[]}')).toThrow(
      /frame.data/,
    );
    expect(parseFrame('{"type":"delta","channel":"ops","seq":4,"at":1,"patch":{"a":1}}').seq).toBe(4);
  });
});

describe('ChannelState', () => {
  it('applies in-order deltas, ignores stale frames and reports gaps', () => {
    const state = new ChannelState();
    expect(state.accept({ type: 'delta', channel: 'c', seq: 5, at: 0, patch: { a: 1 } })).toEqual({
      kind: 'gap',
      expected: 1,
      got: 5,
    });
    expect(state.accept({ type: 'snapshot', channel: 'c', seq: 5, at: 0, data: { a: 1, b: 1 } }).kind).toBe(
      'applied',
    );
    expect(state.accept({ type: 'delta', channel: 'c', seq: 6, at: 0, patch: { a: 2 } })).toEqual({
      kind: 'applied',
      data: { a: 2, b: 1 },
    });
    expect(state.accept({ type: 'delta', channel: 'c', seq: 6, at: 0, patch: { a: 9 } }).kind).toBe('stale');
    expect(state.accept({ type: 'delta', channel: 'c', seq: 8, at: 0, patch: { a: 3 } })).toMatchObject({
      kind: 'gap',
      expected: 7,
    });
    expect(state.data).toEqual({ a: 2, b: 1 });
    state.reset();
    expect(state.accept({ type: 'snapshot', channel: 'c', seq: 2, at: 0, data: { z: 1 } }).kind).toBe(
      'applied',
    );
  });
});
