/**
 * VADER's compound score (Hutto & Gilbert 2014), ported from the Apache-2.0 vader-sentiment
 * package (Copyright 2018 Comcast Cable Communications Management, LLC) with the same rules,
 * constants and order of arithmetic, so it gives the package's scores to the last digit. The
 * package builds a dictionary of every word with every punctuation mark on both sides for each
 * text and copies its negation list per word; at stream rate that was a third of the worker's
 * CPU. Here a token sheds one leading or trailing punctuation run by inspection instead, and
 * the lists are sets. Only `compound` is computed: it is all the worker uses.
 */
const B_INCR = 0.293;
const B_DECR = -0.293;
const C_INCR = 0.733;
const N_SCALAR = -0.74;

// Python's string.punctuation, as the package strips it.
const ASCII_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const PUNC_LIST = new Set([
  '.',
  '!',
  '?',
  ',',
  ';',
  ':',
  '-',
  "'",
  '"',
  '!!',
  '!!!',
  '??',
  '???',
  '?!?',
  '!?!',
  '?!?!',
  '!?!?',
]);

// biome-ignore format: one word list, kept as the package has it
const NEGATE = new Set([
  'aint', 'arent', 'cannot', 'cant', 'couldnt', 'darent', 'didnt', 'doesnt', "ain't", "aren't", "can't",
  "couldn't", "daren't", "didn't", "doesn't", 'dont', 'hadnt', 'hasnt', 'havent', 'isnt', 'mightnt',
  'mustnt', 'neither', "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", 'neednt',
  "needn't", 'never', 'none', 'nope', 'nor', 'not', 'nothing', 'nowhere', 'oughtnt', 'shant', 'shouldnt',
  'uhuh', 'wasnt', 'werent', "oughtn't", "shan't", "shouldn't", 'uh-uh', "wasn't", "weren't", 'without',
  'wont', 'wouldnt', "won't", "wouldn't", 'rarely', 'seldom', 'despite',
]);

// biome-ignore format: one word list, kept as the package has it
const BOOSTERS: ReadonlyMap<string, number> = new Map([
  ...[
    'absolutely', 'amazingly', 'awfully', 'completely', 'considerably', 'decidedly', 'deeply', 'effing',
    'enormously', 'entirely', 'especially', 'exceptionally', 'extremely', 'fabulously', 'flipping',
    'flippin', 'fricking', 'frickin', 'frigging', 'friggin', 'fully', 'fucking', 'greatly', 'hella',
    'highly', 'hugely', 'incredibly', 'intensely', 'majorly', 'more', 'most', 'particularly', 'purely',
    'quite', 'really', 'remarkably', 'so', 'substantially', 'thoroughly', 'totally', 'tremendously', 'uber',
    'unbelievably', 'unusually', 'utterly', 'very',
  ].map((w) => [w, B_INCR] as const),
  ...[
    'almost', 'barely', 'hardly', 'just enough', 'kind of', 'kinda', 'kindof', 'kind-of', 'less', 'little',
    'marginally', 'occasionally', 'partly', 'scarcely', 'slightly', 'somewhat', 'sort of', 'sorta', 'sortof',
    'sort-of',
  ].map((w) => [w, B_DECR] as const),
]);

const SPECIAL_CASE_IDIOMS: ReadonlyMap<string, number> = new Map([
  ['the shit', 3],
  ['the bomb', 3],
  ['bad ass', 1.5],
  ['yeah right', -2],
  ['cut the mustard', 2],
  ['kiss of death', -1.5],
  ['hand to mouth', -2],
]);

// Every word of a multi-word idiom or booster: a sequence can only match if all its words are here.
const PHRASE_WORDS: ReadonlySet<string> = new Set(
  [...SPECIAL_CASE_IDIOMS.keys(), ...BOOSTERS.keys()]
    .filter((k) => k.includes(' '))
    .flatMap((k) => k.split(' ')),
);

export class VaderScorer {
  constructor(private readonly lexicon: ReadonlyMap<string, number>) {}

