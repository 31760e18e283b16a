import { dayBreakdownsKey } from '../aggregation/archive-key.ts';
import { splitWholeDays, type TimeRange } from '../query/whole-days.ts';
import { type ArchiveObjectRef, type CompactionJob, parseArchiveObject, utcDay } from './compaction-plan.ts';

const DAY_MS = 86_400_000;

/** How a cold breakdown reads a project's archive over a range: by day breakdowns where it may, rows elsewhere. */
export interface ArchiveDayPlan {
  /** The day breakdown objects to read, in key order. */
  readonly breakdownKeys: readonly string[];
  /** The whole UTC days (`YYYY-MM-DD`) to read from them, in order. */
  readonly days: readonly string[];
  /** The rest of the range that has archive objects, read from its rows; in order, apart. */
  readonly rowRanges: readonly TimeRange[];
}

/**
 * Which whole days of [from, to) a project's day breakdowns answer, from a listing of its
 * archive (`keys`, under `prefix`): a day whose only object is one compacted object (of the
 * day, or of its month) that has its breakdowns. Any other object of the day (a batch archived
 * after the compaction, a second compacted object while a compaction replaces the first) means
 * the day's rows must be read, so that copies of an event in two objects count once; so must the
 * pieces of days at the range's ends. Days with no object hold nothing and are not read at all.
 * Left as it is: copies of one event stamped on two days (a client's retry whose clock
 * correction crossed midnight, core/events/clock-skew.ts: the stamps differ by the retry's
 * network time) are each counted on their day, where a read of the rows keeps one of them.
 */
export function planArchiveDays(
  prefix: string,
  project: string,
  keys: readonly string[],
  range: TimeRange,
): ArchiveDayPlan {
  const listed = new Set(keys);
  const byPeriod = new Map<string, ArchiveObjectRef[]>();
  for (const key of keys) {
    const object = parseArchiveObject(prefix, key);
    if (object?.project !== project) continue;
    const period = object.kind === 'month' ? object.month : object.day!;
    byPeriod.set(period, [...(byPeriod.get(period) ?? []), object]);
  }
  const objectsOf = (day: string) => [...(byPeriod.get(day) ?? []), ...(byPeriod.get(day.slice(0, 7)) ?? [])];

  const breakdownKeys = new Set<string>();
  const days: string[] = [];
  const rowRanges: TimeRange[] = [];
  // The pieces of days at the ends and each whole day between, in time order.
  const split = splitWholeDays(range.fromMs, range.toMs);
  const parts = split.edges.map((edge) => ({ ...edge, whole: false }));
  if (split.days)
    for (let dayMs = Date.parse(split.days.fromDay); dayMs < Date.parse(split.days.toDay); dayMs += DAY_MS)
      parts.push({ fromMs: dayMs, toMs: dayMs + DAY_MS, whole: true });
  parts.sort((a, b) => a.fromMs - b.fromMs);
  for (const part of parts) {
    const day = utcDay(part.fromMs);
    const objects = objectsOf(day);
    const only = part.whole && objects.length === 1 && objects[0]!.kind !== 'batch' ? objects[0] : undefined;
    const breakdowns = only && dayBreakdownsKey(only.key);
    if (breakdowns && listed.has(breakdowns)) {
      breakdownKeys.add(breakdowns);
      days.push(day);
    } else if (objects.length > 0) {
      const last = rowRanges.at(-1);
      if (last?.toMs === part.fromMs)
        rowRanges[rowRanges.length - 1] = { fromMs: last.fromMs, toMs: part.toMs };
      else rowRanges.push({ fromMs: part.fromMs, toMs: part.toMs });
    }
  }
  return { breakdownKeys: [...breakdownKeys].sort(), days, rowRanges };
}

/**
 * The compacted objects of a listing that have no day breakdowns yet and that no job of this
 * run replaces (its new object gets them as it is written): objects compacted before day
 * breakdowns existed, or whose run stopped between the two writes. In key order.
 */
export function compactedWithoutBreakdowns(
  objects: readonly ArchiveObjectRef[],
  keys: readonly string[],
  jobs: readonly CompactionJob[],
): string[] {
  const listed = new Set(keys);
  const replaced = new Set(jobs.flatMap((job) => job.compactedKeys));
  return objects
    .filter((o) => o.kind !== 'batch' && !replaced.has(o.key) && !listed.has(dayBreakdownsKey(o.key)))
    .map((o) => o.key)
    .sort();
}
