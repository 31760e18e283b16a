import type { Prng } from './prng.ts';

export interface CatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly price: number;
}

const CATEGORIES = [
  'shoes',
  'jackets',
  'bags',
  'kitchen',
  'books',
  'audio',
  'games',
  'garden',
  'toys',
  'beauty',
];
const ADJECTIVES = [
  'Classic',
  'Urban',
  'Trail',
  'Studio',
  'Pocket',
  'Nordic',
  'Solar',
  'Velvet',
  'Rapid',
  'Cosy',
];
const NOUNS = [
  'Runner',
  'Parka',
  'Tote',
  'Kettle',
  'Novel',
  'Headphones',
  'Console',
  'Planter',
  'Robot',
  'Serum',
];

/** A shop's catalogue, the same for the same seed; rank 0 is the best seller. */
export function makeCatalog(rng: Prng, size: number): CatalogProduct[] {
  return Array.from({ length: size }, (_, i) => {
    const c = rng.int(0, CATEGORIES.length - 1);
    // Log-normal-ish prices: many cheap items, a long tail of expensive ones.
    const price = Math.round(Math.exp(2 + rng.next() * 4) * 100) / 100;
    return {
      id: `sku-${String(i + 1).padStart(5, '0')}`,
      name: `${rng.pick(ADJECTIVES)} ${NOUNS[c]}`,
      category: CATEGORIES[c]!,
      price,
    };
  });
}
