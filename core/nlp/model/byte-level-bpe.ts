/**
 * A byte-level BPE tokenizer in the RoBERTa / GPT-2 format: text is split with GPT-2's
 * pre-tokenizer pattern, each piece's UTF-8 bytes are mapped to printable characters
 * (bytes_to_unicode), and merges learned from a corpus join them. `trainByteLevelBpe`
 * learns a small vocabulary and `robertaTokenizerJson` writes the tokenizer.json a Hugging
 * Face RoBERTa export ships, with <s> <pad> </s> <unk> at ids 0-3.
 */

export const ROBERTA_SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
export const ROBERTA_BOS_ID = 0;
export const ROBERTA_PAD_ID = 1;
export const ROBERTA_EOS_ID = 2;

/** GPT-2's pre-tokenizer pattern, as the ByteLevel pre-tokenizer uses it. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + next++);
  }
  return map;
}

const BYTE_CHARS = bytesToUnicode();

/** The pre-tokenized pieces of a text, each as its byte characters. */
export function byteLevelPieces(text: string): string[][] {
  const encoder = new TextEncoder();
  return (text.match(GPT2_PATTERN) ?? []).map((piece) =>
    [...encoder.encode(piece)].map((b) => BYTE_CHARS[b]!),
  );
}

export interface ByteLevelBpe {
  /** Token -> id, specials first, then the 256 byte characters, then merged tokens. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, as "a b". */
  readonly merges: readonly string[];
}

/** Learns `mergeCount` merges from `corpus` (deterministic: ties broken by the pair's text). */
export function trainByteLevelBpe(corpus: readonly string[], mergeCount: number): ByteLevelBpe {
  const wordCounts = new Map<string, number>();
  for (const text of corpus)
    for (const piece of byteLevelPieces(text)) {
      const key = piece.join('\u0000');
      wordCounts.set(key, (wordCounts.get(key) ?? 0) + 1);
    }
  const words = [...wordCounts].map(([key, count]) => ({ symbols: key.split('\u0000'), count }));
  const vocab = new Map<string, number>();
  for (const s of ROBERTA_SPECIALS) vocab.set(s, vocab.size);
  for (const c of BYTE_CHARS) vocab.set(c, vocab.size);
  const merges: string[] = [];
  for (let m = 0; m < mergeCount; m++) {
    const pairs = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const pair = `${w.symbols[i]} ${w.symbols[i + 1]}`;
        pairs.set(pair, (pairs.get(pair) ?? 0) + w.count);
      }
    let best: string | undefined;
    let bestCount = 0;
    for (const [pair, count] of pairs)
      if (count > bestCount || (count === bestCount && best !== undefined && pair < best)) {
        best = pair;
        bestCount = count;
      }
    if (best === undefined) break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push(best);
    vocab.set(a + b, vocab.size);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === a && w.symbols[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(w.symbols[i]!);
      }
      w.symbols = out;
    }
  }
  return { vocab, merges };
}

/** Reference encoding (no specials): lowest-rank merge first within each piece, as BPE does. */
export function encodeByteLevelBpe(bpe: ByteLevelBpe, text: string): number[] {
  const rank = new Map(bpe.merges.map((m, i) => [m, i]));
  const ids: number[] = [];
  for (const piece of byteLevelPieces(text)) {
    let symbols = piece;
    for (;;) {
      let bestAt = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = rank.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      symbols = [
        ...symbols.slice(0, bestAt),
        symbols[bestAt]! + symbols[bestAt + 1]!,
        ...symbols.slice(bestAt + 2),
      ];
    }
    for (const s of symbols) ids.push(bpe.vocab.get(s) ?? 3);
  }
  return ids;
}

/** The tokenizer.json of a Hugging Face RoBERTa export for this vocabulary and these merges. */
export function robertaTokenizerJson(bpe: ByteLevelBpe): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ROBERTA_SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: true,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', ROBERTA_EOS_ID],
      cls: ['<s>', ROBERTA_BOS_ID],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(bpe.vocab),
      merges: [...bpe.merges],
    },
  };
}

/** tokenizer_config.json as a RoBERTa export has it. */
export const ROBERTA_TOKENIZER_CONFIG = {
  tokenizer_class: 'RobertaTokenizer',
  bos_token: '<s>',
  eos_token: '</s>',
  sep_token: '</s>',
  cls_token: '<s>',
  pad_token: '<pad>',
  unk_token: '<unk>',
  model_max_length: 512,
  add_prefix_space: false,
} as const;
