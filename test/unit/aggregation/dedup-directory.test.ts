import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bitsFor,
  dedupClock,
  generationAt,
  isLive,
  parseDirectory,
  SHARD_FILL,
  segmentExpiry,
  segmentForWrites,
  staleFields,
} from '../../../core/aggregation/dedup-directory.ts';
import {
  digestField,
  eventDigest,
  eventIdentity,
  offsetTag,
  shardOf,
} from '../../../core/aggregation/event-digest.ts';

const DAY = 86_400;
const clock = dedupClock(DAY);
const at = (generation: number, intoSeconds = 0) =>
  (generation * clock.generationSeconds + intoSeconds) * 1000;

describe('dedup segments', () => {
  it('cuts the window into eight generations and keeps a segment a window past its generation', () => {
    expect(clock.generationSeconds).toBe(3 * 3600);
    expect(generationAt(clock, at(100, 10_799))).toBe(100);
    expect(generationAt(clock, at(101))).toBe(101);
    expect(segmentExpiry(clock, 100)).toBe(101 * 3 * 3600 + DAY);
    // An id seen at the very end of generation 100 is remembered for the whole window after.
    expect(isLive(clock, { generation: 100 }, at(101) + DAY * 1000 - 1000)).toBe(true);
    expect(isLive(clock, { generation: 100 }, at(101) + DAY * 1000)).toBe(false);
    expect(() => dedupClock(7)).toThrow(/dedup window/);
  });

  it('reads the directory, ignoring fields that are not segments', () => {
    expect(
      parseDirectory({
        '100.0': '3',
        '100.0.n': '700',
        '100.1': '5',
        junk: 'x',
        '99.0': 'wide',
        '101.0': '99',
      }),
    ).toEqual([
      { generation: 100, index: 0, bits: 3, count: 700 },
      { generation: 100, index: 1, bits: 5, count: 0 },
    ]);
  });

  it('sizes a new generation from the last one, to at most SHARD_FILL ids a shard', () => {
    expect(bitsFor(0)).toBe(0);
    expect(bitsFor(SHARD_FILL)).toBe(0);
    expect(bitsFor(SHARD_FILL + 1)).toBe(1);
    expect(bitsFor(SHARD_FILL * 1024)).toBe(10);
    const last = [{ generation: 99, index: 0, bits: 9, count: SHARD_FILL * 700 }];
    expect(segmentForWrites(last, 100, 50)).toEqual({
      segment: { generation: 100, index: 0, bits: 10, count: 0 },
      created: true,
    });
  });

  it('keeps writing to the open segment while it has room, and opens a wider one when a burst fills it', () => {
    const open = { generation: 100, index: 0, bits: 2, count: SHARD_FILL * 4 - 10 };
    expect(segmentForWrites([open], 100, 10)).toEqual({ segment: open, created: false });
    expect(segmentForWrites([open], 100, 11)).toEqual({
      segment: { generation: 100, index: 1, bits: 4, count: 0 },
      created: true,
    });
    // A batch larger than four times the segment gets a segment its size.
    expect(segmentForWrites([open], 100, SHARD_FILL * 64).segment.bits).toBe(6);
  });

  it('lists the directory fields of expired segments for removal, and only those', () => {
    const segments = [
      { generation: 90, index: 0, bits: 0, count: 5 },
      { generation: 91, index: 0, bits: 0, count: 5 },
    ];
    // Generation 90 expires when generation 91 + 8 ends, i.e. at the start of generation 99.
    expect(staleFields(clock, segments, at(98, 10_799))).toEqual([]);
    expect(staleFields(clock, segments, at(99))).toEqual(['90.0', '90.0.n']);
  });
});

describe('event digests', () => {
  it('tells projects apart and gives 96 bits of field apart from the shard bits', () => {
    const a = eventDigest(eventIdentity('shop', 'e1'));
    expect(a.length).toBe(16);
    // The first 16 bytes of SHA-256 over "project NUL id", whichever hashing API Node offers.
    expect(a.toString('hex')).toBe(createHash('sha256').update('shop\u0000e1').digest('hex').slice(0, 32));
    expect(a.equals(eventDigest(eventIdentity('shop', 'e1')))).toBe(true);
    expect(a.equals(eventDigest(eventIdentity('blog', 'e1')))).toBe(false);
    expect(digestField(a).length).toBe(12);
    expect(shardOf(a, 0)).toBe(0);
    expect(shardOf(a, 8)).toBe(a[0]);
    expect(shardOf(a, 20)).toBeLessThan(2 ** 20);
  });

  it('stores offsets modulo 2^31, where a Redis hash keeps a value in 6 bytes', () => {
    expect(offsetTag(5)).toBe(5);
    expect(offsetTag(2 ** 31 + 7)).toBe(7);
  });
});
