import { eld } from 'eld/small';

/**
 * Language of a tweet by n-gram statistics (eld, offline). Tweets outside the target
 * languages are tagged, never dropped: the lexicon models are English, so downstream
 * panels filter on `target` rather than losing the tweets.
 */
export interface LanguageTag {
  /** ISO 639-1 code, or 'und' when the text is too short or mixed to tell. */
  readonly lang: string;
  readonly reliable: boolean;
  /** Whether `lang` is one the sentiment models were made for. */
  readonly target: boolean;
}

const MIN_LETTERS = 8;

export function detectLanguage(words: readonly string[], targets: ReadonlySet<string>): LanguageTag {
  const text = words.join(' ');
  if (!hasLetters(text, MIN_LETTERS)) return { lang: 'und', reliable: false, target: false };
  const result = eld.detect(text);
  const lang = result.language === '' ? 'und' : result.language;
  return { lang, reliable: result.isReliable(), target: targets.has(lang) };
}

const LETTER = /\p{L}/u;

/** Whether `text` has at least `min` letters; stops counting there (runs once per tweet). */
function hasLetters(text: string, min: number): boolean {
  let letters = 0;
  for (const ch of text) {
    if (LETTER.test(ch) && ++letters >= min) return true;
  }
  return false;
}
