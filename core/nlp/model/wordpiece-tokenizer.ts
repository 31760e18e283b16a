/**
 * A BERT-style tokenizer.json (lower-casing normaliser, BERT pre-tokenizer, WordPiece
 * model, [CLS] ... [SEP] template) over a whole-word vocabulary. It is the standard
 * Hugging Face format, so the worker loads it exactly like a real model's tokenizer.
 */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/** Words the way BertPreTokenizer cuts them: runs of letters/digits, each punctuation mark alone. */
export function bertWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{Mn}/gu, '')
      .match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []
  );
}

export function buildVocabulary(
  texts: Iterable<string>,
  extraWords: Iterable<string>,
  minCount: number,
): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of bertWords(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = new Set<string>();
  for (const [w, n] of counts) if (n >= minCount) words.add(w);
  for (const w of extraWords) for (const part of bertWords(w)) words.add(part);
  for (const s of SPECIAL_TOKENS) words.delete(s);
  return [...SPECIAL_TOKENS, ...[...words].sort()];
}

export function tokenizerJson(vocabulary: readonly string[]): object {
  const vocab: Record<string, number> = {};
  for (const [i, w] of vocabulary.entries()) vocab[w] = i;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export const TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 128,
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
};
