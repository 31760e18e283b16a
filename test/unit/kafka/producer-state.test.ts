import { describe, expect, it } from 'vitest';
import type { BatchEntry } from '../../../local/kafka/log/batch-entry.ts';
import { ProducerState } from '../../../local/kafka/log/producer-state.ts';
import { ATTR_TRANSACTIONAL } from '../../../local/kafka/protocol/record-batch.ts';

const entry = (
  baseOffset: number,
  count: number,
  baseSequence: number,
  extra: Partial<BatchEntry> = {},
): BatchEntry => ({
  baseOffset,
  lastOffset: baseOffset + count - 1,
  position: 0,
  size: 100,
  attributes: 0,
  maxTimestamp: 0,
  producerId: 7,
  producerEpoch: 0,
  baseSequence,
  ...extra,
});

describe('ProducerState', () => {
  it('accepts the next sequence, recognises a retry, and refuses a gap or an old epoch', () => {
    const s = new ProducerState();
    expect(s.check(7, 0, 0, 2)).toEqual({ kind: 'append' });
    s.observe(entry(10, 3, 0));
    expect(s.check(7, 0, 0, 2)).toEqual({ kind: 'duplicate', baseOffset: 10 });
    expect(s.check(7, 0, 3, 0)).toEqual({ kind: 'append' });
    expect(s.check(7, 0, 5, 0)).toEqual({ kind: 'reject', errorCode: 45 });
    s.observe(entry(13, 1, 3, { producerEpoch: 1 }));
    expect(s.check(7, 0, 4, 0)).toEqual({ kind: 'reject', errorCode: 47 });
    expect(s.check(-1, -1, -1, 0)).toEqual({ kind: 'append' });
  });

  it('tracks the last stable offset and the aborted ranges read_committed fetches need', () => {
    const s = new ProducerState();
    s.observe(entry(5, 2, 0, { attributes: ATTR_TRANSACTIONAL }));
    s.observe(entry(7, 1, 0, { producerId: 8, attributes: ATTR_TRANSACTIONAL }));
    expect(s.lastStableOffset(8)).toBe(5);
    s.observeMarker(7, false, 8);
    expect(s.lastStableOffset(9)).toBe(7);
    s.observeMarker(8, true, 9);
    expect(s.lastStableOffset(10)).toBe(10);
    expect(s.abortedIn(0, 10)).toEqual([{ producerId: 7, firstOffset: 5, lastOffset: 8 }]);
    expect(s.abortedIn(9, 10)).toEqual([]);
    s.forgetBefore(9);
    expect(s.abortedIn(0, 10)).toEqual([]);
  });
});
