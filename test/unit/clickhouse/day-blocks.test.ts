import { describe, expect, it } from 'vitest';
import { dayBlocks, MAX_DAYS_PER_INSERT, partitionDay } from '../../../io/clickhouse/day-blocks.ts';

const DAY_MS = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const entry = (offset: number, ms: number) => ({ offset, ts: at(ms) });

describe('dayBlocks', () => {
  it('keeps a batch within the limit as one block, as sent', () => {
    const entries = [
      entry(0, Date.UTC(2026, 0, 2)),
      entry(1, Date.UTC(2026, 0, 1)),
      entry(2, Date.UTC(2026, 0, 2)),
    ];
    expect(dayBlocks(entries, 2)).toEqual([entries]);
    expect(dayBlocks([], 2)).toEqual([]);
  });

  it('cuts history into blocks of at most the limit of days, every entry once, in offset order', () => {
    // 300 days over 20 years, three events a day, days out of order in the batch.
    const days = Array.from({ length: 300 }, (_, i) => Date.UTC(1996, 2, 1) + ((i * 97) % 300) * 24 * DAY_MS);
    const entries = days.flatMap((d, i) => [0, 1, 2].map((k) => entry(i * 3 + k, d + k * 3_600_000)));
    const blocks = dayBlocks(entries);
    expect(blocks).toHaveLength(300 / MAX_DAYS_PER_INSERT);
    for (const block of blocks) {
      expect(new Set(block.map((e) => partitionDay(e.ts))).size).toBeLessThanOrEqual(MAX_DAYS_PER_INSERT);
      const offsets = block.map((e) => e.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
    expect(
      blocks
        .flat()
        .map((e) => e.offset)
        .sort((a, b) => a - b),
    ).toEqual(entries.map((e) => e.offset));
    // A day is never split between blocks, and blocks follow the calendar.
    const lastDays = blocks.map(
      (b) =>
        b
          .map((e) => partitionDay(e.ts))
          .sort()
          .at(-1) ?? '',
    );
    const firstDays = blocks.map((b) => b.map((e) => partitionDay(e.ts)).sort()[0] ?? '');
    for (let i = 1; i < blocks.length; i += 1) expect(firstDays[i]! > lastDays[i - 1]!).toBe(true);
  });

  it('cuts the same entries the same way, so a retry sends the same blocks', () => {
    const entries = Array.from({ length: 120 }, (_, i) =>
      entry(i, Date.UTC(2001, 0, 1) + ((i * 7) % 120) * DAY_MS),
    );
    expect(dayBlocks([...entries], 50)).toEqual(dayBlocks(entries, 50));
    expect(dayBlocks(entries, 50).map((b) => b.length)).toEqual([50, 50, 20]);
  });

  it('reads the day of the UTC text ClickHouse partitions by', () => {
    expect(partitionDay('1996-03-01 23:59:59.999')).toBe('1996-03-01');
  });
});
