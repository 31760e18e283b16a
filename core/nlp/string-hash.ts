/**
 * 32-bit string hashing for the NLP features and splits: FNV-1a, then murmur3's finaliser,
 * since FNV's low bits alone spread poorly over a power-of-two table or on short strings.
 * The shipped model's feature ids depend on these exact operations: change them and retrain.
 */

/** FNV-1a over `text`'s UTF-16 code units, from `seed` (FNV's offset basis by default). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
export function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