  /** The compound score in [-1, 1], rounded to 4 places as the package rounds it. */
  compound(text: string): number {
    const words = wordsAndEmoticons(text);
    const n = words.length;
    if (n === 0) return 0;
    const lower = words.map((w) => w.toLowerCase());
    const capDiff = allcapDifferential(words);
    const sentiments: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const item = lower[i]!;
      if ((i < n - 1 && item === 'kind' && lower[i + 1] === 'of') || BOOSTERS.has(item)) {
        sentiments[i] = 0;
        continue;
      }
      sentiments[i] = this.valence(words, lower, i, capDiff);
    }
    butCheck(words, sentiments);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sentiments[i]!;
    const amplifier = punctuationEmphasis(text);
    if (sum > 0) sum += amplifier;
    else if (sum < 0) sum -= amplifier;
    return Number.parseFloat(normalize(sum).toFixed(4));
  }

  private valence(
    words: readonly string[],
    lower: readonly string[],
    index: number,
    capDiff: boolean,
  ): number {
    const lexical = this.lexicon.get(lower[index]!);
    if (lexical === undefined) return 0;
    let valence = lexical;
    if (capDiff && isUpper(words[index]!)) {
      if (valence > 0) valence += C_INCR;
      else valence -= C_INCR;
    }
    for (let start = 0; start < 3; start++) {
      if (index > start && !this.lexicon.has(lower[index - (start + 1)]!)) {
        let s = scalarIncDec(words[index - (start + 1)]!, lower[index - (start + 1)]!, valence, capDiff);
        if (start === 1 && s !== 0) s = s * 0.95;
        else if (start === 2 && s !== 0) s = s * 0.9;
        valence = valence + s;
        valence = neverCheck(valence, words, start, index);
        if (start === 2) valence = idiomsCheck(valence, words, index);
      }
    }
    return this.leastCheck(valence, lower, index);
  }

  private leastCheck(valence: number, lower: readonly string[], index: number): number {
    if (index > 1 && lower[index - 1] === 'least' && !this.lexicon.has('least')) {
      if (lower[index - 2] !== 'at' && lower[index - 2] !== 'very') return valence * N_SCALAR;
      return valence;
    }
    if (index > 0 && lower[index - 1] === 'least' && !this.lexicon.has('least')) return valence * N_SCALAR;
    return valence;
  }
}

/**
 * Whitespace tokens longer than one character; a token that is a word with one run of
 * punctuation from PUNC_LIST before or after it ("good!!", "'cause") becomes the word.
 * Emoticons and contractions stay whole.
 */
export function wordsAndEmoticons(text: string): string[] {
  const out: string[] = [];
  for (const token of text.split(/\s/)) {
    if (token.length <= 1) continue;
    out.push(stripPunctuationRun(token));
  }
  return out;
}

function stripPunctuationRun(token: string): string {
  let lead = 0;
  while (lead < token.length && ASCII_PUNCTUATION.has(token[lead]!)) lead++;
  let trail = token.length;
  while (trail > lead && ASCII_PUNCTUATION.has(token[trail - 1]!)) trail--;
  // The package maps punctuation+word and word+punctuation, for words that have no punctuation
  // inside and more than one character, and nothing with punctuation on both sides.
  if (lead > 0 && trail === token.length) {
    const word = token.slice(lead);
    if (word.length > 1 && PUNC_LIST.has(token.slice(0, lead)) && !hasPunctuation(word)) return word;
  } else if (lead === 0 && trail < token.length) {
    const word = token.slice(0, trail);
    if (word.length > 1 && PUNC_LIST.has(token.slice(trail)) && !hasPunctuation(word)) return word;
  }
  return token;
}

function hasPunctuation(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (ASCII_PUNCTUATION.has(word[i]!)) return true;
  return false;
}

/** Python's str.isupper on ASCII: some upper-case letter and no lower-case one. */
function isUpper(word: string): boolean {
  let upper = false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
    if (c >= 65 && c <= 90) upper = true;
  }
  return upper;
}

function allcapDifferential(words: readonly string[]): boolean {
  let allcap = 0;
  for (const w of words) if (isUpper(w)) allcap++;
  const diff = words.length - allcap;
  return diff > 0 && diff < words.length;
}

