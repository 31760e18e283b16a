/** Merging the small buckets of the hot tier on read. */
export type Tally = ReadonlyMap<string, number>;

export function mergeTallies(tallies: Iterable<Tally>): Map<string, number> {
  const out = new Map<string, number>();
  for (const tally of tallies) for (const [k, v] of tally) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

export interface Ranked {
  readonly member: string;
  readonly score: number;
}

/** Highest scores first; ties broken by member so the order is stable between reads. */
export function topN(tally: Tally, n: number): Ranked[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: must be a positive integer, got ${n}`);
  return [...tally]
    .map(([member, score]) => ({ member, score }))
    .sort((a, b) => b.score - a.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
    .slice(0, n);
}

/** A Redis reply of alternating member/score (ZRANGE WITHSCORES, HGETALL as array) as a tally. */
export function tallyFromPairs(pairs: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < pairs.length; i += 2) out.set(pairs[i]!, Number(pairs[i + 1]));
  return out;
}
