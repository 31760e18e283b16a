import { describe, expect, it } from 'vitest';
import { archiveKey, compactedKey } from '../../../core/aggregation/archive-key.ts';
import {
  type ArchiveObjectRef,
  type CompactionJob,
  compactionId,
  parseArchiveObject,
  planCompaction,
} from '../../../core/archive/compaction-plan.ts';
import { compactedArchiveGlobs, exactKeysGlob, jsonFieldSql } from '../../../core/query/archive-scan.ts';

const HOUR_MS = 3_600_000;

/** A batch object of `project` at an ISO hour, as the archive function names it. */
function batch(
  project: string | undefined,
  isoHour: string,
  firstOffset: number,
  bytes = 100,
): ArchiveObjectRef {
  const key = archiveKey({
    prefix: 'events',
    ...(project === undefined ? {} : { project }),
    hourStartMs: Date.parse(isoHour),
    topic: 'events.raw',
    partition: 2,
    firstOffset,
    lastOffset: firstOffset + 9,
  });
  return parseArchiveObject('events', key, bytes)!;
}

/** The listing after the jobs ran: sources gone, compacted objects there. */
function apply(objects: readonly ArchiveObjectRef[], jobs: readonly CompactionJob[]): ArchiveObjectRef[] {
  const gone = new Set(jobs.flatMap((j) => [...j.batchKeys, ...j.compactedKeys]));
  const written = jobs.map((j) => parseArchiveObject('events', j.target, j.bytes)!);
  return [...objects.filter((o) => !gone.has(o.key)), ...written];
}

describe('archive keys as compaction reads them', () => {
  it('tells batch, day and month objects apart, with the project decoded', () => {
    const b = batch('my shop', '2019-03-04T05:00:00Z', 40);
    expect(b).toMatchObject({
      kind: 'batch',
      project: 'my shop',
      day: '2019-03-04',
      month: '2019-03',
      bytes: 100,
    });
    const day = compactedKey({
      prefix: 'events',
      project: 'my shop',
      level: 'day',
      period: '2019-03-04',
      id: 'ab12',
    });
    expect(day).toBe('events/project=my%20shop/dt=2019-03-04/compacted-ab12.parquet');
    expect(parseArchiveObject('/events/', day)).toMatchObject({
      kind: 'day',
      day: '2019-03-04',
      month: '2019-03',
    });
    const month = compactedKey({
      prefix: 'events',
      project: 'shop',
      level: 'month',
      period: '2019-03',
      id: 'cd',
    });
    expect(parseArchiveObject('events', month)).toEqual({
      key: month,
      kind: 'month',
      project: 'shop',
      month: '2019-03',
      bytes: 0,
    });
    const tweets = parseArchiveObject(
      'tweets',
      'tweets/dt=2019-03-04/hour=05/tweets.enriched-0-1-2.ndjson.gz',
    );
    expect(tweets).toMatchObject({ kind: 'batch', day: '2019-03-04' });
    expect(tweets).not.toHaveProperty('project');
  });

  it('leaves other keys alone', () => {
    for (const key of [
      'events/project=shop/dt=2019-03-04/hour=05/notes.txt',
      'events/project=shop/dt=2019-03-04/compacted-XYZ.parquet',
      'other/project=shop/dt=2019-03-04/hour=05/a.ndjson.gz',
      'events/project=%E0%A4%A/dt=2019-03-04/hour=05/a.ndjson.gz',
    ])
      expect(parseArchiveObject('events', key)).toBeUndefined();
  });
});

