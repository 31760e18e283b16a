import emojiKeywords from 'emojilib/dist/emoji-en-US.json' with { type: 'json' };

/**
 * What an emoji means, as a word a sentiment lexicon knows. emojilib's keyword lists mix
 * feelings (😂 lists both "cry" and "laugh"), so the emoji most common in tweets get a
 * chosen word; the rest take their first keyword a lexicon knows, else their name.
 */
const CHOSEN: Readonly<Record<string, string>> = {
  '😂': 'laugh',
  '🤣': 'laugh',
  '😭': 'cry',
  '😍': 'love',
  '🥰': 'love',
  '😘': 'love',
  '❤': 'love',
  '💕': 'love',
  '💔': 'heartbroken',
  '😊': 'happy',
  '🙂': 'smile',
  '😀': 'happy',
  '😃': 'happy',
  '😄': 'happy',
  '😁': 'happy',
  '😆': 'laugh',
  '😅': 'relieved',
  '😉': 'wink',
  '😎': 'cool',
  '🥳': 'celebrate',
  '🎉': 'celebrate',
  '👍': 'good',
  '👎': 'bad',
  '👏': 'applause',
  '🙏': 'thanks',
  '🔥': 'awesome',
  '💯': 'perfect',
  '✨': 'lovely',
  '⭐': 'great',
  '🌟': 'great',
  '✅': 'ok',
  '😢': 'sad',
  '😞': 'disappointed',
  '😔': 'sad',
  '😟': 'worried',
  '😕': 'confused',
  '🙁': 'sad',
  '☹': 'sad',
  '😩': 'tired',
  '😫': 'tired',
  '😤': 'angry',
  '😠': 'angry',
  '😡': 'angry',
  '🤬': 'furious',
  '🤮': 'disgusting',
  '🤢': 'sick',
  '😱': 'horrified',
  '😨': 'scared',
  '😰': 'anxious',
  '🙄': 'annoyed',
  '😒': 'unhappy',
  '😐': 'meh',
  '😑': 'meh',
  '🤔': 'hmm',
  '💩': 'crap',
  '🖕': 'fuck',
  '💀': 'dead',
  '😴': 'bored',
  '🤦': 'fail',
  '❌': 'no',
  '⚠': 'warning',
  '🚀': 'excited',
  '💪': 'strong',
  '😬': 'awkward',
};

const keywords = emojiKeywords as Readonly<Record<string, readonly string[]>>;

/** Emoji presentation selectors and skin tones change the look, not the meaning. */
export function baseEmoji(emoji: string): string {
  return emoji.replace(/[\u{fe0f}\u{fe0e}\u{1f3fb}-\u{1f3ff}]/gu, '').split('\u200d')[0] ?? emoji;
}

export function emojiMeaning(emoji: string, isWord?: (word: string) => boolean): string | undefined {
  const base = baseEmoji(emoji);
  const chosen = CHOSEN[base];
  if (chosen !== undefined) return chosen;
  const list = keywords[emoji] ?? keywords[base] ?? keywords[`${base}\ufe0f`];
  if (list === undefined || list.length === 0) return undefined;
  if (isWord !== undefined) {
    const known = list.find((k) => isWord(k));
    if (known !== undefined) return known;
  }
  return list[0];
}
