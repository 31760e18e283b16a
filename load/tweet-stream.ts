import { Prng } from './prng.ts';

export interface LoadTweet {
  id: string;
  text: string;
  lang: string;
  user: { id: string; followers: number };
  created_at: string;
  hashtags: string[];
}

const LANGS = ['en', 'en', 'en', 'en', 'es', 'de', 'fr', 'pt', 'ja'];
const HASHTAGS = ['launch', 'sale', 'support', 'shipping', 'newdrop', 'review'];
const TEMPLATES = [
  'Just got my order, absolutely love it! #{tag}',
  'Still waiting for my package, day 6... #{tag}',
  'The new collection looks amazing #{tag}',
  'Checkout keeps failing on mobile, anyone else? #{tag}',
  'Best customer service I have had in years #{tag}',
  'Price went up again? Not impressed #{tag}',
  'Is the {adj} one worth it? #{tag}',
];
const ADJ = ['blue', 'large', 'wireless', 'limited', 'classic'];

/** A social stream about the shop; as deterministic as the shop traffic for the same seed. */
export class TweetStream {
  readonly #rng: Prng;
  #sequence = 0;

  constructor(seed: number) {
    this.#rng = new Prng(seed ^ 0x7ee7);
  }

  next(nowMs: number): LoadTweet {
    const rng = this.#rng;
    const tag = rng.pick(HASHTAGS);
    this.#sequence += 1;
    return {
      id: `${1_800_000_000_000 + this.#sequence}${rng.int(100, 999)}`,
      text: rng.pick(TEMPLATES).replace('{tag}', tag).replace('{adj}', rng.pick(ADJ)),
      lang: rng.pick(LANGS),
      user: { id: `tw-${rng.int(1, 50_000)}`, followers: Math.floor(10 ** (rng.next() * 6)) },
      created_at: new Date(nowMs).toISOString(),
      hashtags: [tag],
    };
  }
}
