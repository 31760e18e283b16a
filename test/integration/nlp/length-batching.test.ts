import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformerHeadsBackend } from '../../../containers/nlp/transformer-heads-backend.ts';
import type { ModelScores, SentimentBackend } from '../../../core/nlp/inference/backend.ts';
import { writeTinyRoberta } from '../../../core/nlp/model/tiny-roberta.ts';
import { HEADS, layTinyHeads, productionBackend, TINY_TWEETS, type TinyHeads } from './tiny-heads.ts';

/**
 * Batching by length on the transformer path, through the worker's configuration and backend
 * selection: a micro-batch that mixes short tweets with long ones runs in runs of similar
 * length, answers what each tweet scored alone answers, and feeds the model far fewer padded
 * tokens than one tensor padded to the longest tweet.
 */
let heads: TinyHeads;
beforeAll(() => {
  heads = layTinyHeads();
});
afterAll(() => heads.remove());

const LONG =
  'Thread: the launch event was delayed twice, the stream kept buffering, support never answered ' +
  'and the preorder page still shows the wrong price. Honestly the worst rollout I have seen this year, ' +
  'but the camera samples they showed at the end look genuinely amazing #launch #fail';

/** Short and long tweets interleaved as a firehose delivers them: 5 short for every long one. */
const MIXED = Array.from({ length: 48 }, (_, i) =>
  i % 6 === 5 ? `${LONG} (${i})` : `${TINY_TWEETS[i % TINY_TWEETS.length]!.text} ${i}`,
);

function heads3(backend: SentimentBackend): TransformerHeadsBackend {
  expect(backend).toBeInstanceOf(TransformerHeadsBackend);
  return backend as TransformerHeadsBackend;
}

function expectSameScores(actual: readonly ModelScores[], expected: readonly ModelScores[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, a] of actual.entries()) {
    const e = expected[i]!;
    expect(a.sentiment.label).toBe(e.sentiment.label);
    expect(a.sentiment.score).toBeCloseTo(e.sentiment.score, 4);
    expect(a.toxicity!.offensive).toBeCloseTo(e.toxicity!.offensive, 4);
    expect(a.toxicity!.hate).toBeCloseTo(e.toxicity!.hate, 4);
  }
}

describe('batching by length on the transformer path', () => {
  it('answers each tweet as scored alone, in input order, feeding far fewer padded tokens', async () => {
    const batching = heads3(await productionBackend(heads.modelDir));
    const padded = heads3(await productionBackend(heads.modelDir, { SPATE_NLP_LENGTH_BATCHING: 'false' }));
    try {
      const alone: ModelScores[] = [];
      for (const text of MIXED) alone.push(...(await padded.infer([text])));
      const before = padded.tokenCounts;

      expectSameScores(await batching.infer(MIXED), alone);
      // Without length batching the micro-batch is one tensor as wide as its longest tweet.
      expectSameScores(await padded.infer(MIXED), alone);

      const on = batching.tokenCounts;
      const off = {
        runs: padded.tokenCounts.runs - before.runs,
        realTokens: padded.tokenCounts.realTokens - before.realTokens,
        paddedTokens: padded.tokenCounts.paddedTokens - before.paddedTokens,
      };
      // Three heads, the same tokens each.
      expect(off.runs).toBe(3);
      expect(on.realTokens).toBe(off.realTokens);
      expect(on.runs).toBeGreaterThan(3);
      // One tensor: most of it padding. By length: little.
      expect(off.paddedTokens - off.realTokens).toBeGreaterThan(off.realTokens);
      expect(on.paddedTokens - on.realTokens).toBeLessThan(0.15 * on.realTokens);
      expect(on.paddedTokens).toBeLessThan(off.paddedTokens / 2);
    } finally {
      await batching.close();
      await padded.close();
    }
  });

  it('tokenizes a micro-batch once when the heads share a tokenizer, and per head when one differs', async () => {
    const shared = heads3(await productionBackend(heads.modelDir));
    const mixedDir = join(heads.modelDir, '..', 'mixed-tokenizers');
    cpSync(heads.modelDir, mixedDir, { recursive: true });
    // Each fine-tune's export names itself in tokenizer_config.json: still the same tokenizer.
    const offensiveConfig = join(mixedDir, 'offensive', 'tokenizer_config.json');
    writeFileSync(
      offensiveConfig,
      JSON.stringify({
        ...JSON.parse(readFileSync(offensiveConfig, 'utf8')),
        name_or_path: 'cardiffnlp/twitter-roberta-base-offensive',
        model_max_length: 512,
      }),
    );
    // A hate head fine-tuned from another base model: its own vocabulary and merges.
    writeTinyRoberta(join(mixedDir, 'hate'), {
      labels: HEADS.hate.labels,
      seed: HEADS.hate.seed,
      merges: 60,
    });
    const mixed = heads3(await productionBackend(mixedDir));
    const hateAlone = heads3(await productionBackend(mixedDir, { SPATE_NLP_LENGTH_BATCHING: 'false' }));
    try {
      await shared.infer(MIXED);
      expect(shared.tokenizedTexts).toBe(MIXED.length);

      const out = await mixed.infer(MIXED);
      expect(mixed.tokenizedTexts).toBe(2 * MIXED.length);
      // The odd head still reads its own ids: the same answers as that backend scoring each alone.
      for (const [i, text] of MIXED.entries()) {
        const [alone] = await hateAlone.infer([text]);
        expect(out[i]!.toxicity!.hate).toBeCloseTo(alone!.toxicity!.hate, 4);
      }
    } finally {
      await shared.close();
      await mixed.close();
      await hateAlone.close();
    }
  });

  it('reads its budget from the worker settings and hands the micro-batcher whole flushes', async () => {
    const small = heads3(
      await productionBackend(heads.modelDir, {
        SPATE_NLP_MAX_BATCH_TOKENS: '256',
        SPATE_NLP_MAX_BATCH_ROWS: '8',
        SPATE_NLP_RUN_COST_TOKENS: '0',
      }),
    );
    const off = heads3(await productionBackend(heads.modelDir, { SPATE_NLP_LENGTH_BATCHING: 'false' }));
    try {
      await small.infer(MIXED);
      const c = small.tokenCounts;
      // 8 rows at most per run, 3 heads.
      expect(c.runs).toBeGreaterThanOrEqual(3 * Math.ceil(MIXED.length / 8));
      // Free runs: every run is exactly as wide as its rows (the CPU pads to no multiple).
      expect(c.paddedTokens).toBe(c.realTokens);
      expect(small.lengthOf(LONG)).toBe(0);
      expect(off.lengthOf(LONG)).toBeGreaterThan(50);
    } finally {
      await small.close();
      await off.close();
    }
  });
});
