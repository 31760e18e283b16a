import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { oldestEventAgeMs } from '../../../core/push/frame-freshness.ts';
import { enrichedEvent, mskEventOf } from '../aggregation/factories.ts';

const PUSHED_AT = Date.UTC(2026, 2, 29, 1, 0, 0);

/** An MSK event whose records were produced at `producedAt` (ms), in order. */
function producedAt(event: MSKEvent, ...times: number[]): MSKEvent {
  const [key, records] = Object.entries(event.records)[0]!;
  return { ...event, records: { [key]: records.map((r, i) => ({ ...r, timestamp: times[i]! })) } };
}

describe('event-to-frame freshness of a broadcaster batch', () => {
  it("is the oldest event's age at push time", () => {
    const batch = producedAt(
      mskEventOf([enrichedEvent(), enrichedEvent(), enrichedEvent()]),
      PUSHED_AT - 800,
      PUSHED_AT - 2_500,
      PUSHED_AT - 10,
    );
    expect(oldestEventAgeMs(batch, PUSHED_AT)).toBe(2_500);
  });

  it('says nothing for a batch of tweets or an empty batch', () => {
    const tweets = producedAt(mskEventOf(['{}'], { topic: 'tweets.enriched' }), PUSHED_AT - 60_000);
    expect(oldestEventAgeMs(tweets, PUSHED_AT)).toBeUndefined();
    expect(oldestEventAgeMs({ ...tweets, records: {} }, PUSHED_AT)).toBeUndefined();
  });

  it('reads an event stamped ahead of this clock as fresh, never negative', () => {
    const ahead = producedAt(mskEventOf([enrichedEvent()]), PUSHED_AT + 300);
    expect(oldestEventAgeMs(ahead, PUSHED_AT)).toBe(0);
  });
});
