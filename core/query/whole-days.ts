const DAY_MS = 86_400_000;

/** A part of time, [fromMs, toMs). */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** A range cut at UTC midnights: the whole days inside it, and the parts of days at its ends. */
export interface DaySplit {
  /** Whole UTC days [fromDay, toDay), as YYYY-MM-DD; absent when no whole day lies inside. */
  readonly days?: { readonly fromDay: string; readonly toDay: string };
  /** The parts before the first whole day and after the last, [fromMs, toMs) each; none empty. */
  readonly edges: readonly TimeRange[];
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * [from, to) as whole UTC days and the pieces of days at either end, so that a per-day rollup
 * answers the days and raw rows only the pieces. Days are UTC days because the rollups' day is
 * ClickHouse's toDate of a UTC timestamp.
 */
export function splitWholeDays(fromMs: number, toMs: number): DaySplit {
  const firstMidnight = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const lastMidnight = Math.floor(toMs / DAY_MS) * DAY_MS;
  if (firstMidnight >= lastMidnight) return { edges: fromMs < toMs ? [{ fromMs, toMs }] : [] };
  const edges = [
    { fromMs, toMs: firstMidnight },
    { fromMs: lastMidnight, toMs },
  ].filter((e) => e.fromMs < e.toMs);
  return { days: { fromDay: dayOf(firstMidnight), toDay: dayOf(lastMidnight) }, edges };
}