describe('compaction plan', () => {
  const beforeDay = '2026-03-16';

  it('makes one object of each closed month and of each past day of the month under way, never of today', () => {
    const objects = [
      batch('shop', '2005-07-01T00:00:00Z', 0),
      batch('shop', '2005-07-31T23:00:00Z', 10),
      batch('shop', '2005-08-01T00:00:00Z', 20),
      batch('blog', '2005-07-09T10:00:00Z', 30),
      batch('shop', '2026-02-28T23:00:00Z', 40),
      batch('shop', '2026-03-01T00:00:00Z', 50),
      batch('shop', '2026-03-01T13:00:00Z', 60),
      batch('shop', '2026-03-15T23:00:00Z', 70),
      batch('shop', '2026-03-16T00:00:00Z', 80),
    ];
    const jobs = planCompaction(objects, { prefix: 'events', beforeDay });
    expect(jobs.map((j) => [j.project, j.level, j.period, j.batchKeys.length])).toEqual([
      ['blog', 'month', '2005-07', 1],
      ['shop', 'month', '2005-07', 2],
      ['shop', 'month', '2005-08', 1],
      ['shop', 'month', '2026-02', 1],
      ['shop', 'day', '2026-03-01', 2],
      ['shop', 'day', '2026-03-15', 1],
    ]);
    expect(jobs.flatMap((j) => j.batchKeys)).not.toContain(objects[8]!.key);
    expect(jobs[1]!.target).toMatch(/^events\/project=shop\/month=2005-07\/compacted-[0-9a-f]{20}\.parquet$/);
    expect(jobs[1]!.bytes).toBe(200);
  });

  it('plans nothing once done, and the same keys for the same sources', () => {
    const objects = Array.from({ length: 40 }, (_, i) =>
      batch('shop', new Date(Date.UTC(2001, 0, 1) + i * 37 * HOUR_MS).toISOString(), i * 10),
    );
    const jobs = planCompaction(objects, { prefix: 'events', beforeDay });
    expect(planCompaction([...objects].reverse(), { prefix: 'events', beforeDay })).toEqual(jobs);
    expect(planCompaction(apply(objects, jobs), { prefix: 'events', beforeDay })).toEqual([]);
  });

  it('merges a late batch with the compacted object of its period, which it then replaces', () => {
    const objects = [batch('shop', '2010-05-03T04:00:00Z', 0), batch('shop', '2010-05-20T04:00:00Z', 10)];
    const after = apply(objects, planCompaction(objects, { prefix: 'events', beforeDay }));
    const late = batch('shop', '2010-05-07T09:00:00Z', 500);
    const [job, ...more] = planCompaction([...after, late], { prefix: 'events', beforeDay });
    expect(more).toEqual([]);
    expect(job!.batchKeys).toEqual([late.key]);
    expect(job!.compactedKeys).toEqual([after[0]!.key]);
    expect(job!.target).not.toBe(after[0]!.key);
  });

  it('after a run cut short between write and delete, merges what is left again', () => {
    const objects = [batch('shop', '2010-05-03T04:00:00Z', 0), batch('shop', '2010-05-20T04:00:00Z', 10)];
    const [job] = planCompaction(objects, { prefix: 'events', beforeDay });
    const crashed = [...objects, parseArchiveObject('events', job!.target)!];
    const [again] = planCompaction(crashed, { prefix: 'events', beforeDay });
    expect(again!.batchKeys).toEqual(job!.batchKeys);
    expect(again!.compactedKeys).toEqual([job!.target]);
  });

  it('compacts a crowded month day by day first, and a crowded day in chunks, until few enough remain', () => {
    const objects = Array.from({ length: 25 }, (_, i) =>
      batch(
        'shop',
        `2012-02-${String(1 + (i % 3)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`,
        i * 10,
      ),
    );
    const first = planCompaction(objects, { prefix: 'events', beforeDay, maxSources: 4 });
    expect(first.every((j) => j.level === 'day' && j.batchKeys.length <= 4)).toBe(true);
    expect(new Set(first.flatMap((j) => j.batchKeys))).toEqual(new Set(objects.map((o) => o.key)));
    let listing = apply(objects, first);
    let rounds = 1;
    for (
      let jobs = planCompaction(listing, { prefix: 'events', beforeDay, maxSources: 4 });
      jobs.length > 0;
      rounds++
    ) {
      listing = apply(listing, jobs);
      jobs = planCompaction(listing, { prefix: 'events', beforeDay, maxSources: 4 });
    }
    expect(rounds).toBeLessThanOrEqual(4);
    expect(listing.map((o) => o.kind)).toEqual(['month']);
  });

  it('keeps a month too large for one statement as day objects, and leaves them be', () => {
    const objects = Array.from({ length: 6 }, (_, i) =>
      batch('shop', `2014-06-0${1 + (i % 3)}T0${i}:00:00Z`, i * 10, 40),
    );
    const options = { prefix: 'events', beforeDay, maxBytes: 100 };
    const jobs = planCompaction(objects, options);
    expect(jobs.map((j) => [j.level, j.period, j.bytes])).toEqual([
      ['day', '2014-06-01', 80],
      ['day', '2014-06-02', 80],
      ['day', '2014-06-03', 80],
    ]);
    const after = apply(objects, jobs);
    expect(planCompaction(after, options)).toEqual([]);
    // A late batch makes its day too large to merge: it is compacted on its own, then all stays.
    const late = [...after, batch('shop', '2014-06-02T09:00:00Z', 900, 40)];
    const [lateJob, ...none] = planCompaction(late, options);
    expect(none).toEqual([]);
    expect(lateJob).toMatchObject({ level: 'day', period: '2014-06-02', compactedKeys: [] });
    expect(planCompaction(apply(late, [lateJob!]), options)).toEqual([]);
  });

  it('takes one project when asked, and archives of no project alike', () => {
    const objects = [batch('shop', '2003-01-01T00:00:00Z', 0), batch('blog', '2003-01-01T00:00:00Z', 10)];
    expect(
      planCompaction(objects, { prefix: 'events', beforeDay, project: 'blog' }).map((j) => j.project),
    ).toEqual(['blog']);
    const tweets = parseArchiveObject(
      'tweets',
      'tweets/dt=2003-01-01/hour=00/tweets.enriched-0-1-2.ndjson.gz',
    )!;
    const [job] = planCompaction([tweets], { prefix: 'tweets', beforeDay });
    expect(job!.target).toMatch(/^tweets\/month=2003-01\/compacted-/);
  });

  it('derives ids from the set of keys, whatever their order', () => {
    expect(compactionId(['b', 'a'])).toBe(compactionId(['a', 'b']));
    expect(compactionId(['a'])).not.toBe(compactionId(['a', 'b']));
  });
});

