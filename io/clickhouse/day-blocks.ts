/**
 * ClickHouse refuses an insert block whose rows fall in more than `max_partitions_per_insert_block`
 * (default 100) partitions, and the refusal repeats on every retry: one batch of history would
 * hold back every live row behind it on its Kafka partition. The warm tables (and the rollups
 * their views fill) are partitioned by day, the identity index by week, so a block of at most
 * this many days stays under the limit in every table an insert touches, with room to spare.
 */
export const MAX_DAYS_PER_INSERT = 50;

/** The day partition of a row: `toDate(ts)` of its DateTime64 text in UTC (`YYYY-MM-DD ...`). */
export function partitionDay(ts: string): string {
  return ts.slice(0, 10);
}

/**
 * The entries cut into insert blocks of at most `maxDays` distinct days, days in ascending
 * order, entries in their own order within a block. A batch within the limit (all live traffic)
 * stays one block. Which block an entry falls in depends only on the days of the entries given,
 * so a retry sending the same entries cuts the same blocks.
 */
export function dayBlocks<T extends { readonly ts: string }>(
  entries: readonly T[],
  maxDays = MAX_DAYS_PER_INSERT,
): T[][] {
  const days = [...new Set(entries.map((e) => partitionDay(e.ts)))].sort();
  if (days.length <= maxDays) return entries.length === 0 ? [] : [[...entries]];
  const blockOf = new Map(days.map((day, rank) => [day, Math.floor(rank / maxDays)]));
  const blocks: T[][] = Array.from({ length: Math.ceil(days.length / maxDays) }, () => []);
  for (const entry of entries) blocks[blockOf.get(partitionDay(entry.ts)) ?? 0]?.push(entry);
  return blocks;
}
