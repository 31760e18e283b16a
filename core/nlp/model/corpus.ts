import type { SentimentLabel } from '../sentiment.ts';

/**
 * The training corpus of the shipped classifier, generated: tweets assembled from
 * templates whose label follows from how they were built (a positive verdict, a negated
 * one, a "but" that turns the sentence), with the emoji, links, mentions, hashtags and
 * elongations real tweets have. The sentiment words come from VADER's lexicon (Apache-2.0),
 * by the sign of their mean human rating. Seeded, so the same seed gives the same corpus.
 */
export interface CorpusTweet {
  readonly text: string;
  readonly label: SentimentLabel;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = [
  'the delivery',
  'my order',
  'the new phone',
  'customer service',
  'the app',
  'this laptop',
  'the support team',
  'the update',
  'the price',
  'the courier',
  'the game last night',
  'the movie',
  'the battery',
  'the camera',
  'their website',
  'the refund process',
  'the store staff',
  'the headphones',
  'the checkout',
  'this brand',
  'the new album',
  'the match',
  'the service',
  'the packaging',
  'my package',
  'the subscription',
  'the show',
  'the software',
  'the screen',
  'the coffee',
];
const NOUNS = [
  'phone',
  'order',
  'laptop',
  'charger',
  'parcel',
  'ticket',
  'jacket',
  'headset',
  'album',
  'subscription',
  'tablet',
  'watch',
  'camera',
  'router',
  'game',
];
const DAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'the weekend',
  'next week',
  'tomorrow',
  'today',
];
const NEUTRAL = [
  '{s} arrives on {d}',
  'anyone know when {s} ships?',
  'the {n} costs {p}',
  'new {n} announced {d}',
  'reading about {s} now',
  'i ordered a {n} on {d}',
  'is {s} available in blue?',
  '{s} is out {d}',
  'tracking says {s} is in transit',
  'the store opens at {k} am {d}',
  'which {n} should i get?',
  'the {n} comes in three colours',
  'watching the news about {s}',
  'my {n} has order number {k}',
  'the {n} was delivered {d}',
  'switching to the new {n} {d}',
  '{s} starts at {k} pm',
  'just bought a {n}',
];
const POS_VERBS = ['love', 'like', 'enjoy', 'adore', 'appreciate', 'recommend'];
const NEG_VERBS = ['hate', 'dislike', 'regret buying', 'cannot stand', 'despise'];
const BOOST = ['', '', '', 'really ', 'so ', 'very ', 'absolutely ', 'extremely ', 'pretty ', 'super '];
const POS_EMOJI = ['😍', '😊', '👍', '🎉', '❤️', '🔥', '😂', '🥳', '💯', '🙌'];
const NEG_EMOJI = ['😡', '😞', '👎', '😭', '💔', '🤬', '😤', '🙄', '😢', '😒'];

/** Lexicon words by sentiment sign, alphabetic ones only, with the strength of the rating. */
export function splitLexicon(lexicon: ReadonlyMap<string, number>): {
  positive: string[];
  negative: string[];
} {
  const positive: string[] = [];
  const negative: string[] = [];
  for (const [word, valence] of lexicon) {
    if (!/^[a-z]{3,}$/u.test(word)) continue;
    if (valence >= 1.2) positive.push(word);
    else if (valence <= -1.2) negative.push(word);
  }
  return { positive, negative };
}

export function generateCorpus(
  size: number,
  seed: number,
  lexicon: ReadonlyMap<string, number>,
): CorpusTweet[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // A word that also names a subject ("support", "service") must not carry a verdict of its own.
  const subjectWords = new Set([...SUBJECTS, ...NOUNS].flatMap((s) => s.split(' ')));
  const split = splitLexicon(lexicon);
  const positive = split.positive.filter((w) => !subjectWords.has(w));
  const negative = split.negative.filter((w) => !subjectWords.has(w));
  const fill = (t: string) =>
    t
      .replace('{s}', pick(SUBJECTS))
      .replace('{n}', pick(NOUNS))
      .replace('{d}', pick(DAYS))
      .replace('{k}', String(1 + Math.floor(rnd() * 500)))
      .replace('{p}', `$${1 + Math.floor(rnd() * 500)}`);
  const clause = (label: 'positive' | 'negative'): string => {
    const words = label === 'positive' ? positive : negative;
    const r = rnd();
    if (r < 0.45) return `${pick(SUBJECTS)} was ${pick(BOOST)}${pick(words)}`;
    if (r < 0.7) return `i ${pick(label === 'positive' ? POS_VERBS : NEG_VERBS)} ${pick(SUBJECTS)}`;
    if (r < 0.85) return `${pick(SUBJECTS)} is ${pick(BOOST)}${pick(words)}`;
    return `${pick(words)} ${pick(SUBJECTS).replace(/^(the|my|this|their) /u, '')}`;
  };
  const decorate = (text: string, label: SentimentLabel): string => {
    let t = text;
    if (rnd() < 0.3) t = `@${pick(['acme', 'shopco', 'bob_k', 'fastship', 'jane'])} ${t}`;
    if (rnd() < 0.25 && label !== 'neutral') t = `${t} ${pick(label === 'positive' ? POS_EMOJI : NEG_EMOJI)}`;
    if (rnd() < 0.2) t = `${t} https://t.co/${Math.floor(rnd() * 1e6).toString(36)}`;
    if (rnd() < 0.2) t = `${t} #${pick(NOUNS)}`;
    if (rnd() < 0.15 && label !== 'neutral') t = `${t}${pick(['!', '!!', '!!!'])}`;
    if (rnd() < 0.1)
      t = t.replace(
        /\b([a-z]*?)([aeiou])([a-z]*)\b/u,
        (_m, a: string, v: string, b: string) => `${a}${v.repeat(4)}${b}`,
      );
    if (rnd() < 0.1) t = t.toUpperCase();
    return t;
  };

  const out: CorpusTweet[] = [];
  while (out.length < size) {
    const r = rnd();
    let text: string;
    let label: SentimentLabel;
    if (r < 0.3) {
      label = rnd() < 0.5 ? 'positive' : 'negative';
      text = clause(label);
    } else if (r < 0.55) {
      label = 'neutral';
      text = fill(pick(NEUTRAL));
    } else if (r < 0.7) {
      // Negation: "not great" is a complaint; "not bad" is at most lukewarm.
      const flipped = rnd() < 0.5 ? 'positive' : 'negative';
      label = flipped === 'positive' ? 'negative' : 'neutral';
      text = `${pick(SUBJECTS)} was ${pick(['not', 'never', 'not really', 'not that'])} ${pick(flipped === 'positive' ? positive : negative)}`;
    } else if (r < 0.78) {
      // "X and Y" with both clauses agreeing: "and" itself says nothing.
      label = rnd() < 0.5 ? 'positive' : 'negative';
      text = `${clause(label)} ${pick(['and', 'and', 'also', 'plus'])} ${clause(label)}`;
    } else if (r < 0.88) {
      // "X but Y": the clause after "but" carries the verdict.
      const first = rnd() < 0.5 ? 'positive' : 'negative';
      label = first === 'positive' ? 'negative' : 'positive';
      text = `${clause(first)} but ${clause(label)}`;
    } else {
      label = rnd() < 0.5 ? 'positive' : 'negative';
      text = `${fill(pick(NEUTRAL)).replace(/\?$/u, '')} and ${clause(label)}`;
    }
    out.push({ text: decorate(text, label), label });
  }
  return out;
}
