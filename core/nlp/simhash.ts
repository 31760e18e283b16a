import { avalanche, fnv1a } from './string-hash.ts';
/**
 * 64-bit SimHash of a token list, as two 32-bit halves (numbers, not BigInt: this runs
 * once per tweet at stream rate). Features are word unigrams and bigrams, so short tweets
 * still get enough features and word order still counts.
 */
export interface SimHash {
  readonly hi: number;
  readonly lo: number;
}

export function simhash(tokens: readonly string[]): SimHash {
  const weights = new Int32Array(64);
  const add = (feature: string) => {
    const h1 = avalanche(fnv1a(feature, 0x811c9dc5));
    const h2 = avalanche(fnv1a(feature, 0x01000193 ^ 0x5bd1e995));
    for (let bit = 0; bit < 32; bit++) {
      weights[bit] = (weights[bit] ?? 0) + ((h1 >>> bit) & 1 ? 1 : -1);
      weights[bit + 32] = (weights[bit + 32] ?? 0) + ((h2 >>> bit) & 1 ? 1 : -1);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    add(tokens[i] ?? '');
    if (i + 1 < tokens.length) add(`${tokens[i]} ${tokens[i + 1]}`);
  }
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if ((weights[bit] ?? 0) > 0) lo |= 1 << bit;
    if ((weights[bit + 32] ?? 0) > 0) hi |= 1 << bit;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

export function hammingDistance(a: SimHash, b: SimHash): number {
  return popcount(a.hi ^ b.hi) + popcount(a.lo ^ b.lo);
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