function scalarIncDec(word: string, wordLower: string, valence: number, capDiff: boolean): number {
  const booster = BOOSTERS.get(wordLower);
  if (booster === undefined) return 0;
  let scalar = booster;
  if (valence < 0) scalar *= -1;
  if (capDiff && isUpper(word)) {
    if (valence > 0) scalar += C_INCR;
    else scalar -= C_INCR;
  }
  return scalar;
}

/** The package's negated() for one word, case as written. */
function negatedWord(word: string): boolean {
  return NEGATE.has(word) || word.includes("n't");
}

function neverCheck(valence: number, words: readonly string[], start: number, index: number): number {
  if (start === 0) {
    if (negatedWord(words[index - 1]!)) valence = valence * N_SCALAR;
  }
  if (start === 1) {
    if (words[index - 2] === 'never' && (words[index - 1] === 'so' || words[index - 1] === 'this')) {
      valence = valence * 1.5;
    } else if (negatedWord(words[index - 2]!)) {
      valence = valence * N_SCALAR;
    }
  }
  if (start === 2) {
    if (
      (words[index - 3] === 'never' && (words[index - 2] === 'so' || words[index - 2] === 'this')) ||
      words[index - 1] === 'so' ||
      words[index - 1] === 'this'
    ) {
      valence = valence * 1.25;
    } else if (negatedWord(words[index - 3]!)) {
      valence = valence * N_SCALAR;
    }
  }
  return valence;
}

function idiomsCheck(valence: number, words: readonly string[], index: number): number {
  let touchesPhrase = false;
  for (let i = index - 3; i <= Math.min(index + 2, words.length - 1); i++) {
    if (PHRASE_WORDS.has(words[i]!)) touchesPhrase = true;
  }
  if (!touchesPhrase) return valence;
  const w = (i: number) => words[i]!;
  const onezero = `${w(index - 1)} ${w(index)}`;
  const twoonezero = `${w(index - 2)} ${w(index - 1)} ${w(index)}`;
  const twoone = `${w(index - 2)} ${w(index - 1)}`;
  const threetwoone = `${w(index - 3)} ${w(index - 2)} ${w(index - 1)}`;
  const threetwo = `${w(index - 3)} ${w(index - 2)}`;
  for (const sequence of [onezero, twoonezero, twoone, threetwoone, threetwo]) {
    const idiom = SPECIAL_CASE_IDIOMS.get(sequence);
    if (idiom !== undefined) {
      valence = idiom;
      break;
    }
  }
  if (words.length - 1 > index) {
    const idiom = SPECIAL_CASE_IDIOMS.get(`${w(index)} ${w(index + 1)}`);
    if (idiom !== undefined) valence = idiom;
  }
  if (words.length - 1 > index + 1) {
    const idiom = SPECIAL_CASE_IDIOMS.get(`${w(index)} ${w(index + 1)} ${w(index + 2)}`);
    if (idiom !== undefined) valence = idiom;
  }
  if (BOOSTERS.has(threetwo) || BOOSTERS.has(twoone)) valence = valence + B_DECR;
  return valence;
}

function butCheck(words: readonly string[], sentiments: number[]): void {
  let at = words.indexOf('but');
  if (at === -1) at = words.indexOf('BUT');
  if (at === -1) return;
  for (let i = 0; i < sentiments.length; i++) {
    if (i < at) sentiments[i] = sentiments[i]! * 0.5;
    else if (i > at) sentiments[i] = sentiments[i]! * 1.5;
  }
}

function punctuationEmphasis(text: string): number {
  let exclamations = 0;
  let questions = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 33) exclamations++;
    else if (c === 63) questions++;
  }
  const ep = Math.min(exclamations, 4) * 0.292;
  let qm = 0;
  if (questions > 1) qm = questions <= 3 ? questions * 0.18 : 0.96;
  return ep + qm;
}

function normalize(score: number, alpha = 15): number {
  const norm = score / Math.sqrt(score * score + alpha);
  return Math.max(-1, Math.min(1, norm));
}