describe('reading compacted objects', () => {
  it('globs the compacted days and months of a range', () => {
    const from = Date.UTC(2025, 11, 30, 5);
    const to = Date.UTC(2026, 1, 1);
    expect(compactedArchiveGlobs('/events/', 'my shop', from, to).months).toBe(
      'events/project=my%20shop/month={2025-12,2026-01}/compacted-*.parquet',
    );
    expect(compactedArchiveGlobs('events', 'shop', Date.UTC(2026, 1, 3), Date.UTC(2026, 1, 4)).days).toBe(
      'events/project=shop/dt=2026-02-03/compacted-*.parquet',
    );
    expect(compactedArchiveGlobs('events', 'shop', Date.UTC(1990, 0, 1), Date.UTC(2030, 0, 1))).toEqual({
      days: 'events/project=shop/dt=*/compacted-*.parquet',
      months: 'events/project=shop/month=*/compacted-*.parquet',
    });
  });

  it('reads a field from the row JSON as JSONEachRow types it', () => {
    expect(jsonFieldSql('kafka_offset UInt64')).toBe("JSONExtract(raw, 'kafka_offset', 'UInt64')");
    expect(jsonFieldSql('order Nullable(String)', 'line')).toContain("JSONExtractRaw(line, 'order')");
  });

  it('names exactly the planned keys in one glob', () => {
    expect(exactKeysGlob(['e/p/dt=2001-01-02/hour=03/a.ndjson.gz'])).toBe(
      'e/p/dt=2001-01-02/hour=03/a.ndjson.gz',
    );
    expect(
      exactKeysGlob(['e/p/dt=2001-01-02/hour=03/a.ndjson.gz', 'e/p/dt=2001-01-09/hour=00/b.ndjson.gz']),
    ).toBe('e/p/dt=2001-01-0{2/hour=03/a.ndjson.gz,9/hour=00/b.ndjson.gz}');
  });
});
