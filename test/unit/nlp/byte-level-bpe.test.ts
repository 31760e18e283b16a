import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { sentimentLabelMap, toxicityLabelIndex } from '../../../core/nlp/inference/sequence-classifier.ts';
import {
  bytesToUnicode,
  encodeByteLevelBpe,
  ROBERTA_TOKENIZER_CONFIG,
  robertaTokenizerJson,
  trainByteLevelBpe,
} from '../../../core/nlp/model/byte-level-bpe.ts';
import { toFloat16Bits } from '../../../core/nlp/model/float16.ts';
import { TINY_CORPUS, tinyRobertaOnnx, tinyRobertaWeights } from '../../../core/nlp/model/tiny-roberta.ts';

describe('byte-level BPE (RoBERTa / GPT-2 tokenizer.json)', () => {
  it('maps all 256 bytes to distinct characters, printable ASCII to itself and space to Ġ', () => {
    const map = bytesToUnicode();
    expect(new Set(map).size).toBe(256);
    expect(map[0x41]).toBe('A');
    expect(map[0x20]).toBe('Ġ');
    expect(map[0x0a]).toBe('Ċ');
  });

  it('learns the same merges from the same corpus, frequent pairs first', () => {
    const a = trainByteLevelBpe(TINY_CORPUS, 60);
    const b = trainByteLevelBpe(TINY_CORPUS, 60);
    expect(a.merges).toEqual(b.merges);
    expect(a.merges).toHaveLength(60);
    expect(a.vocab.get('<s>')).toBe(0);
    expect(a.vocab.get('<pad>')).toBe(1);
    expect(a.vocab.get('</s>')).toBe(2);
    expect(a.vocab.get('<unk>')).toBe(3);
    expect(a.vocab.size).toBe(4 + 256 + 60);
    expect(a.merges).toContain('Ġ t');
  });

  it("the tokenizer.json it writes tokenizes, through the loader's tokenizer, as the reference BPE does", () => {
    const bpe = trainByteLevelBpe(TINY_CORPUS, 120);
    const tokenizer = new Tokenizer(robertaTokenizerJson(bpe), ROBERTA_TOKENIZER_CONFIG);
    for (const text of [
      'I love this phone, the camera is amazing!',
      "it's the worst   service ever\nnever again",
      'emoji 🔥❤️ and accents: café déjà vu, 100%',
      '@user #hashtag https://t.co/x',
    ]) {
      expect(tokenizer.encode(text).ids).toEqual([0, ...encodeByteLevelBpe(bpe, text), 2]);
    }
    // Every byte is in the vocabulary: nothing is ever unknown.
    expect(encodeByteLevelBpe(bpe, '漢字 \u0000\u{1F600}')).not.toContain(3);
  });
});

describe('sequence-classification labels', () => {
  it("finds the toxicity heads' yes class in cardiffnlp's and OLID's names", () => {
    expect(toxicityLabelIndex({ 0: 'non-offensive', 1: 'offensive' }, 'offensive')).toBe(1);
    expect(toxicityLabelIndex({ 0: 'OFF', 1: 'NOT' }, 'offensive')).toBe(0);
    expect(toxicityLabelIndex({ 0: 'NOT-HATE', 1: 'HATE' }, 'hate')).toBe(1);
    expect(toxicityLabelIndex({ 0: 'non-hate', 1: 'hate' }, 'hate')).toBe(1);
    expect(toxicityLabelIndex({ 0: 'LABEL_0', 1: 'LABEL_1' }, 'hate')).toBe(1);
    expect(() => toxicityLabelIndex({ 0: 'a', 1: 'b' }, 'hate')).toThrow(/no single "hate" class/);
    expect(() => toxicityLabelIndex({ 0: 'hate' }, 'hate')).toThrow(/exactly classes 0 and 1/);
    expect(sentimentLabelMap({ 0: 'negative', 1: 'neutral', 2: 'positive' })).toEqual([
      'negative',
      'neutral',
      'positive',
    ]);
  });
});

describe('ONNX writer pieces of the tiny transformer', () => {
  it('converts float32 to IEEE half with round to nearest even', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(0)).toBe(0);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie goes to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('writes the same model bytes for the same seed, and an FP16 file about half the size', () => {
    const w = tinyRobertaWeights(300, { labels: ['negative', 'neutral', 'positive'], seed: 5 });
    const a = tinyRobertaOnnx(w);
    expect(
      tinyRobertaOnnx(tinyRobertaWeights(300, { labels: ['negative', 'neutral', 'positive'], seed: 5 })),
    ).toEqual(a);
    const half = tinyRobertaOnnx(w, true);
    expect(half.length).toBeLessThan(a.length * 0.6);
  });
});
