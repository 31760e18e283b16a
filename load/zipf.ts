import type { Prng } from './prng.ts';

/**
 * Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^s: a few products take most
 * views, as in any real shop. The CDF is built once; each draw is a binary search.
 */
export class ZipfSampler {
  readonly #cdf: Float64Array;

  constructor(n: number, s = 1.1) {
    if (!(n >= 1)) throw new Error('Zipf n must be >= 1');
    this.#cdf = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / (k + 1) ** s;
      this.#cdf[k] = total;
    }
    for (let k = 0; k < n; k++) this.#cdf[k]! /= total;
  }

  sample(rng: Prng): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
