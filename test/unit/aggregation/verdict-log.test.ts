import { describe, expect, it } from 'vitest';
import { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import {
  planVerdicts,
  readVerdicts,
  VERDICT_CHUNK,
  verdictRanges,
} from '../../../core/aggregation/verdict-log.ts';

const where = { topic: 'events.raw', partition: 2 };

describe('the verdict log', () => {
  it('reads a batch across a chunk boundary as two ranges', () => {
    const ranges = verdictRanges(where, VERDICT_CHUNK - 2, VERDICT_CHUNK + 1);
    expect(ranges).toEqual([
      {
        key: '{sp}:dd:events.raw:2:v:0',
        fromOffset: VERDICT_CHUNK - 2,
        start: VERDICT_CHUNK - 2,
        end: VERDICT_CHUNK - 1,
      },
      { key: '{sp}:dd:events.raw:2:v:1', fromOffset: VERDICT_CHUNK, start: 0, end: 1 },
    ]);
  });

  it('reads the verdicts left for the records; the others are undecided', () => {
    const ranges = verdictRanges(where, 10, 14);
    expect(readVerdicts(ranges, ['cdxcd'], [10, 11, 13, 14])).toEqual(
      new Map([
        [10, true],
        [11, false],
        [13, true],
        [14, false],
      ]),
    );
    // Offset 12 held no event when the leader wrote; a record there now has no verdict.
    expect(readVerdicts(ranges, ['cdxcd'], [10, 12])).toEqual(new Map([[10, true]]));
    // Zeros (a chunk made for a later range) and a short reply (a missing key) decide nothing.
    expect(readVerdicts(ranges, ['cd\u0000cd'], [12])).toEqual(new Map());
    expect(readVerdicts(ranges, [''], [10])).toEqual(new Map());
  });

  it('writes one byte per offset, gaps marked, split at chunk boundaries', () => {
    const plan = new RedisPlan();
    const first = VERDICT_CHUNK - 2;
    planVerdicts(plan, where, [first, first + 1, first + 3], new Set([first, first + 3]), 5000);
    expect(plan.ranges.get('{sp}:dd:events.raw:2:v:0')).toEqual({
      size: VERDICT_CHUNK,
      writes: [{ at: VERDICT_CHUNK - 2, bytes: 'cd' }],
    });
    expect(plan.ranges.get('{sp}:dd:events.raw:2:v:1')).toEqual({
      size: VERDICT_CHUNK,
      writes: [{ at: 0, bytes: 'xc' }],
    });
    expect(plan.expiries.get('{sp}:dd:events.raw:2:v:1')).toBe(5000);
  });
});
