/**
 * A stratified split fixed by a seed and each row's key (the tweet id, or its text where the
 * source has no id): within each label, rows are ordered by a hash of seed and key and the
 * first share goes to the held-out part. Adding rows to a file moves no other row across.
 */
export interface SplitShares {
  readonly seed: number;
  /** Share of each label held out of training for the final scores. */
  readonly test: number;
  /** Share of each label's remaining rows kept for early stopping and calibration. */
  readonly dev: number;
}

export interface Split<T> {
  readonly train: T[];
  readonly dev: T[];
  readonly test: T[];
}

export function stratifiedSplit<T>(
  rows: readonly T[],
  labelOf: (row: T) => string,
  keyOf: (row: T) => string,
  shares: SplitShares,
): Split<T> {
  const part = new Array<'train' | 'dev' | 'test'>(rows.length).fill('train');
  const byLabel = new Map<string, number[]>();
  for (const [i, row] of rows.entries()) {
    const label = labelOf(row);
    const list = byLabel.get(label);
    if (list === undefined) byLabel.set(label, [i]);
    else list.push(i);
  }
  const order = (indices: number[], salt: string) =>
    indices
      .map((i) => ({ i, h: keyHash(`${shares.seed}:${salt}:${keyOf(rows[i]!)}`) }))
      .sort((a, b) => a.h - b.h || a.i - b.i)
      .map((x) => x.i);
  for (const indices of byLabel.values()) {
    const ranked = order(indices, 'test');
    const nTest = Math.round(indices.length * shares.test);
    for (const i of ranked.slice(0, nTest)) part[i] = 'test';
    const rest = order(ranked.slice(nTest), 'dev');
    for (const i of rest.slice(0, Math.round(rest.length * shares.dev))) part[i] = 'dev';
  }
  const split: Split<T> = { train: [], dev: [], test: [] };
  for (const [i, row] of rows.entries()) split[part[i]!].push(row);
  return split;
}

/** FNV-1a then murmur3's finaliser: a stable 32-bit hash of a string. */
export function keyHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same shuffles on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
