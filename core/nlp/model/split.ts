import { avalanche, fnv1a } from '../string-hash.ts';
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
  return avalanche(fnv1a(s));
}
