import { decodeHTML } from 'entities';
import { emojiMeaning } from './emoji-meaning.ts';

/**
 * A tweet's text made fit for the models: HTML entities decoded, URLs and @mentions lifted
 * out, '#' dropped from hashtags (the word still carries meaning), emoji turned into a word
 * with their meaning, and elongated words ("sooooo goooood") shortened. Case is kept because
 * ALL CAPS is a sentiment signal; the original text is kept beside it.
 */
export interface NormalisedText {
  readonly original: string;
  /** Cleaned text for sentiment models, in the tweet's case. */
  readonly text: string;
  /** Lower-case word tokens of `text` (emoji meanings included), for topics, rules and duplicates. */
  readonly tokens: readonly string[];
  readonly urls: readonly string[];
  readonly mentions: readonly string[];
  readonly hashtags: readonly string[];
  readonly cashtags: readonly string[];
  readonly emoji: readonly string[];
  /** Lower-case words of the tweet itself, without emoji meanings: what language detection reads. */
  readonly words: readonly string[];
  /** Words that were elongated, in their shortened form: a sign of emphasis. */
  readonly elongated: readonly string[];
  /** "RT @user:" at the start: a retweet echo. */
  readonly retweet: boolean;
}

export interface NormaliseOptions {
  /** A lexicon's membership test, so elongated words and emoji resolve to words it scores. */
  readonly isWord?: (word: string) => boolean;
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/giu;
const MENTION_RE = /(?<![\p{L}\p{N}_])@([A-Za-z0-9_]{1,15})\b/gu;
const HASHTAG_RE = /(?<![\p{L}\p{N}_&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;
const CASHTAG_RE = /(?<![\p{L}\p{N}_])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)\b/gu;
// One emoji: a pictograph or a flag, with its modifiers and ZWJ-joined parts.
const EMOJI_RE =
  /(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}[\u{fe0f}\u{fe0e}\u{1f3fb}-\u{1f3ff}]?(?:\u200d\p{Extended_Pictographic}[\u{fe0f}\u{fe0e}\u{1f3fb}-\u{1f3ff}]?)*)/gu;
const ELONGATED_RE = /([\p{L}])\1{2,}/gu;
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu;
const RETWEET_RE = /^\s*RT\s+@([A-Za-z0-9_]{1,15}):?\s*/u;
// Punctuation that trails a URL in prose rather than belonging to it.
const URL_TAIL_RE = /[.,;:!?)\]}'"…]+$/u;

export function normaliseTweetText(original: string, options: NormaliseOptions = {}): NormalisedText {
  const decoded = decodeHTML(original);
  const retweetOf = RETWEET_RE.exec(decoded)?.[1]?.toLowerCase();
  let text = decoded.replace(RETWEET_RE, '');

  const urls: string[] = [];
  text = text.replace(URL_RE, (raw) => {
    const url = raw.replace(URL_TAIL_RE, '');
    urls.push(url);
    return ` ${raw.slice(url.length)}`;
  });

  const mentions = [...text.matchAll(MENTION_RE)].map((m) => (m[1] ?? '').toLowerCase());
  if (retweetOf !== undefined) mentions.unshift(retweetOf);
  text = text.replace(MENTION_RE, ' ');
  const cashtags = [...text.matchAll(CASHTAG_RE)].map((m) => (m[1] ?? '').toUpperCase());
  const hashtags = [...text.matchAll(HASHTAG_RE)].map((m) => (m[1] ?? '').toLowerCase());
  text = text.replace(HASHTAG_RE, (_all, tag: string) => tag);

  const words = (text.replace(EMOJI_RE, ' ').toLowerCase().match(WORD_RE) ?? []) as string[];
  const emoji: string[] = [];
  text = text.replace(EMOJI_RE, (e) => {
    emoji.push(e);
    const meaning = emojiMeaning(e, options.isWord);
    return meaning === undefined ? ' ' : ` ${meaning} `;
  });

  const elongated: string[] = [];
  text = text.replace(WORD_RE, (word) => {
    if (!ELONGATED_RE.test(word)) return word;
    ELONGATED_RE.lastIndex = 0;
    const short = shorten(word, options.isWord);
    elongated.push(short.toLowerCase());
    return short;
  });

  text = text.replace(/\s+/gu, ' ').trim();
  const tokens = (text.toLowerCase().match(WORD_RE) ?? []).map((t) => t.replace(/^'+|'+$/gu, ''));
  return {
    original,
    text,
    tokens,
    urls,
    mentions,
    hashtags,
    cashtags,
    emoji,
    words,
    elongated,
    retweet: retweetOf !== undefined,
  };
}

/** "goooood" -> "good" (runs cut to two letters); "loooove" -> "love" where only one letter makes a word. */
function shorten(word: string, isWord: ((w: string) => boolean) | undefined): string {
  const two = word.replace(ELONGATED_RE, '$1$1');
  if (isWord === undefined || isWord(two.toLowerCase())) return two;
  const one = word.replace(ELONGATED_RE, '$1');
  return isWord(one.toLowerCase()) ? one : two;
}
