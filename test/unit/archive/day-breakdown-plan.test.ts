import { describe, expect, it } from 'vitest';
import { dayBreakdownsKey } from '../../../core/aggregation/archive-key.ts';
import type { CompactionJob } from '../../../core/archive/compaction-plan.ts';
import { parseArchiveObject } from '../../../core/archive/compaction-plan.ts';
import { compactedWithoutBreakdowns, planArchiveDays } from '../../../core/archive/day-breakdown-plan.ts';

const DAY_MS = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const day = (d: string) => ({ fromMs: at(`${d}T00:00:00Z`), toMs: at(`${d}T00:00:00Z`) + DAY_MS });

/** Archive keys of project `shop` (and of `blog`, which a plan of `shop` must not read). */
const batch = (d: string, project = 'shop') =>
  `events/project=${project}/dt=${d}/hour=10/events.raw-0-${d.replaceAll('-', '')}-1.ndjson.gz`;
const dayObject = (d: string, id = 'aa') => `events/project=shop/dt=${d}/compacted-${id}.parquet`;
const monthObject = (m: string, id = 'bb') => `events/project=shop/month=${m}/compacted-${id}.parquet`;
const withBreakdowns = (...keys: string[]) => keys.flatMap((k) => [k, dayBreakdownsKey(k)]);

describe('dayBreakdownsKey', () => {
  it('puts a compacted object’s day breakdowns beside it, under its id, where no compacted glob finds them', () => {
    expect(dayBreakdownsKey('events/project=a%2Fb/month=2026-01/compacted-0f3e.parquet')).toBe(
      'events/project=a%2Fb/month=2026-01/breakdowns-0f3e.native.zst',
    );
    expect(parseArchiveObject('events', dayBreakdownsKey(dayObject('2026-01-02')))).toBeUndefined();
    expect(() => dayBreakdownsKey(batch('2026-01-02'))).toThrow(/not a compacted object/);
  });
});

describe('planArchiveDays', () => {
  it('reads the whole days of a compacted month from its breakdowns, the pieces of days at the ends from rows', () => {
    const month = monthObject('2026-03');
    const plan = planArchiveDays('events', 'shop', withBreakdowns(month), {
      fromMs: at('2026-03-02T12:00:00Z'),
      toMs: at('2026-03-05T06:00:00Z'),
    });
    expect(plan).toEqual({
      breakdownKeys: [dayBreakdownsKey(month)],
      days: ['2026-03-03', '2026-03-04'],
      rowRanges: [
        { fromMs: at('2026-03-02T12:00:00Z'), toMs: at('2026-03-03T00:00:00Z') },
        { fromMs: at('2026-03-05T00:00:00Z'), toMs: at('2026-03-05T06:00:00Z') },
      ],
    });
  });

  it('reads a day from rows when any other object holds events of it: copies then count once', () => {
    const keys = [
      ...withBreakdowns(dayObject('2026-03-01', 'a1'), dayObject('2026-03-02', 'a2')),
      ...withBreakdowns(dayObject('2026-03-03', 'a3'), dayObject('2026-03-03', 'a4')),
      dayObject('2026-03-04', 'a5'),
      batch('2026-03-02'),
      // Another project's objects of the same days change nothing.
      batch('2026-03-01', 'blog'),
    ];
    const plan = planArchiveDays('events', 'shop', keys, {
      fromMs: at('2026-03-01T00:00:00Z'),
      toMs: at('2026-03-06T00:00:00Z'),
    });
    expect(plan.days).toEqual(['2026-03-01']);
    expect(plan.breakdownKeys).toEqual([dayBreakdownsKey(dayObject('2026-03-01', 'a1'))]);
    // 2 (a batch besides its object), 3 (two compacted objects), 4 (no breakdowns); 5 has no object.
    expect(plan.rowRanges).toEqual([{ fromMs: day('2026-03-02').fromMs, toMs: day('2026-03-04').toMs }]);
  });

  it('reads a day of a compacted month from rows when a day object or a batch of it lies there too', () => {
    const keys = [...withBreakdowns(monthObject('2026-02'), dayObject('2026-02-10')), batch('2026-02-20')];
    const plan = planArchiveDays('events', 'shop', keys, {
      fromMs: at('2026-02-09T00:00:00Z'),
      toMs: at('2026-02-22T00:00:00Z'),
    });
    expect(plan.days).toHaveLength(11);
    expect(plan.days).not.toContain('2026-02-10');
    expect(plan.days).not.toContain('2026-02-20');
    expect(plan.rowRanges).toEqual([day('2026-02-10'), day('2026-02-20')]);
  });

  it('reads nothing of days with no object, and rows alone for a range within one day', () => {
    const month = monthObject('2026-03');
    expect(planArchiveDays('events', 'shop', withBreakdowns(month), day('2026-04-01'))).toEqual({
      breakdownKeys: [],
      days: [],
      rowRanges: [],
    });
    const piece = { fromMs: at('2026-03-09T01:00:00Z'), toMs: at('2026-03-09T02:00:00Z') };
    expect(planArchiveDays('events', 'shop', withBreakdowns(month), piece)).toEqual({
      breakdownKeys: [],
      days: [],
      rowRanges: [piece],
    });
  });
});

describe('compactedWithoutBreakdowns', () => {
  it('lists the compacted objects without breakdowns that this run does not replace', () => {
    const done = dayObject('2026-03-01', 'a1');
    const old = dayObject('2026-03-02', 'a2');
    const replaced = dayObject('2026-03-03', 'a3');
    const keys = [...withBreakdowns(done), old, replaced, batch('2026-03-03')];
    const objects = keys.flatMap((k) => parseArchiveObject('events', k) ?? []);
    const job: CompactionJob = {
      target: dayObject('2026-03-03', 'a4'),
      level: 'day',
      project: 'shop',
      period: '2026-03-03',
      batchKeys: [batch('2026-03-03')],
      compactedKeys: [replaced],
      bytes: 0,
    };
    expect(compactedWithoutBreakdowns(objects, keys, [job])).toEqual([old]);
  });
});
