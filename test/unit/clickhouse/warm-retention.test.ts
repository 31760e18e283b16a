import { describe, expect, it } from 'vitest';
import { clickhouseTime } from '../../../core/aggregation/warehouse-row.ts';
import { WARM_RETENTION_DAYS, withinWarmRetention } from '../../../io/clickhouse/warm-retention.ts';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-03-29T01:30:00.000Z');
const entry = (ms: number) => ({ ts: clickhouseTime(ms) });

describe('withinWarmRetention', () => {
  it('sends every row the warm tier keeps, and a day more for a server clock that differs', () => {
    const kept = [
      NOW,
      NOW + DAY_MS,
      NOW - WARM_RETENTION_DAYS * DAY_MS,
      NOW - (WARM_RETENTION_DAYS + 1) * DAY_MS,
    ];
    expect(withinWarmRetention(kept.map(entry), NOW)).toEqual(kept.map(entry));
  });

  it('holds back history older than that, however old', () => {
    const old = [NOW - (WARM_RETENTION_DAYS + 1) * DAY_MS - 1, Date.UTC(1996, 2, 1), 0];
    expect(withinWarmRetention(old.map(entry), NOW)).toEqual([]);
    const mixed = [entry(Date.UTC(2001, 8, 1)), entry(NOW - DAY_MS), entry(Date.UTC(1999, 11, 31, 23))];
    expect(withinWarmRetention(mixed, NOW)).toEqual([entry(NOW - DAY_MS)]);
  });
});
